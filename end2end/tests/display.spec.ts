import type { Page } from '@playwright/test';
import { test, expect, open, hydrated, markPage, untilText } from './fixtures';
import { createRunbook, execution, start } from './aws';
import { signIn } from './people';
import { tester } from '../playwright.config';

// How the portal is shown: the dark theme and its switch, times on the viewer's clock with UTC
// on hover (and a UTC switch), durations on the list, the guide beside the page.

const PAGE_LIGHT = 'rgb(242, 243, 243)';
const PAGE_DARK = 'rgb(15, 27, 42)';

/** The page's background is `colour` (waiting for the stylesheet). */
async function background(page: Page, colour: string) {
  await expect(page.locator('body')).toHaveCSS('background-color', colour);
}

async function choose(page: Page, legend: 'Theme' | 'Times', choice: string) {
  await page.locator('.display-menu summary').click();
  const group = page.getByRole('group', { name: legend });
  await group.getByRole('button', { name: choice, exact: true }).click();
  // The page comes back with the menu closed and the choice pressed.
  await expect(page.locator('.display-menu button', { hasText: new RegExp(`^${choice}$`) })).toHaveAttribute('aria-pressed', 'true');
}

test.describe('themes', () => {
  // A session of its own: the switches set this browser's cookies.
  test.use({ storageState: { cookies: [], origins: [] } });

  test('the dark theme follows the operating system; the switch overrides it either way', async ({ page }) => {
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.goto('/login?next=/automation');
    await signIn(page, tester.name, tester.password);
    await expect(page).toHaveURL(/\/automation$/);
    await background(page, PAGE_DARK);
    await expect(page.locator('html')).not.toHaveAttribute('data-theme', /./);

    await choose(page, 'Theme', 'Light');
    await expect(page).toHaveURL(/\/automation$/);
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
    await background(page, PAGE_LIGHT);

    // The choice stays, whatever the system says.
    await page.emulateMedia({ colorScheme: 'dark' });
    await open(page, '/automation/execute');
    await background(page, PAGE_LIGHT);

    await choose(page, 'Theme', 'As the system');
    await expect(page).toHaveURL(/\/automation\/execute$/);
    await background(page, PAGE_DARK);

    await page.emulateMedia({ colorScheme: 'light' });
    await background(page, PAGE_LIGHT);
    await choose(page, 'Theme', 'Dark');
    await background(page, PAGE_DARK);
    await expect(page.locator('.panel').first()).toHaveCSS('color', 'rgb(209, 213, 219)');
  });

  test('a wrong value says what is allowed, and another site cannot switch it', async ({ page }) => {
    await page.goto('/login?next=/automation');
    await signIn(page, tester.name, tester.password);
    const wrong = await page.request.post('/preferences', { form: { theme: 'purple', back: '/automation' }, maxRedirects: 0 });
    expect(wrong.status()).toBe(400);
    expect(await wrong.text()).toBe('theme must be system, light or dark');
    const crossSite = await page.request.post('/preferences', {
      form: { theme: 'dark', back: '/automation' },
      headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      maxRedirects: 0,
    });
    expect(crossSite.status()).toBe(403);
    expect((await page.context().cookies()).some((c) => c.name === 'portal_theme')).toBe(false);
    // Only the portal's own pages are gone back to.
    const away = await page.request.post('/preferences', { form: { theme: 'dark', back: '//evil.example/x' }, maxRedirects: 0 });
    expect(away.headers().location).toBe('/automation');
  });
});

test.describe('times', () => {
  test.use({ storageState: { cookies: [], origins: [] }, timezoneId: 'Asia/Tokyo' });

  test('times read on the viewer’s clock with UTC on hover; the UTC switch turns that round; the list says how long each run took', async ({ page }, info) => {
    const name = createRunbook(info, 'Timed', {
      schemaVersion: '0.3',
      parameters: {},
      mainSteps: [{ name: 'wait', action: 'aws:sleep', inputs: { Duration: 'PT2M' } }],
    });
    const id = start(`aws ssm start-automation-execution --document-name ${name}`);
    await expect.poll(() => execution(id).AutomationExecutionStatus, { timeout: 20_000 }).toBe('Success');
    const run = execution(id);
    // The CLI writes times as seconds since the epoch.
    const when = (t: number | string) => (typeof t === 'number' ? new Date(t * 1000) : new Date(t));
    const startUtc = when(run.ExecutionStartTime).toISOString().replace(/\.\d+Z$/, 'Z');
    const utcText = `${startUtc.slice(0, 10)} ${startUtc.slice(11, 19)} UTC`;
    const tokyo = new Date(new Date(startUtc).getTime() + 9 * 3600_000).toISOString();
    const tokyoText = `${tokyo.slice(0, 10)} ${tokyo.slice(11, 19)} GMT+9`;

    await page.goto(`/login?next=${encodeURIComponent(`/automation/executions/${id}`)}`);
    await signIn(page, tester.name, tester.password);
    await expect(page).toHaveURL(new RegExp(`/automation/executions/${id}$`));
    const startTime = page.locator('dt:text-is("Start time") + dd time');
    if (hydrated(page)) {
      // The server did not know the zone yet; the hydrated page reads on the browser's clock,
      // and tells the server, which renders the next pages so.
      await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
      await expect(startTime).toHaveText(tokyoText);
      await expect(startTime).toHaveAttribute('title', utcText);
      const served = await (await page.request.get(`/automation/executions/${id}`)).text();
      // Leptos marks where a text ends (`<!>`); the text itself is what counts.
      expect(served.replaceAll('<!>', '')).toContain(`>${tokyoText}</time>`);
    } else {
      // A browser without JavaScript never says its zone: times are in UTC, and say why.
      await expect(startTime).toHaveText(utcText);
      await expect(startTime).toHaveAttribute('title', /time zone is not known yet/);
    }
    await expect(startTime).toHaveAttribute('datetime', new RegExp(`^${startUtc.slice(0, 19)}`));

    await choose(page, 'Times', 'UTC');
    await expect(page).toHaveURL(new RegExp(`/automation/executions/${id}$`));
    await expect(startTime).toHaveText(utcText);
    if (hydrated(page)) await expect(startTime).toHaveAttribute('title', tokyoText);

    // The list: the same time, and how long the run took.
    await open(page, `/automation`);
    const row = page.locator(`tr[data-execution="${id}"]`);
    await expect(row.locator('time').first()).toHaveText(utcText);
    const took = Math.round((when(run.ExecutionEndTime).getTime() - when(run.ExecutionStartTime).getTime()) / 1000);
    // The CLI's times are rounded to milliseconds: a second either way.
    const span = (t: number) => (t >= 60 ? `${Math.floor(t / 60)} min ${t % 60} s` : `${t} s`);
    const spans = [took - 1, took, took + 1].map((t) => `took ${span(t)}`);
    expect(spans).toContain(await row.locator('[data-field="duration"]').textContent());

    await choose(page, 'Times', 'Your time zone');
    if (hydrated(page)) await expect(row.locator('time').first()).toHaveText(tokyoText);
  });
});

test('the skip link takes the keyboard to the page’s content', async ({ page }) => {
  await open(page, '/automation');
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Skip to main content' });
  await expect(skip).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.locator('main#content')).toBeFocused();
  // The next stop is inside the content, past the top bar and the navigation.
  await page.keyboard.press('Tab');
  expect(await page.evaluate(() => document.activeElement?.closest('main') !== null)).toBe(true);
});

test.describe('the guide', () => {
  test.use({ storageState: { cookies: [], origins: [] } });

  test('a presenter walks the guide’s procedure with the guide following; it stays open for the session', async ({ page, browser }, info) => {
    const name = createRunbook(info, 'Guided', {
      schemaVersion: '0.3',
      description: 'Says hello',
      parameters: { Greeting: { type: 'String', description: 'What to say' } },
      mainSteps: [{ name: 'wait', action: 'aws:sleep', inputs: { Duration: 'PT1S' } }],
    });
    await page.goto('/login?next=/automation');
    await signIn(page, tester.name, tester.password);
    await open(page, '/automation?present=1');
    await expect(page.getByRole('status').filter({ hasText: 'Presenting' })).toBeVisible();

    const guide = page.getByRole('complementary', { name: 'Guide' });
    const at = page.locator('[data-field="guide-at"]');
    const current = guide.locator('li[aria-current="step"]');
    // Closed by default.
    await expect(guide).toBeHidden();
    await page.getByRole('button', { name: 'Guide', exact: true }).click();
    await expect(guide).toBeVisible();
    await expect(page.getByRole('button', { name: 'Guide', exact: true })).toHaveAttribute('aria-expanded', 'true');
    await expect(at).toHaveText('This page is step 1 of 7.');
    await expect(current).toHaveText(/choose Automation, and then choose Execute automation/);

    await page.getByRole('link', { name: 'Execute automation' }).first().click();
    await expect(at).toHaveText('This page is step 2 of 7.');
    await expect(current).toHaveText(/In the Automation document list, choose a runbook/);
    await page.getByLabel('Search by name').fill(name);
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByRole('link', { name, exact: true }).click();
    await expect(at).toHaveText('This page is step 3 of 7.');
    await expect(current).toHaveText(/verify that Document version/);
    await page.getByRole('button', { name: 'Next' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Execute automation: ${name}`);
    await expect(at).toHaveText('This page is step 4 of 7.');
    await expect(current).toHaveText(/In the Execution Mode section/);
    if (hydrated(page)) await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
    await page.getByLabel(/^Greeting/).fill('hello');
    if (hydrated(page)) {
      // As the form is filled in: every required input given, the next step is Execute.
      await expect(at).toHaveText('This page is step 6 of 7.');
      await expect(current).toHaveText('Choose Execute.');
    } else {
      // Without JavaScript the address says how far the form is.
      await page.getByRole('button', { name: 'Update link and preview' }).click();
      await expect(at).toHaveText('This page is step 5 of 7.');
      await page.getByLabel(/^Greeting/).fill('hello');
    }
    await page.getByRole('button', { name: 'Execute' }).click();
    await expect(page).toHaveURL(/\/automation\/executions\/[0-9a-f-]{36}$/);
    if (hydrated(page)) {
      await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
      await markPage(page);
    }
    await expect(at).toHaveText('This page is step 7 of 7.');
    await expect(current).toHaveText('The console displays the status of the automation.');
    await untilText(page, page.locator('[data-field="status"]'), 'Success', 30_000);
    await expect(guide.locator('li.done')).toHaveCount(6);

    // Off the procedure, it says so; it stays open for the session, page after page.
    await open(page, '/automation/approvals');
    await expect(guide).toBeVisible();
    await expect(at).toHaveText('This page is not part of the procedure.');
    await expect(current).toHaveCount(0);
    await page.getByRole('button', { name: 'Stop presenting' }).click();

    // A new browser session starts with it closed: the cookie ends with the session.
    const guideCookie = (await page.context().cookies()).find((c) => c.name === 'portal_guide');
    expect(guideCookie?.value).toBe('open');
    expect(guideCookie?.expires).toBe(-1);
    const cookies = (await page.context().cookies()).filter((c) => c.name !== 'portal_guide');
    const fresh = await browser.newContext({ storageState: { cookies, origins: [] }, javaScriptEnabled: hydrated(page) });
    const other = await fresh.newPage();
    await other.goto(`${new URL(page.url()).origin}/automation`);
    await expect(other.getByRole('complementary', { name: 'Guide', includeHidden: true })).toBeHidden();
    await fresh.close();

    // Closed again by its switch.
    await page.getByRole('button', { name: 'Guide', exact: true }).click();
    await expect(guide).toBeHidden();
  });
});
