import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Processes } from './processes';
import { startNginx } from './nginx_server';
import { test, expect, hydrated, markPage, untilText } from './fixtures';
import { emulatorEndpoint } from '../playwright.config';
import { start } from './aws';
import { ask, follow, signIn } from './http_client';
import { DB_1, JUMP_1, WEB_1, seedProcedure } from './procedures';

// The portal as teams deploy it: behind a real nginx (Debian's) that terminates TLS with a
// self-signed certificate, configured with nginx's defaults plus only the lines the README gives
// (X-Forwarded-For, X-Request-Id). nginx listens on 127.0.0.1 and is the one trusted proxy; test
// clients reach it from other loopback addresses (127.0.0.2), the portal directly from 127.0.0.3.
test.use({ storageState: { cookies: [], origins: [] }, ignoreHTTPSErrors: true });

const bin = process.env.PORTAL_BIN ?? '../target/release/runbook-portal';
/** Ports +70..+79 of PORTAL_PORT are this file's. */
const base = Number(process.env.PORTAL_PORT ?? 3100) + 70;
const admin = { name: 'admin', password: 'the administrator password' };
const TOKEN = 'a-metrics-token-of-the-tls-proxy-test-0123456789';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Processes this file started, stopped after each test. */
const processes = new Processes();
const stopAll = () => processes.stopAll();
// The page first: a reload in flight must not meet a proxy that is gone.
test.afterEach(async ({ page }) => {
  await page.close();
  await stopAll();
});

/** A portal of its own with the account `admin` on `port`; its log (stderr) goes to `log`. */
async function portal(port: number, options: string[]) {
  const data = mkdtempSync(join(tmpdir(), 'runbook-portal-tls-'));
  execFileSync(bin, ['users', 'add', admin.name, '--group', 'admins', '--password-stdin', '--data-dir', data], { input: `${admin.password}\n` });
  const log = join(data, 'portal.log');
  const child = spawn(bin, ['serve', '--listen', `127.0.0.1:${port}`, '--data-dir', data, '--emulator-url', emulatorEndpoint, ...options], {
    stdio: ['ignore', 'ignore', openSync(log, 'w')],
    env: { ...process.env, RUST_LOG: 'info' },
  });
  processes.add(child);
  await expect.poll(() => ask(port, '/readyz').then((a) => a.status, () => 0), { timeout: 20_000 }).toBe(200);
  return { child, log, exited: new Promise<number>((resolve) => child.on('exit', () => resolve(Date.now()))) };
}

/** nginx terminating TLS on `port` in front of the portal on `upstream`, as the README configures it. */
async function nginx(port: number, upstream: number) {
  const dir = mkdtempSync(join(tmpdir(), 'runbook-portal-tls-nginx-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', `${dir}/key.pem`, '-out', `${dir}/cert.pem`], { stdio: 'ignore' });
  startNginx(
    processes,
    dir,
    `  log_format withid '$remote_addr $request_id "$request" $status';
  access_log ${dir}/access.log withid;
  server {
    listen 127.0.0.1:${port} ssl;
    ssl_certificate ${dir}/cert.pem;
    ssl_certificate_key ${dir}/key.pem;
    location / {
      proxy_pass http://127.0.0.1:${upstream};
      # What the README tells operators to add; nothing else.
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Request-Id $request_id;
    }
  }`,
  );
  await expect.poll(() => ask(port, '/livez', { tls: true, from: '127.0.0.2' }).then((a) => a.status, () => 0), { timeout: 20_000 }).toBe(200);
  return { accessLog: `${dir}/access.log` };
}

/** The portal behind nginx, on ports `offset` and `offset + 1` of this file's. */
async function behindNginx(offset: number) {
  const portalPort = base + offset;
  const nginxPort = portalPort + 1;
  const url = `https://127.0.0.1:${nginxPort}`;
  const running = await portal(portalPort, [
    '--public-url', url,
    '--trusted-proxy', '127.0.0.1',
    '--metrics-allow', '127.0.0.1/32',
    '--metrics-token', TOKEN,
  ]);
  const proxy = await nginx(nginxPort, portalPort);
  return { ...running, ...proxy, url, portalPort, nginxPort };
}

test('the AWS guide\'s procedure passes through nginx terminating TLS, signed in by the form, live status included', async ({ page }) => {
  test.setTimeout(120_000);
  // Each project its own ports: they may run side by side.
  const { url, accessLog } = await behindNginx(hydrated(page) ? 0 : 2);
  // Each project restarts an instance no other test touches (db-1, jump-1). A restart waits until
  // its instance is stopped, then running, as on AWS: another test's restart of the same instance
  // in between holds it up for good, and the seed's web-1 is restarted by many tests at once.
  const instance = hydrated(page) ? DB_1 : JUMP_1;
  await page.goto(`${url}/login`);
  await page.getByLabel('User name').fill(admin.name);
  await page.getByLabel('Password').fill(admin.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(`${url}/automation`);
  const session = (await page.context().cookies()).find((c) => c.name === 'runbook_portal_session');
  expect(session?.secure, 'an https public URL makes the session cookie Secure').toBe(true);

  const id = await seedProcedure(page, url, instance);
  // Hydrated, the page changes by the stream alone (untilText checks it was not reloaded).
  if (hydrated(page)) await markPage(page);
  await untilText(page, page.locator('[data-field="status"]'), 'Success', 60_000);
  await expect(page.locator('[data-step="startInstances"]')).toHaveAttribute('data-status', 'Success');
  if (hydrated(page)) {
    // The stream went through nginx, and ended with the execution (nginx logs it then).
    await expect.poll(() => readFileSync(accessLog, 'utf8')).toMatch(new RegExp(`"GET /api/executions/${id}/events HTTP/1.1" 200`));
  }
});

test('through nginx: probes, request ids taken from it and made for others, the access log, guarded metrics', async ({ page }) => {
  test.skip(!hydrated(page), 'about the server: once is enough');
  test.setTimeout(90_000);
  const { log, accessLog, portalPort, nginxPort } = await behindNginx(4);
  const client = { tls: true, from: '127.0.0.2' };
  for (const path of ['/livez', '/readyz', '/healthz']) {
    expect((await ask(nginxPort, path, client)).status, path).toBe(200);
  }

  // nginx's own id ($request_id: 32 hex digits) replaces the client's, and comes back.
  const secret = 'never-in-the-log-4711';
  const proxied = await ask(nginxPort, `/automation/execute?tab=all&note=${secret}`, { ...client, headers: { 'x-request-id': 'chosen-by-the-client' } });
  expect(proxied.status).toBe(303);
  const id = String(proxied.headers['x-request-id']);
  expect(id).toMatch(/^[0-9a-f]{32}$/);
  await expect.poll(() => readFileSync(accessLog, 'utf8')).toContain(id);
  // From a client that is not a trusted proxy, the header is replaced by an id of the portal's.
  const direct = await ask(portalPort, '/livez', { from: '127.0.0.3', headers: { 'x-request-id': 'forged-by-a-client' } });
  expect(String(direct.headers['x-request-id'])).toMatch(UUID);
  const made = await ask(portalPort, '/livez', { from: '127.0.0.3' });
  expect(String(made.headers['x-request-id'])).toMatch(UUID);
  expect(made.headers['x-request-id']).not.toBe(direct.headers['x-request-id']);

  // One access log line at info: the id, method, path without its query, status, client.
  await expect.poll(() => readFileSync(log, 'utf8')).toContain(id);
  const lines = readFileSync(log, 'utf8').split('\n');
  const line = lines.find((l) => l.includes(id) && l.includes('answered')) ?? '';
  expect(line).toContain('INFO');
  expect(line).toContain('method=GET');
  expect(line).toContain('path=/automation/execute');
  expect(line).toContain('status=303');
  expect(line).toContain('client=127.0.0.2');
  expect(line).toMatch(/latency_ms=[0-9.]+/);
  expect(readFileSync(log, 'utf8')).not.toContain(secret);
  expect(lines.some((l) => l.includes(String(direct.headers['x-request-id'])) && l.includes('client=127.0.0.3'))).toBe(true);
  expect(readFileSync(log, 'utf8')).not.toContain('forged-by-a-client');

  // Metrics: through nginx the client is 127.0.0.2, not nginx's 127.0.0.1 (which is allowed).
  const refused = await ask(nginxPort, '/metrics', client);
  expect(refused.status).toBe(401);
  expect(refused.body).toContain('--metrics-token');
  expect(refused.body).toContain('127.0.0.2');
  const wrong = await ask(nginxPort, '/metrics', { ...client, headers: { authorization: `Bearer ${TOKEN}x` } });
  expect(wrong.status).toBe(401);
  // A browser's form post names the public URL as its origin: let in, though nginx's Host names
  // the upstream; another site's is refused.
  const form = new URLSearchParams({ ...admin, next: '/automation' }).toString();
  const signedIn = await ask(nginxPort, '/session', { ...client, method: 'POST', body: form, headers: { origin: `https://127.0.0.1:${nginxPort}` } });
  expect(signedIn.location).toBe('/automation');
  const crossSite = await ask(nginxPort, '/session', { ...client, method: 'POST', body: form, headers: { origin: `http://127.0.0.1:${nginxPort}` } });
  expect(crossSite.status).toBe(403);
  expect(crossSite.body).toContain(`not from this portal (https://127.0.0.1:${nginxPort})`);
  const scraped = await ask(nginxPort, '/metrics', { ...client, headers: { authorization: `Bearer ${TOKEN}` } });
  expect(scraped.status).toBe(200);
  expect(scraped.headers['content-type']).toContain('text/plain');
  for (const series of [
    'portal_http_requests_total{method="GET",route="/livez",status="200"}',
    'portal_http_requests_total{method="GET",route="/automation/execute",status="303"}',
    'portal_http_request_duration_seconds_bucket{method="GET",route="/readyz",status="200",le="0.005"}',
    'portal_aws_calls_total{service="sts",operation="GetCallerIdentity",outcome="ok"}',
    'portal_sign_ins_total{outcome="succeeded"} 1',
    'portal_audit_writes_total{action="sign-in"} 1',
    'portal_approvals_pending 0',
    'portal_live_status_watchers 0',
  ]) {
    expect(scraped.body, series).toContain(series);
  }
  // Directly from an allowed address, no token is needed; from another one it is.
  expect((await ask(portalPort, '/metrics')).status).toBe(200);
  expect((await ask(portalPort, '/metrics', { from: '127.0.0.3' })).status).toBe(401);
});

/** The head of a live-status answer (the stream itself is left at once). */
function streamHead(port: number, path: string, cookie: string): Promise<http.IncomingHttpHeaders> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: '127.0.0.1', port, path, agent: false, headers: { cookie, accept: 'text/event-stream', 'accept-encoding': 'gzip, br' } }, (response) => {
      resolve({ ...response.headers, status: String(response.statusCode) });
      request.destroy();
    });
    request.on('error', reject);
  });
}

test('streams pass proxies as they come, and on SIGTERM are told to reconnect, closed, and the portal exits at once', async ({ page }) => {
  test.skip(!hydrated(page), 'about the server: once is enough');
  test.setTimeout(90_000);
  const port = base + 6;
  const running = await portal(port, ['--shutdown-grace', '8']);
  const cookie = (await signIn(port, { ...admin, next: '/automation' })).cookie;
  expect(cookie).toContain('runbook_portal_session=');
  // Interactive: it waits for a step to be started, so its streams stay open.
  const id = start(`aws ssm start-automation-execution --document-name AWS-RestartEC2Instance --mode Interactive --parameters InstanceId=${WEB_1}`);
  const path = `/api/executions/${id}/events`;

  const head = await streamHead(port, path, cookie);
  expect(head.status).toBe('200');
  expect(head['content-type']).toContain('text/event-stream');
  expect(head['x-accel-buffering']).toBe('no');
  expect(head['cache-control']).toBe('no-cache');
  expect(head['content-encoding'], 'a stream is never compressed').toBeUndefined();
  // The compression the stream is spared is on for everything else.
  const login = await ask(port, '/login', { headers: { 'accept-encoding': 'gzip' } });
  expect(login.headers['content-encoding']).toBe('gzip');

  const streams = Array.from({ length: 20 }, () => follow(port, path, cookie));
  for (const stream of streams) expect(await stream.opened).toBe(200);
  await expect.poll(() => streams.every((s) => s.received().includes('event: execution'))).toBe(true);
  const stoppedAt = Date.now();
  running.child.kill('SIGTERM');
  const ended = await Promise.all(streams.map((s) => s.ended));
  const exited = await running.exited;
  expect(Math.max(...ended) - stoppedAt, 'every stream ended at once, not after the grace period').toBeLessThan(3_000);
  expect(exited - stoppedAt, 'the portal exited without waiting for its streams').toBeLessThan(5_000);
  expect(running.child.exitCode).toBe(0);
  for (const stream of streams) expect(stream.received()).toMatch(/retry: ?1000\n/);
  expect(readFileSync(running.log, 'utf8')).toContain('stopped');
});
