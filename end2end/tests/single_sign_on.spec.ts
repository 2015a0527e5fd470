import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { test, expect, hydrated } from './fixtures';
import { parseCsv } from './csv';
import { emulatorEndpoint } from '../playwright.config';

// A portal of its own that signs people in with a real OpenID Connect provider (the
// `oidc-provider` package, started here), mapping the provider's groups onto the portal's.
test.use({ storageState: { cookies: [], origins: [] } });

const bin = process.env.PORTAL_BIN ?? '../target/release/runbook-portal';
const PORTAL_PORT = 3100 + 6;
const PROVIDER_PORT = 3100 + 7;
const portal = `http://127.0.0.1:${PORTAL_PORT}`;

function started(child: ChildProcess) {
  return new Promise((resolve) => child.on('exit', resolve));
}

/** Signs in at the provider's development login form, then consents. */
async function signInAtProvider(page: Page, login: string) {
  await expect(page).toHaveURL(new RegExp(`^http://127.0.0.1:${PROVIDER_PORT}/`));
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill('any password');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
}

test('single sign-on with a real OpenID provider: groups mapped onto grants', async ({ page }) => {
  test.skip(!hydrated(page), 'about the server: once is enough');
  test.setTimeout(90_000);
  // The provider's pages load a web font from the internet, which this machine cannot reach.
  await page.route('https://fonts.googleapis.com/**', (route) => route.fulfill({ status: 200, contentType: 'text/css', body: '' }));
  const provider = spawn('node', ['oidc/provider.mjs', String(PROVIDER_PORT), `${portal}/login/oidc/callback`], { stdio: 'ignore' });
  const data = mkdtempSync(join(tmpdir(), 'runbook-portal-sso-'));
  execFileSync(bin, ['users', 'add', 'local-admin', '--group', 'admins', '--password-stdin', '--data-dir', data], { input: 'a local password\n' });
  const config = join(data, 'portal.toml');
  writeFileSync(
    config,
    [
      '[oidc]',
      `issuer = "http://127.0.0.1:${PROVIDER_PORT}"`,
      'client_id = "runbook-portal"',
      `redirect_url = "${portal}/login/oidc/callback"`,
      'label = "Example SSO"',
      'scopes = ["profile", "groups"]',
      '[oidc.groups]',
      '"web-engineers" = "web"',
      '"platform-leads" = "leads"',
      '',
    ].join('\n'),
  );
  const server = spawn(bin, ['serve', '--listen', `127.0.0.1:${PORTAL_PORT}`, '--data-dir', data, '--emulator-url', emulatorEndpoint, '--config', config], {
    env: { ...process.env, RUNBOOK_PORTAL_OIDC_CLIENT_SECRET: 'a-client-secret-for-the-tests' },
    stdio: 'ignore',
  });
  try {
    await expect.poll(() => fetch(`${portal}/healthz`).then((r) => r.status, () => 0), { timeout: 20_000 }).toBe(200);
    await expect.poll(() => fetch(`http://127.0.0.1:${PROVIDER_PORT}/.well-known/openid-configuration`).then((r) => r.status, () => 0), { timeout: 20_000 }).toBe(200);

    // A web engineer: the sign-in page offers the provider; back in the portal, the web grant.
    await page.goto(`${portal}/automation/execute?tab=all`);
    await expect(page).toHaveURL(/\/login\?next=/);
    await page.getByRole('link', { name: 'Sign in with Example SSO' }).click();
    await signInAtProvider(page, 'olivia-web');
    await expect(page).toHaveURL(`${portal}/automation/execute?tab=all`);
    await expect(page.getByRole('banner').locator('.user')).toHaveText('olivia-web');
    await expect(page.locator('.catalog-list .count')).toHaveText('1 runbooks');
    await expect(page.locator('.catalog-list tbody')).toContainText('Portal-RestartWithHealthCheck');
    const rights = await (await page.request.post(`${portal}/api/my_rights`, { form: {} })).json();
    expect(rights.grants.map((g: { name: string }) => g.name)).toEqual(['Web team restarts web servers']);

    // Signed out, a lead (group platform-leads → leads): no runbooks, but approvals to decide.
    await page.getByRole('button', { name: 'Sign out' }).click();
    // The provider still knows this browser: another person signs in from a fresh one.
    await page.context().clearCookies();
    await page.goto(`${portal}/login?next=%2Fautomation%2Fapprovals`);
    await page.getByRole('link', { name: 'Sign in with Example SSO' }).click();
    await signInAtProvider(page, 'oscar-lead');
    await expect(page).toHaveURL(`${portal}/automation/approvals`);
    const lead = await (await page.request.post(`${portal}/api/my_rights`, { form: {} })).json();
    expect(lead).toMatchObject({ admin: false, grants: [], approves: ['Production restarts, approved by a lead'] });

    // A forged return (a state this browser never got) is refused and changes nothing.
    await page.goto(`${portal}/login/oidc/callback?code=forged&state=forged`);
    await expect(page).toHaveURL(/\/login\?error=sso/);
    await expect(page.getByRole('alert')).toContainText('Single sign-on did not complete');

    // Both sign-ins are in the audit trail.
    const admin = await page.request.post(`${portal}/session`, { form: { name: 'local-admin', password: 'a local password', next: '/automation' } });
    expect(admin.ok()).toBe(true);
    const records = parseCsv(await (await page.request.get(`${portal}/audit.csv?action=sign-in`)).text());
    expect(records.filter((r) => r.detail === 'single sign-on').map((r) => r.user)).toEqual(expect.arrayContaining(['olivia-web', 'oscar-lead']));
  } finally {
    server.kill('SIGTERM');
    provider.kill('SIGTERM');
    await Promise.all([started(server), started(provider)]);
  }
});
