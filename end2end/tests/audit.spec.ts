import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, expect, open, hydrated } from './fixtures';
import { addUser, clientAs, signIn } from './people';
import { bash, createRunbook } from './aws';
import { parseCsv } from './csv';
import { emulatorEndpoint, tester } from '../playwright.config';

// Sessions of their own: one of these tests signs out.
test.use({ storageState: { cookies: [], origins: [] } });

const bin = process.env.PORTAL_BIN ?? '../target/release/runbook-portal';
const PASSWORD = 'an audited password';
const SECRET_VALUE = 'hunter2-do-not-log';

test('starts, controls, sign-ins and refusals are recorded, secrets masked, and exported', async ({ page }, info) => {
  test.skip(!hydrated(page), 'the records: once is enough (the page is checked below in both)');
  const runbook = createRunbook(info, 'Audited-Secret', {
    schemaVersion: '0.3',
    description: 'Takes a password',
    parameters: {
      DbPassword: { type: 'String', description: 'A secret' },
      AutomationAssumeRole: { type: 'String', default: '' },
    },
    mainSteps: [{ name: 'wait', action: 'aws:sleep', inputs: { Duration: 'PT10H' } }],
  });
  addUser('audited-visitor', PASSWORD, ['visitors']);
  const admin = await clientAs(tester.name, tester.password);
  const started = await admin.post('/api/start_automation', { form: { document: runbook, 'p.DbPassword': SECRET_VALUE } });
  expect(started.status()).toBe(200);
  const id = (await started.json()) as string;
  const cancelled = await admin.post('/api/control_execution', { form: { id, control: 'Cancel' } });
  expect(cancelled.status()).toBe(200);
  // A failed sign-in, a sign-in, and a refused request.
  expect((await clientAs().then((c) => c.post('/session', { form: { name: 'audited-visitor', password: 'wrong password!', next: '/' }, maxRedirects: 0 }))).status()).toBe(303);
  const visitor = await clientAs('audited-visitor', PASSWORD);
  expect((await visitor.post('/api/get_execution', { form: { id } })).status()).toBe(403);

  const csv = await admin.get('/audit.csv');
  expect(csv.headers()['content-type']).toContain('text/csv');
  const text = await csv.text();
  expect(text).not.toContain(SECRET_VALUE);
  const records = parseCsv(text);
  const start = records.find((r) => r.action === 'start' && r.execution_id === id)!;
  expect(start).toMatchObject({ user: tester.name, groups: 'admins', runbook, outcome: 'succeeded', mode: 'simple' });
  expect(JSON.parse(start.parameters)).toEqual({ DbPassword: ['********'] });
  expect(start.client_address).toBe('127.0.0.1');
  // The execution carries the record's request id.
  const tags = bash(`aws ssm list-tags-for-resource --resource-type Automation --resource-id ${id}`).TagList;
  expect(tags).toContainEqual({ Key: 'portal:request', Value: start.request_id });
  expect(records.find((r) => r.action === 'cancel' && r.execution_id === id)).toMatchObject({ user: tester.name, outcome: 'succeeded' });
  expect(records.find((r) => r.action === 'sign-in-failed' && r.user === 'audited-visitor')).toMatchObject({ outcome: 'refused' });
  expect(records.find((r) => r.action === 'sign-in' && r.user === 'audited-visitor')).toMatchObject({ outcome: 'succeeded' });
  // Refusals are written without holding up the answer: give it a moment.
  await expect
    .poll(async () => parseCsv(await (await admin.get('/audit.csv?user=audited-visitor&action=refused')).text()).map((r) => r.detail))
    .toContainEqual(expect.stringContaining(`POST /api/get_execution: You may not see execution ${id}`));
  // The secret reached AWS, and only AWS.
  expect(bash(`aws ssm get-automation-execution --automation-execution-id ${id}`).AutomationExecution.Parameters.DbPassword).toEqual([SECRET_VALUE]);
});

test('the audit page lists and filters records for admins, and refuses others', async ({ page }, info) => {
  await page.goto('/login?next=%2Faudit%3Faction%3Dsign-in');
  await signIn(page, tester.name, tester.password);
  await expect(page).toHaveURL(/\/audit\?action=sign-in$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Audit trail');
  const actions = page.locator('tr[data-audit] [data-field="action"]');
  await expect(actions.first()).toHaveText('sign-in');
  expect(new Set(await actions.allTextContents())).toEqual(new Set(['sign-in']));
  await expect(page.getByRole('link', { name: 'Download CSV' })).toHaveAttribute('href', '/audit.csv?action=sign-in');
  await expect(page.getByRole('banner').getByRole('link', { name: 'Audit trail' })).toBeVisible();

  const name = `audit-outsider-${info.project.name}`;
  addUser(name, PASSWORD, ['web']);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.goto('/login?next=%2Fautomation');
  await signIn(page, name, PASSWORD);
  await expect(page.getByRole('banner').getByRole('link', { name: 'Audit trail' })).toHaveCount(0);
  const refused = await page.goto('/audit');
  expect(refused?.status()).toBe(403);
  await expect(page.getByRole('alert')).toContainText('You may not read the audit trail');

  // An auditor (the grants file's [auditors]: the group "auditors") reads it without being an admin.
  const auditor = `auditor-${info.project.name}`;
  addUser(auditor, PASSWORD, ['auditors']);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.goto('/login?next=%2Fautomation');
  await signIn(page, auditor, PASSWORD);
  await page.getByRole('banner').getByRole('link', { name: 'Audit trail' }).click();
  await expect(page).toHaveURL(/\/audit$/);
  await expect(page.locator('tr[data-audit]').first()).toBeVisible();
  const csv = await page.request.get('/audit.csv?action=sign-in');
  expect(csv.status()).toBe(200);
  expect(await csv.text()).toContain(auditor);
});

test('a crash between the audit record and AWS leaves a record that says so', async ({ page }) => {
  test.skip(!hydrated(page), 'about the server: once is enough');
  test.setTimeout(60_000);
  const data = mkdtempSync(join(tmpdir(), 'runbook-portal-crash-'));
  const port = Number(process.env.PORTAL_PORT ?? 3100) + 3;
  const base = `http://127.0.0.1:${port}`;
  execFileSync(bin, ['users', 'add', 'crasher', '--group', 'admins', '--password-stdin', '--data-dir', data], { input: `${PASSWORD}\n` });
  const serve = (env: Record<string, string>, options: string[] = []) => {
    const child = spawn(bin, ['serve', '--listen', `127.0.0.1:${port}`, '--data-dir', data, '--emulator-url', emulatorEndpoint, ...options], {
      env: { ...process.env, ...env },
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    return { child, exited };
  };
  const ready = () => expect.poll(() => fetch(`${base}/healthz`).then((r) => r.status, () => 0), { timeout: 20_000 }).toBe(200);
  const signInAt = async () => {
    const answer = await fetch(`${base}/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ name: 'crasher', password: PASSWORD, next: '/automation' }).toString(),
      redirect: 'manual',
    });
    return answer.headers.getSetCookie()[0].split(';')[0];
  };

  const crashing = serve({ RUNBOOK_PORTAL_TEST_CRASH_AFTER_AUDIT_INTENT: '1' });
  await ready();
  const cookie = await signInAt();
  const form = new URLSearchParams({ document: 'AWS-StartEC2Instance', 'p.InstanceId': 'i-0fedcba9876543210' }).toString();
  const lost = await fetch(`${base}/api/start_automation`, {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: form,
  }).then((r) => r.status, () => 'no answer');
  expect(lost).toBe('no answer');
  await crashing.exited;

  // The record is the dead process's until its heartbeat expires: a second, here.
  const again = serve({}, ['--replica-expiry', '1']);
  try {
    await ready();
    const cookie = await signInAt();
    const starts = () => fetch(`${base}/audit.csv?action=start`, { headers: { cookie } }).then((r) => r.text());
    await expect.poll(starts, { timeout: 10_000 }).toContain('"interrupted"');
    const [record] = parseCsv(await starts());
    expect(record).toMatchObject({ user: 'crasher', action: 'start', runbook: 'AWS-StartEC2Instance', outcome: 'interrupted', execution_id: '' });
    expect(record.detail).toContain('stopped after recording the request and before AWS answered');
    expect(record.request_id).toMatch(/^[0-9a-f-]{36}$/);
  } finally {
    again.child.kill('SIGTERM');
    await again.exited;
  }
});
