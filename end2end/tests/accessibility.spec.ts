import AxeBuilder from '@axe-core/playwright';
import { writeFileSync } from 'node:fs';
import type { Page, TestInfo } from '@playwright/test';
import { test, expect, hydrated } from './fixtures';
import { everyPage } from './walkthrough';
import { portals } from '../playwright.config';

// axe-core over every page, as each theme shows it: light, dark (the operating system's choice)
// and presentation mode; the two projects make that hydrated and without JavaScript. A serious or
// critical violation anywhere fails the run. Each run writes its findings per page (axe.json in
// the test's output) so a change can be compared page by page.

type Finding = { rule: string; impact: string; nodes: number; help: string; targets: string[] };

/** axe's findings on the page as it is now. */
async function findings(page: Page): Promise<Finding[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations.map((v) => ({
    rule: v.id,
    impact: v.impact ?? 'unknown',
    nodes: v.nodes.length,
    help: v.help,
    targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')),
  }));
}

async function visit(page: Page, path: string, hydrating: boolean) {
  await page.goto(path);
  // A sweep of sign-in pages would pass for the wrong reason.
  if (path !== '/login') expect(new URL(page.url()).pathname, `${path} needs a signed-in browser`).not.toBe('/login');
  if (hydrating) await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  // Streams and resources settle before axe reads the page.
  await page.waitForLoadState('networkidle', { timeout: 5_000 }).catch(() => undefined);
}

/**
 * The page axe reads from. axe runs as a script, so without JavaScript it reads a browser of the
 * same cookies in which the bundle never loads: the page exactly as the server rendered it.
 */
async function reader(page: Page, theme: string): Promise<{ reading: Page; done: () => Promise<void> }> {
  if (hydrated(page)) return { reading: page, done: async () => undefined };
  const context = await page.context().browser()!.newContext({
    baseURL: portals.emulator,
    storageState: await page.context().storageState(),
    // A new context takes the project's options: axe itself needs scripts.
    javaScriptEnabled: true,
    colorScheme: theme === 'dark' ? 'dark' : 'light',
  });
  await context.route(/\/pkg\/.*\.(js|wasm)$/, (route) => route.abort());
  return { reading: await context.newPage(), done: () => context.close() };
}

/** Checks each page; reports every finding, fails on the serious and critical ones. */
async function sweep(page: Page, info: TestInfo, theme: string, paths: string[]) {
  const report: Record<string, Finding[]> = {};
  const { reading, done } = await reader(page, theme);
  for (const path of paths) {
    await visit(reading, path, hydrated(page));
    report[path] = await findings(reading);
  }
  await done();
  // The sign-in page, as someone not signed in sees it.
  const stranger = await page.context().browser()!.newContext({
    baseURL: portals.emulator,
    storageState: { cookies: [], origins: [] },
    javaScriptEnabled: true,
    colorScheme: theme === 'dark' ? 'dark' : 'light',
  });
  if (!hydrated(page)) await stranger.route(/\/pkg\/.*\.(js|wasm)$/, (route) => route.abort());
  const door = await stranger.newPage();
  await visit(door, '/login', hydrated(page));
  report['/login'] = await findings(door);
  await stranger.close();

  writeFileSync(info.outputPath('axe.json'), JSON.stringify(report, null, 2));
  const lines = Object.entries(report).map(
    ([path, found]) => `${theme} ${info.project.name} ${path}: ${found.map((f) => `${f.rule}(${f.impact}) ×${f.nodes}`).join(', ') || 'none'}`,
  );
  console.log(lines.join('\n'));
  const grave = Object.entries(report).flatMap(([path, found]) =>
    found.filter((f) => f.impact === 'serious' || f.impact === 'critical').map((f) => `${path}: ${f.rule} (${f.impact}) ×${f.nodes}: ${f.help} — ${f.targets.join(' | ')}`),
  );
  expect(grave, `axe found serious or critical violations (${theme})`).toEqual([]);
}

test.describe('accessibility', () => {
  test.describe.configure({ timeout: 240_000 });

  test('every page in the light theme', async ({ page }, info) => {
    await page.emulateMedia({ colorScheme: 'light' });
    await sweep(page, info, 'light', await everyPage(info, 'light'));
  });

  test('every page in the dark theme the operating system asks for', async ({ page }, info) => {
    await page.emulateMedia({ colorScheme: 'dark' });
    await sweep(page, info, 'dark', await everyPage(info, 'dark'));
  });

  test('every page in presentation mode', async ({ page }, info) => {
    const paths = await everyPage(info, 'presenting');
    await page.goto('/automation?present=1');
    await expect(page.getByRole('status').filter({ hasText: 'Presenting' })).toBeVisible();
    // Pages are shown at their masked addresses: follow the portal's own redirects there.
    await sweep(page, info, 'presenting', paths);
    await page.getByRole('button', { name: 'Stop presenting' }).click();
  });
});
