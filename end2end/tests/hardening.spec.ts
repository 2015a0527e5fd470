import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, expect, hydrated, open } from './fixtures';
import { createRunbook, start } from './aws';
import { addUser } from './people';
import { emulatorEndpoint, portals } from '../playwright.config';

// Issue 15, "Smaller" and "messages from the address": what an anonymous caller learns from the
// health check, who may read the portal's files, where the first password goes, who may talk to a
// standalone emulator, and which messages a page shows from its address.

const bin = process.env.PORTAL_BIN ?? '../target/release/runbook-portal';
const basePort = Number(process.env.PORTAL_PORT ?? 3100);
const ACCOUNT = '123456789012';

/** A raw HTTP request, with whatever Host header the caller names (fetch cannot set Host). */
function raw(url: string, options: { method?: string; headers?: Record<string, string>; body?: string }): Promise<{ status: number; body: string }> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: target.hostname, port: target.port, path: target.pathname + target.search, method: options.method ?? 'GET', headers: options.headers },
      (response) => {
        let body = '';
        response.on('data', (chunk) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      },
    );
    request.on('error', reject);
    request.end(options.body ?? '');
  });
}

/** Starts `runbook-portal serve` under umask 000 (the worst case) with its output piped. */
function servePiped(data: string, port: number): { child: ChildProcess; output: () => string; exited: Promise<unknown> } {
  let output = '';
  const child = spawn('sh', ['-c', `umask 000 && exec "$0" "$@"`, bin, 'serve', '--listen', `127.0.0.1:${port}`, '--data-dir', data, '--emulator-url', emulatorEndpoint], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const exited = new Promise((resolve) => child.on('exit', resolve));
  return { child, output: () => output, exited };
}

const ready = (port: number) =>
  expect.poll(() => fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.status, () => 0), { timeout: 20_000 }).toBe(200);

const modeOf = (path: string) => (statSync(path).mode & 0o777).toString(8);

test('the health check tells anyone only up or down; the account and errors are for admins', async ({ page, request }) => {
  test.skip(!hydrated(page), 'about the server: once is enough');
  // Anonymous: no cookie at all.
  const up = await fetch(`${portals.emulator}/healthz`);
  expect(up.status).toBe(200);
  const upText = await up.text();
  expect(upText).toBe('ok\n');
  expect(upText).not.toContain(ACCOUNT);
  const down = await fetch(`${portals.unreachableAws}/healthz`);
  expect(down.status).toBe(503);
  const downText = await down.text();
  expect(downText).toBe('unavailable\n');
  // The SDK's error named the endpoint and the call: none of it reaches an anonymous caller.
  expect(downText).not.toMatch(/127\.0\.0\.1|GetCallerIdentity|dispatch|error/i);

  const anonymousDetails = await fetch(`${portals.emulator}/healthz/details`, { redirect: 'manual' });
  expect(anonymousDetails.status).toBe(303);
  expect(await anonymousDetails.text()).not.toContain(ACCOUNT);
  // The signed-in tester is an admin.
  const details = await request.get('/healthz/details');
  expect(details.status()).toBe(200);
  expect(await details.json()).toEqual({ status: 'ok', backend: 'emulator', account: ACCOUNT });
});

test('a fresh data directory, its database and secrets are owner-only; the first password stays out of the log', async ({ page }) => {
  test.skip(!hydrated(page), 'about the server: once is enough');
  test.setTimeout(60_000);
  const data = join(mkdtempSync(join(tmpdir(), 'runbook-portal-hardening-')), 'fresh', 'data');
  const port = basePort + 60;
  const portal = servePiped(data, port);
  try {
    await ready(port);
    expect(modeOf(data)).toBe('700');
    expect(modeOf(join(data, '..'))).toBe('700');
    for (const file of ['portal.db', 'portal.db-wal', 'portal.db-shm', 'initial-admin-password', 'grants.toml']) {
      expect(existsSync(join(data, file)), file).toBe(true);
      expect(modeOf(join(data, file)), file).toBe('600');
    }
    const password = readFileSync(join(data, 'initial-admin-password'), 'utf8').trim();
    expect(password).toMatch(/^[A-Za-z0-9]{24}$/);
    // Standard output is a pipe here (a container's or a service's log): only where the file is.
    await expect.poll(portal.output, { timeout: 10_000 }).toContain('initial-admin-password');
    expect(portal.output()).not.toContain(password);
    // The password works.
    const signIn = await fetch(`http://127.0.0.1:${port}/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ name: 'admin', password, next: '/automation' }).toString(),
      redirect: 'manual',
    });
    expect(signIn.headers.get('location')).toBe('/automation');
  } finally {
    portal.child.kill('SIGTERM');
    await portal.exited;
  }
});

test('on a terminal the first start still shows the password', async ({ page }) => {
  test.skip(!hydrated(page), 'about the server: once is enough');
  test.setTimeout(60_000);
  const data = join(mkdtempSync(join(tmpdir(), 'runbook-portal-hardening-')), 'data');
  const port = basePort + 61;
  // `script` runs the portal on a pseudo-terminal, as `make run` in a terminal does.
  const command = `exec ${bin} serve --listen 127.0.0.1:${port} --data-dir ${data} --emulator-url ${emulatorEndpoint}`;
  let output = '';
  const child = spawn('script', ['-qfec', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdout.on('data', (chunk) => (output += chunk));
  const exited = new Promise((resolve) => child.on('exit', resolve));
  try {
    await ready(port);
    const password = readFileSync(join(data, 'initial-admin-password'), 'utf8').trim();
    await expect.poll(() => output, { timeout: 10_000 }).toContain(`with password ${password}`);
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
});

test('the standalone emulator refuses requests addressed to another host (DNS rebinding)', async ({ page }) => {
  test.skip(!hydrated(page), 'about the server: once is enough');
  const { host } = new URL(emulatorEndpoint);
  const identity = { method: 'POST', body: 'Action=GetCallerIdentity&Version=2011-06-15' };
  const form = { 'content-type': 'application/x-www-form-urlencoded' };

  // A page of evil.example whose name now resolves to 127.0.0.1: its requests name evil.example.
  const rebound = await raw(emulatorEndpoint, { ...identity, headers: { ...form, host: `evil.example:${new URL(emulatorEndpoint).port}` } });
  expect(rebound.status).toBe(403);
  expect(rebound.body).toContain('<Code>AccessDenied</Code>');
  expect(rebound.body).toContain('localhost');
  expect(rebound.body).not.toContain(ACCOUNT);
  const json = await raw(emulatorEndpoint, {
    method: 'POST',
    body: '{}',
    headers: { host: 'evil.example', 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AmazonSSM.ListDocuments' },
  });
  expect(json.status).toBe(403);
  expect(JSON.parse(json.body)).toMatchObject({ __type: 'AccessDeniedException' });
  expect(JSON.parse(json.body).message).toContain('--allowed-host');

  // Addressed as the AWS CLI and SDKs address it: answered.
  for (const name of [host, `localhost:${new URL(emulatorEndpoint).port}`]) {
    const answered = await raw(emulatorEndpoint, { ...identity, headers: { ...form, host: name } });
    expect(answered.status, name).toBe(200);
    expect(answered.body).toContain(`<Account>${ACCOUNT}</Account>`);
  }
});

const PAUSED = {
  schemaVersion: '0.3',
  mainSteps: [{ name: 'hold', action: 'aws:pause', inputs: {} }],
};
const APPROVAL = {
  schemaVersion: '0.3',
  parameters: { Approvers: { type: 'StringList' } },
  mainSteps: [{ name: 'approve', action: 'aws:approve', inputs: { Approvers: '{{ Approvers }}', MinRequiredApprovals: 1 } }],
};
const PHISH = 'Your session expired, call +1 555 0100';
/** A made-up error in the form `server_fn` sends back after a post without JavaScript. */
const forgedError = (path: string) =>
  `__path=${encodeURIComponent(path)}&__err=${Buffer.from(JSON.stringify({ Forbidden: PHISH })).toString('base64url')}%3D%3D`;

test('a crafted link cannot make a page say what the portal did not', async ({ page }, info) => {
  const id = start(`aws ssm start-automation-execution --document-name ${createRunbook(info, 'Phish', PAUSED)}`);
  const say = encodeURIComponent(PHISH);
  for (const path of [
    `/automation/executions/${id}?refused=${say}`,
    `/automation/executions/${id}?refused=${say}&seal=9999999999.AAAA`,
    `/automation/executions/${id}?${forgedError('/api/control_execution')}`,
    `/automation/execute/AWS-RestartEC2Instance?${forgedError('/api/start_automation')}`,
    `/automation/approvals/no-such-request?refused=${say}`,
  ]) {
    await open(page, path);
    await expect(page.locator('[data-notice="unverified"]'), path).toBeVisible();
    await expect(page.locator('body'), path).not.toContainText('555 0100');
  }
  // The sign-in page, as anyone sees it.
  const context = await page.context().browser()!.newContext({ storageState: { cookies: [], origins: [] }, javaScriptEnabled: hydrated(page) });
  const anonymous = await context.newPage();
  await anonymous.goto(`${portals.emulator}/login?error=sso&reason=${say}`);
  await expect(anonymous.getByRole('alert')).toHaveText('Single sign-on did not complete. Try again, or sign in with a portal account.');
  await anonymous.goto(`${portals.emulator}/login?error=locked&wait=${say}`);
  await expect(anonymous.getByRole('alert')).toContainText('try again in 15 minutes');
  await expect(anonymous.locator('body')).not.toContainText('555 0100');
  await context.close();
});

test('the portal’s own refusal still shows, sealed for the user it was made for', async ({ page }, info) => {
  // With JavaScript the execution's island sends the control itself and shows the refusal
  // (executions.spec.ts): what comes back in the address is a page post's.
  test.skip(hydrated(page), 'a page post: without JavaScript');
  const name = createRunbook(info, 'SealedRefusal', APPROVAL);
  const id = start(`aws ssm start-automation-execution --document-name ${name} --parameters Approvers=arn:aws:iam::123456789012:user/SomeoneElse`);
  await open(page, `/automation/executions/${id}`);
  await page.getByRole('region', { name: 'Controls' }).getByRole('button', { name: 'Approve' }).click();
  await expect(page).toHaveURL(/[?&]refused=.*&seal=/);
  await expect(page.getByRole('alert').first()).toContainText('is not an approver of this automation step');
  await expect(page.locator('[data-notice="unverified"]')).toHaveCount(0);

  // The same address opened by another signed-in person shows nothing of it: a seal is made for
  // one user (so a refusal the attacker provokes for himself cannot be sent on to others).
  const other = `sealed-other-${info.project.name}`;
  try {
    addUser(other, 'another password 123', ['web']);
  } catch {
    // Made by an earlier run of this project.
  }
  // Signed in from outside the browser, so the tester's own session is left alone.
  const signedIn = await fetch(`${portals.emulator}/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ name: other, password: 'another password 123', next: '/automation' }).toString(),
    redirect: 'manual',
  });
  expect(signedIn.headers.get('location')).toBe('/automation');
  const cookie = signedIn.headers.getSetCookie()[0].split(';')[0];
  const theirs = await (await fetch(page.url(), { headers: { cookie } })).text();
  expect(theirs).toContain('data-notice="unverified"');
  expect(theirs).not.toContain('is not an approver');
});
