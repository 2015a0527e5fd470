import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Processes } from './processes';
import { startNginx } from './nginx_server';
import { test, expect, hydrated } from './fixtures';
import { emulatorEndpoint } from '../playwright.config';
import { ask, formError, signIn } from './http_client';

// The portal behind a real nginx (Debian's), run by the test as its own process. nginx listens on
// 127.0.0.1 and reaches the portal from 127.0.0.1, the one trusted proxy; test clients connect to
// nginx from other loopback addresses (127.0.0.2, 127.0.0.3), which nginx appends to
// X-Forwarded-For as any reverse proxy does.
test.use({ storageState: { cookies: [], origins: [] } });

const bin = process.env.PORTAL_BIN ?? '../target/release/runbook-portal';
const base = Number(process.env.PORTAL_PORT ?? 3100) + 10;
const NGINX = '127.0.0.1';
const admin = { name: 'admin', password: 'the administrator password' };
const forged = { 'x-forwarded-user': 'admin', 'x-forwarded-groups': 'admins' };

/** Processes this file started, stopped after each test. */
const processes = new Processes();
const stopAll = () => processes.stopAll();
test.afterEach(stopAll);

async function listening(url: string) {
  await expect.poll(() => fetch(url).then((r) => r.status, () => 0), { timeout: 20_000 }).toBeGreaterThan(0);
}

/** A portal of its own with the account `admin`, on `port`, with these extra options. */
async function portal(port: number, options: string[]) {
  const data = mkdtempSync(join(tmpdir(), 'runbook-portal-nginx-'));
  execFileSync(bin, ['users', 'add', admin.name, '--group', 'admins', '--password-stdin', '--data-dir', data], { input: `${admin.password}\n` });
  const child = spawn(bin, ['serve', '--listen', `127.0.0.1:${port}`, '--data-dir', data, '--emulator-url', emulatorEndpoint, ...options], { stdio: 'ignore' });
  processes.add(child);
  await listening(`http://127.0.0.1:${port}/healthz`);
}

/** nginx on `port` in front of the portal on `upstream`; `extra` goes into its `location /`. */
async function nginx(port: number, upstream: number, extra = '') {
  const dir = mkdtempSync(join(tmpdir(), 'runbook-portal-nginx-conf-'));
  startNginx(
    processes,
    dir,
    `  access_log ${dir}/access.log;
  server {
    listen ${NGINX}:${port};
    location / {
      proxy_pass http://127.0.0.1:${upstream};
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_buffering off;
      ${extra}
    }
  }`,
  );
  await listening(`http://${NGINX}:${port}/healthz`);
}

test('trusting nginx for addresses does not let a client name itself by header', async ({ page }) => {
  test.skip(!hydrated(page), 'about the server: once is enough');
  test.setTimeout(90_000);
  await portal(base, ['--trusted-proxy', NGINX]);
  // nginx as it comes: it passes the client's own X-Forwarded-User through.
  await nginx(base + 1, base);
  const rights = await ask(base + 1, '/api/my_rights', { method: 'POST', from: '127.0.0.2', headers: forged });
  expect(rights.status).toBe(401);
  expect(rights.body).toContain('Sign in first');
  const catalog = await ask(base + 1, '/automation/execute?tab=all', { from: '127.0.0.2', headers: forged });
  expect(catalog.status).toBe(303);
  expect(catalog.location).toMatch(/^\/login/);
});

test('with header sign-in on, nginx sets the user itself and a client copy is overwritten', async ({ page }) => {
  test.skip(!hydrated(page), 'about the server: once is enough');
  test.setTimeout(90_000);
  await portal(base + 2, ['--trusted-proxy', NGINX, '--proxy-sign-in', 'true']);
  // As after an auth_request: nginx names the user, replacing whatever the client sent.
  await nginx(base + 3, base + 2, 'proxy_set_header X-Forwarded-User "proxied-web"; proxy_set_header X-Forwarded-Groups "web";');
  const rights = await ask(base + 3, '/api/my_rights', { method: 'POST', from: '127.0.0.2', headers: forged });
  expect(rights.status).toBe(200);
  expect(JSON.parse(rights.body)).toMatchObject({ admin: false });
  const catalog = await ask(base + 3, '/automation/execute?tab=all', { from: '127.0.0.2', headers: forged });
  expect(catalog.status).toBe(200);
  expect(catalog.body).toContain('proxied-web');
  expect(catalog.body).toContain('1 runbooks');

  // Header sign-in without a proxy to trust refuses to start, saying why.
  let refusal = '';
  try {
    execFileSync(bin, ['serve', '--listen', `127.0.0.1:${base + 4}`, '--data-dir', mkdtempSync(join(tmpdir(), 'runbook-portal-nginx-')), '--proxy-sign-in', 'true'], { stdio: 'pipe', timeout: 20_000 });
  } catch (e: any) {
    refusal = String(e.stderr);
  }
  expect(refusal).toContain('--proxy-sign-in true needs --trusted-proxy');
});

test('behind nginx, one client guessing cannot lock admin out for another, and the audit trail names the client', async ({ page }) => {
  test.skip(!hydrated(page), 'about the server: once is enough');
  test.setTimeout(120_000);
  await portal(base + 5, ['--trusted-proxy', NGINX]);
  await nginx(base + 6, base + 5);
  const guesser = '127.0.0.2';
  const outcomes: string[] = [];
  for (let i = 0; i < 52; i++) {
    // The client's own X-Forwarded-For is kept by nginx on the left: believed by nobody.
    const answer = await signIn(base + 6, { name: `made-up-${i}`, password: 'guess', next: '/automation' }, guesser, { 'x-forwarded-for': `10.1.${i}.1` });
    outcomes.push(formError(answer));
  }
  expect(outcomes.slice(0, 50).every((o) => o === 'invalid'), outcomes.join(',')).toBe(true);
  expect(outcomes.slice(50)).toEqual(['locked', 'locked']);
  // The guessing client is locked out, even for admin ...
  expect(formError(await signIn(base + 6, { ...admin, next: '/automation' }, guesser))).toBe('locked');
  // ... and admin, from another client, signs in.
  const signedIn = await signIn(base + 6, { ...admin, next: '/automation' }, '127.0.0.3');
  expect(signedIn.location).toBe('/automation');

  const audit = await ask(base + 6, '/audit.csv?action=sign-in-failed', { from: '127.0.0.3', headers: { cookie: signedIn.cookie } });
  expect(audit.status).toBe(200);
  expect(audit.body).toContain(guesser);
  expect(audit.body).not.toContain(NGINX);
  expect(audit.body).not.toContain('10.1.');
  const signIns = await ask(base + 6, '/audit.csv?action=sign-in', { from: '127.0.0.3', headers: { cookie: signedIn.cookie } });
  expect(signIns.body).toContain('127.0.0.3');
});
