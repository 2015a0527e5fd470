import { test as plain, type Page } from '@playwright/test';
import { test, expect, open, hydrated } from './fixtures';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dataDirs, portals } from '../playwright.config';
import { createRunbook } from './aws';

test('the top bar shows the identity the server acts as, and the Emulator badge', async ({ page }) => {
  await open(page, '/automation');
  const bar = page.getByRole('banner');
  await expect(bar.getByRole('link', { name: 'Runbook Portal' })).toBeVisible();
  await expect(bar.getByText('Emulator', { exact: true })).toBeVisible();
  await expect(bar.getByTitle('Account')).toHaveText('123456789012');
  await expect(bar.getByTitle('The identity the server acts as')).toHaveText(
    'arn:aws:sts::123456789012:assumed-role/Administrator/Admin',
  );
  await expect(bar.getByTitle('Region')).toHaveText('us-east-1');
  await expect(page).toHaveTitle('Automation | Runbook Portal');
});

test('the service navigation and breadcrumbs lead to Automation', async ({ page }) => {
  await open(page, '/automation');
  const nav = page.getByRole('navigation', { name: 'Service navigation' });
  await expect(nav.getByRole('link', { name: 'Automation' })).toHaveAttribute('aria-current', 'page');
  const crumbs = page.getByRole('navigation', { name: 'Breadcrumbs' });
  await expect(crumbs.getByRole('link', { name: 'Runbook Portal' })).toHaveAttribute('href', '/automation');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Automation');
});

test('the root address opens Automation', async ({ page }) => {
  await open(page, '/');
  await expect(page).toHaveURL(/\/automation$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Automation');
});

test('an unknown address answers 404 with a page that says so', async ({ page }) => {
  const response = await page.goto('/no/such/page');
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Page not found');
  await expect(page.getByRole('alert')).toContainText('/no/such/page');
  await expect(page.getByRole('alert').getByRole('link', { name: 'Automation' })).toBeVisible();
});

test('the navigation toggle works once hydrated, and is not offered without JavaScript', async ({ page }) => {
  await open(page, '/automation');
  const nav = page.getByRole('navigation', { name: 'Service navigation' });
  const toggle = page.getByRole('button', { name: /navigation/ });
  await expect(nav).toBeVisible();
  if (!hydrated(page)) {
    await expect(toggle).toHaveCount(0);
    return;
  }
  await expect(toggle).toHaveAttribute('aria-expanded', 'true');
  await toggle.click();
  await expect(nav).toBeHidden();
  await expect(toggle).toHaveAttribute('aria-expanded', 'false');
  await expect(toggle).toHaveAccessibleName('Open navigation');
  await toggle.click();
  await expect(nav).toBeVisible();
});

test('a click while the page is becoming interactive is a page load, and the page it opens is whole', async ({ page }, info) => {
  test.skip(!hydrated(page), 'about hydration');
  const name = createRunbook(info, 'Clicked-early', {
    schemaVersion: '0.3',
    description: 'Clicked before the page was interactive',
    mainSteps: [{ name: 'wait', action: 'aws:sleep', inputs: { Duration: 'PT1S' } }],
  });
  // The guide shows which page the browser thinks it is on.
  await page.context().addCookies([{ name: 'portal_guide', value: 'open', url: portals.emulator }]);
  // The page's chunks are held back, so that hydration waits for them: the click lands in that
  // window whatever the machine's speed.
  let release = () => {};
  const released = new Promise<void>((resolve) => (release = resolve));
  let chunksAsked = false;
  await page.route(/\/pkg\/[0-9a-f]{16}\/.+\.wasm$/, async (route) => {
    if (!route.request().url().endsWith('/runbook-portal.wasm')) {
      chunksAsked = true;
      await released;
    }
    // A request the page load left behind is gone by then.
    await route.continue().catch(() => undefined);
  });
  await page.goto(`/automation/execute?tab=all&q=${name}`);
  await expect.poll(() => chunksAsked).toBe(true);
  await expect(page.locator('body')).not.toHaveAttribute('data-hydrated', 'true');
  await page.getByRole('link', { name, exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`runbook=${name}`));
  release();
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await expect(page.locator('[data-field="guide-at"]')).toHaveText('This page is step 3 of 7.');
  await expect(page.getByRole('heading', { name: 'Document details' })).toBeVisible();
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Execute automation: ${name}`);
});

/**
 * What a page sees when its islands' chunks do not load: after a deploy the bundle it came with is
 * gone (404); or the network fails them. Answers the errors the page logged besides those failed
 * loads.
 */
async function chunksFailUnder(page: Page, how: 'gone' | 'network'): Promise<string[]> {
  await page.route(/\/pkg\/[0-9a-f]{16}\/(split|chunk)_[^/]*\.wasm$/, (route) =>
    how === 'gone' ? route.fulfill({ status: 404, body: 'gone' }) : route.abort('internetdisconnected'),
  );
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    const failed = /^Failed to load resource/.test(m.text()) && /\/pkg\//.test(m.location().url);
    if (m.type() === 'error' && !failed) errors.push(m.text());
  });
  return errors;
}

for (const [how, when] of [['gone', 'after a deploy'], ['network', 'when the network fails them']] as const) {
  plain(`${when}, a page whose islands' code does not load works as the server sent it`, async ({ page }) => {
    plain.skip(!hydrated(page), 'about the bundle');
    const errors = await chunksFailUnder(page, how);
    const catalog = '/automation/execute?tab=all&q=AWS-RestartEC2Instance';
    await page.goto(catalog);
    // The rest of the page hydrated: the shell's own islands are in the main module.
    await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
    await expect(page.getByRole('button', { name: /navigation/ })).toBeVisible();
    // The catalog's list did not: its star is the server's form, posted with a page load.
    const star = page.getByRole('button', { name: 'Star AWS-RestartEC2Instance', exact: true });
    const pressed = await star.getAttribute('aria-pressed');
    await page.evaluate(() => ((window as any).__sameWindow = true));
    await star.click();
    await expect(star).toHaveAttribute('aria-pressed', pressed === 'true' ? 'false' : 'true');
    expect(await page.evaluate(() => (window as any).__sameWindow), 'a page load').toBeUndefined();
    await expect(page).toHaveURL(new RegExp(`${catalog.replace(/[?]/g, '\\?')}$`));
    // Put back as it was.
    await star.click();
    await expect(star).toHaveAttribute('aria-pressed', pressed ?? 'false');
    expect(errors).toEqual([]);
  });
}

test('when AWS does not answer, the page says what went wrong and the health check fails', async ({ page, request }) => {
  // That portal started with no accounts: it made `admin`, with the password in its data directory.
  const password = readFileSync(join(dataDirs.aws, 'initial-admin-password'), 'utf8').trim();
  expect(password).toMatch(/^[A-Za-z0-9]{24}$/);
  await page.goto(`${portals.unreachableAws}/automation`);
  await expect(page).toHaveURL(/\/login\?next=%2Fautomation$/);
  await page.getByLabel('User name').fill('admin');
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(`${portals.unreachableAws}/automation`);
  const alert = page.getByRole('banner').getByRole('alert');
  await expect(alert).toContainText('Identity unavailable');
  await expect(alert).toContainText('AWS did not answer sts:GetCallerIdentity');
  await expect(alert).toContainText('Check the server');
  await expect(page.getByRole('banner').getByText('Emulator', { exact: true })).toHaveCount(0);

  // Anyone learns only that it is down; the signed-in admin learns why.
  const health = await request.get(`${portals.unreachableAws}/healthz`);
  expect(health.status()).toBe(503);
  expect(await health.text()).toBe('unavailable\n');
  const details = await page.request.get(`${portals.unreachableAws}/healthz/details`);
  expect(details.status()).toBe(503);
  expect(await details.json()).toMatchObject({ status: 'unavailable', backend: 'aws' });
});

test('the health details report the emulator backend and its account to an admin', async ({ request }) => {
  const health = await request.get('/healthz/details');
  expect(health.status()).toBe(200);
  expect(await health.json()).toEqual({ status: 'ok', backend: 'emulator', account: '123456789012' });
});
