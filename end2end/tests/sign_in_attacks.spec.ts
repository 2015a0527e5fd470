import { execFileSync } from 'node:child_process';
import type { TestInfo } from '@playwright/test';
import { test, expect, hydrated } from './fixtures';
import { addUser } from './people';
import { createRunbook, start } from './aws';
import { dataDirs } from '../playwright.config';
import { ask, follow, formError, signIn } from './http_client';

// Attacks on signing in, over plain HTTP as a script would make them, against the shared portal.
// Each test guesses from a loopback address of its own (127.0.0.x), so the lockouts it causes
// touch no other test.
const port = Number(process.env.PORTAL_PORT ?? 3100);
const bin = process.env.PORTAL_BIN ?? '../target/release/runbook-portal';

/** An account of this file's own, added once (the tests of both projects share the portal). */
function account(name: string, groups: string[] = ['admins']): { name: string; password: string } {
  const password = `the password of ${name}`;
  try {
    addUser(name, password, groups);
  } catch {
    // Added by the other project already.
  }
  return { name, password };
}

test('after signing in only a path of this portal is followed, whatever next= says', async ({ page }) => {
  test.skip(!hydrated(page), 'about the server: once is enough');
  const who = account('next-tester');
  const bypasses = [
    '/\t/evil.example',
    '/\t\t/evil.example',
    '\t//evil.example',
    '/\n/evil.example',
    '/\r\n/evil.example',
    '//evil.example',
    '///evil.example',
    '/\\evil.example',
    '\\/evil.example',
    '\\\\evil.example',
    '/%09/evil.example',
    '/%2F%2Fevil.example',
    '/%2f/evil.example',
    '/%5Cevil.example',
    '/%252F%252Fevil.example',
    ' //evil.example',
    ' /automation',
    'https://evil.example/',
    'https:evil.example',
    'javascript:alert(document.domain)',
    '/\u3000/evil.example',
    '/\uFF0Fevil.example',
    '/\u2215evil.example',
  ];
  for (const next of bypasses) {
    const answer = await signIn(port, { name: who.name, password: who.password, next }, '127.0.0.11');
    expect(answer.status, JSON.stringify(next)).toBe(303);
    expect(answer.location, JSON.stringify(next)).toBe('/automation');
    // A failed sign-in sends the browser back to the form with the same, checked, next.
    const failed = await signIn(port, { name: who.name, password: 'not the password', next }, '127.0.0.12');
    expect(new URL(failed.location, 'http://portal').searchParams.get('next'), JSON.stringify(next)).toBe('/automation');
  }
  const local = '/automation/execute?tab=all&q=a%2F%2Fb';
  expect((await signIn(port, { name: who.name, password: who.password, next: local }, '127.0.0.11')).location).toBe(local);
});

test('400 wrong passwords at once from one address meet the address limit, not 400 checks', async ({ page }) => {
  test.skip(!hydrated(page), 'about the server: once is enough');
  test.setTimeout(120_000);
  const answers = await Promise.all(
    Array.from({ length: 400 }, (_, i) => signIn(port, { name: `made-up-${i}`, password: 'guess', next: '/automation' }, '127.0.0.13')),
  );
  const outcome = (a: (typeof answers)[number]) => (a.status === 503 ? 'busy' : formError(a));
  const counts: Record<string, number> = {};
  for (const a of answers) counts[outcome(a)] = (counts[outcome(a)] ?? 0) + 1;
  // At most the address limit (50) had a password checked; all the rest were refused unchecked.
  expect((counts.invalid ?? 0) + (counts.busy ?? 0), JSON.stringify(counts)).toBeLessThanOrEqual(50);
  expect(counts.locked, JSON.stringify(counts)).toBeGreaterThanOrEqual(350);
  expect(Object.keys(counts).every((k) => ['invalid', 'locked', 'busy'].includes(k)), JSON.stringify(counts)).toBe(true);
  // Another address, and the account's owner, are not locked out by it.
  const owner = account('burst-owner');
  expect((await signIn(port, { name: owner.name, password: owner.password, next: '/automation' }, '127.0.0.14')).location).toBe('/automation');
});

/**
 * What the portal's database keeps of the sign-ins from `address` whose names start with
 * `prefix`: the throttle's counts and the audit trail's records, as rows and characters. Read
 * with the sqlite3 shell beside the running portal, so that what other tests write at the same
 * time does not count.
 */
function storedFrom(address: string, prefix: string): { rows: number; chars: number } {
  const sql = `SELECT count(*), coalesce(sum(length(key)), 0) FROM sign_in_failures
                 WHERE key = '${address}' OR key LIKE '${prefix}%'
               UNION ALL
               SELECT count(*), coalesce(sum(length(user_name) + length(detail) + length(user_agent)), 0)
                 FROM audit_records WHERE client_address = '${address}';`;
  const out = execFileSync('sqlite3', ['-separator', ' ', `${dataDirs.emulator}/portal.db`, sql], { encoding: 'utf8' });
  return out
    .trim()
    .split('\n')
    .map((line) => line.split(' ').map(Number))
    .reduce((sum, [rows, chars]) => ({ rows: sum.rows + rows, chars: sum.chars + chars }), { rows: 0, chars: 0 });
}

test('anonymous failed sign-ins cannot fill the database', async ({ page }) => {
  test.skip(!hydrated(page), 'about the server: once is enough');
  test.setTimeout(120_000);
  // 60 sign-ins with 200 KB user names: refused before anything is checked or recorded.
  const huge = 'n'.repeat(200 * 1024);
  for (let i = 0; i < 60; i++) {
    const answer = await signIn(port, { name: `huge-${i}-${huge}`, password: 'guess', next: '/automation' }, '127.0.0.15');
    expect(answer.status).toBe(413);
    expect(answer.body).toContain('at most 256 characters');
  }
  // A long name that fits the body limit is refused by the form's own limit, with the reason.
  const tooLong = await signIn(port, { name: `huge-${'n'.repeat(300)}`, password: 'guess', next: '/automation' }, '127.0.0.15');
  expect(formError(tooLong)).toBe('too-long');
  expect(storedFrom('127.0.0.15', 'huge-')).toEqual({ rows: 0, chars: 0 });

  // Failures with new names as long as allowed, from one address: counted until the address is
  // locked out (50), then refused with nothing more stored, however many names follow.
  const flood = (i: number) => `flood-${i}-${'m'.repeat(240)}`;
  const answers: string[] = [];
  for (let i = 0; i < 60; i++) {
    answers.push(formError(await signIn(port, { name: flood(i), password: 'guess', next: '/automation' }, '127.0.0.16')));
  }
  expect(answers.filter((a) => a === 'invalid').length).toBe(50);
  expect(answers.slice(50)).toEqual(Array(10).fill('locked'));
  const locked = storedFrom('127.0.0.16', 'flood-');
  for (let i = 60; i < 260; i++) {
    expect(formError(await signIn(port, { name: flood(i), password: 'guess', next: '/automation' }, '127.0.0.16'))).toBe('locked');
  }
  const after = storedFrom('127.0.0.16', 'flood-');
  console.log(`stored for 260 failed sign-ins from one address: ${after.rows} rows, ${after.chars} characters`);
  // Per counted failure: the name's count and the (name, address) count; one count for the
  // address; the audit trail's first record (a summary follows when the window ends).
  expect(locked.rows).toBeLessThanOrEqual(50 * 2 + 1 + 2);
  expect(after).toEqual(locked);
});

const PAUSED = {
  schemaVersion: '0.3',
  mainSteps: [{ name: 'waitForMe', action: 'aws:pause', inputs: {} }],
};

/** A running execution (paused until someone resumes it), and a signed-in cookie for `who`. */
async function watcher(info: TestInfo, who: { name: string; password: string }, from: string) {
  const name = createRunbook(info, 'PausedForStreams', PAUSED);
  const id = start(`aws ssm start-automation-execution --document-name ${name}`);
  const answer = await signIn(port, { name: who.name, password: who.password, next: '/automation' }, from);
  expect(answer.location).toBe('/automation');
  return { id, cookie: answer.cookie };
}

/** Opens the execution's stream and waits until it carries the first event. */
async function openStream(id: string, cookie: string, from: string) {
  const stream = follow(port, `/api/executions/${id}/events`, cookie, from);
  expect(await stream.opened).toBe(200);
  await expect.poll(stream.received, { timeout: 15_000 }).toContain('data:');
  return stream;
}

test('an open live-status stream ends when its session does: signing out, a new password, removal', async ({ page }, info) => {
  test.skip(!hydrated(page), 'about the server: once is enough');
  test.setTimeout(120_000);
  const from = '127.0.0.17';
  const bob = account('stream-bob');
  const openFor = async () => {
    const { id, cookie } = await watcher(info, bob, from);
    return { cookie, stream: await openStream(id, cookie, from) };
  };
  const endsWithin = async (stream: Awaited<ReturnType<typeof openStream>>, since: number) => {
    const ended = await Promise.race([stream.ended, new Promise<number>((r) => setTimeout(() => r(0), 10_000))]);
    stream.close();
    expect(ended, 'the stream went on after its session ended').toBeGreaterThan(0);
    expect(ended - since).toBeLessThan(10_000);
  };

  // Signing out.
  let { cookie, stream } = await openFor();
  const out = await ask(port, '/session/end', { method: 'POST', from, headers: { cookie } });
  expect(out.status).toBe(303);
  await endsWithin(stream, Date.now());
  expect((await ask(port, '/api/my_rights', { method: 'POST', from, headers: { cookie } })).status).toBe(401);

  // A new password, set on the server.
  ({ cookie, stream } = await openFor());
  bob.password = 'a brand new password';
  execFileSync(bin, ['users', 'set-password', bob.name, '--password-stdin', '--data-dir', dataDirs.emulator], { input: `${bob.password}\n` });
  await endsWithin(stream, Date.now());
  expect((await ask(port, '/api/my_rights', { method: 'POST', from, headers: { cookie } })).status).toBe(401);

  // The account removed.
  ({ cookie, stream } = await openFor());
  execFileSync(bin, ['users', 'remove', bob.name, '--data-dir', dataDirs.emulator]);
  await endsWithin(stream, Date.now());
  expect((await ask(port, '/api/my_rights', { method: 'POST', from, headers: { cookie } })).status).toBe(401);
});
