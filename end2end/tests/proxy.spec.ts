import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, expect, hydrated } from './fixtures';
import { emulatorEndpoint } from '../playwright.config';

// A portal of its own that trusts one reverse proxy (127.0.0.2) and takes who is signed in from its
// headers (--proxy-sign-in true), and that proxy: it signs the browser in as whoever the company's
// sign-in says, by the X-Forwarded-User and -Groups headers. (nginx.spec.ts: the same behind nginx.)
test.use({ storageState: { cookies: [], origins: [] } });

const bin = process.env.PORTAL_BIN ?? '../target/release/runbook-portal';
const PROXY_ADDRESS = '127.0.0.2';

/** An HTTP request from `localAddress`, as a peer at that address would send it. */
function ask(port: number, path: string, headers: Record<string, string>, localAddress = '127.0.0.1'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request({ host: '127.0.0.1', port, path, method: 'POST', localAddress, headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } }, (response) => {
      let body = '';
      response.on('data', (chunk) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on('error', reject);
    request.end('');
  });
}

test('a trusted proxy signs users in by header; the same headers from anywhere else are ignored', async ({ page }) => {
  test.skip(!hydrated(page), 'about the server: once is enough');
  test.setTimeout(60_000);
  const data = mkdtempSync(join(tmpdir(), 'runbook-portal-proxy-'));
  const port = Number(process.env.PORTAL_PORT ?? 3100) + 5;
  // The portal needs an account to start (its first admin); nobody here signs in with it.
  execFileSync(bin, ['users', 'add', 'local-admin', '--group', 'admins', '--password-stdin', '--data-dir', data], { input: 'a local password\n' });
  const portal = spawn(bin, ['serve', '--listen', `127.0.0.1:${port}`, '--data-dir', data, '--emulator-url', emulatorEndpoint, '--trusted-proxy', PROXY_ADDRESS, '--proxy-sign-in', 'true'], { stdio: 'ignore' });
  const exited = new Promise((resolve) => portal.on('exit', resolve));
  // The proxy: whatever the browser sends, it names the user itself.
  const proxy = http.createServer((request, response) => {
    const headers = { ...request.headers, 'x-forwarded-user': 'proxied-web', 'x-forwarded-groups': 'web, staff' };
    const upstream = http.request({ host: '127.0.0.1', port, localAddress: PROXY_ADDRESS, method: request.method, path: request.url, headers }, (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    });
    upstream.on('error', () => response.destroy());
    request.pipe(upstream);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const proxied = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  try {
    await expect.poll(() => fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.status, () => 0), { timeout: 20_000 }).toBe(200);

    // Through the proxy: no sign-in page; the web team's grant applies (groups from the header).
    await page.goto(`${proxied}/automation/execute?tab=all`);
    await expect(page).toHaveURL(`${proxied}/automation/execute?tab=all`);
    await expect(page.getByRole('banner').locator('.user')).toHaveText('proxied-web');
    await expect(page.locator('.catalog-list .count')).toHaveText('1 runbooks');
    await expect(page.locator('.catalog-list tbody')).toContainText('Portal-RestartWithHealthCheck');

    // The same headers straight from another address: not signed in.
    const claims = { 'x-forwarded-user': 'mallory', 'x-forwarded-groups': 'admins' };
    const direct = await ask(port, '/api/my_rights', claims);
    expect(direct.status).toBe(401);
    expect(direct.body).toContain('Sign in first');
    const pageDirect = await fetch(`http://127.0.0.1:${port}/automation`, { headers: claims, redirect: 'manual' });
    expect(pageDirect.status).toBe(303);
    expect(pageDirect.headers.get('location')).toMatch(/^\/login/);
    // From the proxy's address the claim is believed: that is why only that address is trusted.
    const fromProxy = await ask(port, '/api/my_rights', claims, PROXY_ADDRESS);
    expect(fromProxy.status).toBe(200);
    expect(JSON.parse(fromProxy.body)).toMatchObject({ admin: true });
  } finally {
    proxy.close();
    portal.kill('SIGTERM');
    await exited;
  }
});
