import { test, expect, hydrated } from './fixtures';
import { tester } from '../playwright.config';
import { addUser as addAccount, signIn } from './people';
import type { Page } from '@playwright/test';

// These tests start signed out.
test.use({ storageState: { cookies: [], origins: [] } });

/** Adds an operator. */
function addUser(name: string, password: string) {
  addAccount(name, password, ['operators']);
}

async function sessionId(page: Page) {
  return (await page.context().cookies()).find((c) => c.name === 'runbook_portal_session');
}

test('signed out, pages lead to sign-in and the API refuses; signing in leads back', async ({ page, request }) => {
  await page.goto('/automation/execute?tab=all');
  await expect(page).toHaveURL(/\/login\?next=%2Fautomation%2Fexecute%3Ftab%3Dall$/);
  // Nothing of the AWS side shows before signing in.
  await expect(page.getByRole('banner')).not.toContainText('123456789012');
  for (const [method, path] of [
    ['POST', '/api/control_execution'],
    ['POST', '/api/start_automation'],
    ['GET', '/api/executions/4105a4fc-f944-11e6-9d32-0123456789ab/events'],
  ]) {
    const answer = await request.fetch(path, { method, form: method === 'POST' ? { id: 'x' } : undefined });
    expect(answer.status(), `${method} ${path}`).toBe(401);
    expect(await answer.text()).toContain('Sign in first');
  }

  await signIn(page, tester.name, 'not the password');
  await expect(page.getByRole('alert')).toHaveText('The user name or password is wrong.');
  await signIn(page, tester.name, tester.password);
  await expect(page).toHaveURL(/\/automation\/execute\?tab=all$/);
  await expect(page.getByRole('banner')).toContainText(tester.name);
  const cookie = await sessionId(page);
  expect(cookie?.httpOnly).toBe(true);
  expect(cookie?.sameSite).toBe('Lax');

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('status')).toHaveText('You are signed out.');
  await page.goto('/automation');
  await expect(page).toHaveURL(/\/login/);
});

test('the session id changes at sign-in, and the old one is worth nothing', async ({ page, browser }) => {
  test.skip(!hydrated(page), 'cookies behave the same without JavaScript');
  addUser('cycler', 'cycler password 1');
  await page.goto('/login');
  await signIn(page, 'cycler', 'cycler password 1');
  await expect(page.getByRole('banner')).toContainText('cycler');
  const first = await sessionId(page);
  // Signing in again (say, as someone else on a shared machine) gets a new id…
  await page.goto('/login');
  await signIn(page, tester.name, tester.password);
  await expect(page.getByRole('banner')).toContainText(tester.name);
  const second = await sessionId(page);
  expect(second?.value).not.toBe(first?.value);
  // …and the id from before is not a session any more.
  const other = await browser.newContext({ storageState: { cookies: [first!], origins: [] } });
  const stale = await other.newPage();
  await stale.goto('/automation');
  await expect(stale).toHaveURL(/\/login/);
  await other.close();
});

test('password guessing is slowed down, then locked out', async ({ page }) => {
  test.skip(!hydrated(page), 'one run is enough (and it takes half a minute)');
  test.setTimeout(90_000);
  addUser('victim', 'the real password');
  const timings: number[] = [];
  for (let i = 0; i < 10; i++) {
    const started = Date.now();
    const answer = await page.request.post('/session', { form: { name: 'victim', password: `guess ${i}`, next: '/automation' }, maxRedirects: 0 });
    timings.push(Date.now() - started);
    expect(answer.headers().location).toContain('error=invalid');
  }
  // The first three at full speed, then 0.5 s, 1 s, 2 s… (doubling, at most 8 s).
  expect(Math.max(...timings.slice(0, 3))).toBeLessThan(1000);
  expect(timings[6]).toBeGreaterThanOrEqual(4000);
  // Locked: even the right password is refused, and the page says for how long.
  await page.goto('/login');
  await signIn(page, 'victim', 'the real password');
  await expect(page.getByRole('alert')).toContainText('Too many failed sign-ins');
  await expect(page).toHaveURL(/error=locked&.*wait=1[45]/);
  // Other accounts are unaffected.
  await signIn(page, tester.name, tester.password);
  await expect(page.getByRole('banner')).toContainText(tester.name);
});
