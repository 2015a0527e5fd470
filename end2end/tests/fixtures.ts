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
