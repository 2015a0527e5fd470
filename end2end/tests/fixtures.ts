import { test as base, expect, type Page } from '@playwright/test';

/** True when this project runs with JavaScript, so the page hydrates. */
export function hydrated(page: Page): boolean {
  return base.info().project.use.javaScriptEnabled !== false;
}

/**
 * Opens `path` and, when JavaScript is on, waits until the page has hydrated, so clicks reach
 * the WASM handlers rather than the bare server-rendered HTML.
 */
export async function open(page: Page, path: string) {
  const response = await page.goto(path);
  if (hydrated(page)) {
    await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
    await markPage(page);
  }
  return response;
}

/** Fails a test whose page logged an error or threw (a hydration mismatch shows up here). */
export const test = base.extend<{ pageErrors: string[] }>({
  pageErrors: [
    async ({ page }, use) => {
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
      page.on('console', (m) => {
        if (m.type() !== 'error') return;
        // A page served with an error status (the 404 page) is reported as a failed load of itself.
        const ownStatus = m.text().startsWith('Failed to load resource') && m.location().url === page.url();
        if (!ownStatus) errors.push(`console error: ${m.text()} (${m.location().url})`);
      });
      await use(errors);
      expect(errors, 'the page logged errors').toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };

/** Marks the page's window, so a later `stayedOnPage` can tell a reload (or a page load) apart. */
export async function markPage(page: Page) {
  await page.evaluate(() => ((window as any).__sameWindow = true));
}

/** The page has not been reloaded since `markPage`. */
export async function stayedOnPage(page: Page) {
  expect(await page.evaluate(() => (window as any).__sameWindow === true), 'the page was reloaded').toBe(true);
}

/**
 * Waits until `locator` reads `text`: hydrated, by live updates alone (and checks the page was
 * not reloaded since `open`); without JavaScript, by reloading as a person would.
 */
export async function untilText(page: Page, locator: ReturnType<Page['locator']>, text: string | RegExp, timeout = 20_000) {
  if (hydrated(page)) {
    await expect(locator).toContainText(text, { timeout });
    await stayedOnPage(page);
    return;
  }
  await expect
    .poll(async () => {
      // A reload can meet the navigation a control started: the next round tries again.
      await page.reload().catch(() => undefined);
      return locator.textContent().catch(() => '');
    }, { timeout })
    .toMatch(typeof text === 'string' ? new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : text);
}

/** The `Cookie` header of the page's session, for requests made outside the browser. */
export async function sessionCookie(page: Page): Promise<Record<string, string>> {
  const cookies = await page.context().cookies();
  return { cookie: cookies.map((c) => `${c.name}=${c.value}`).join('; ') };
}
