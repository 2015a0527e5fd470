import type { Browser, Page } from '@playwright/test';
import { test, expect, open, hydrated, markPage, stayedOnPage } from './fixtures';
import { addUser, signIn } from './people';
import { createRunbook, start } from './aws';
import { portals } from '../playwright.config';

// Stars and a runbook's recent executions, under the sample grant "Production restarts, approved
// by a lead" (group prod: runbooks Prod-*, only their own executions). Each person signs in as
// themselves, in a browser of their own; the tester (an administrator) sees every execution.

const PASSWORD = 'a star-gazing password';
const CATALOG = '/automation/execute?tab=all&q=Prod-Star';

/** Sleeps a moment (a second at the emulator's time scale). */
const SLEEPS = {
  schemaVersion: '0.3',
  description: 'Sleeps a moment.',
  parameters: {},
  mainSteps: [{ name: 'rest', action: 'aws:sleep', inputs: { Duration: 'PT1M' } }],
};

/** A page of a browser of its own, signed in as a new member of prod, on `path`. */
async function memberAt(browser: Browser, name: string, path: string): Promise<Page> {
  addUser(name, PASSWORD, ['prod']);
  // A context of its own takes the project's options, the tester's cookies among them: this is
  // someone else's browser, so it starts with none (signing in would end the tester's session).
  const context = await browser.newContext({
    baseURL: portals.emulator,
    javaScriptEnabled: hydrated(browser as never),
    storageState: { cookies: [], origins: [] },
  });
  const page = await context.newPage();
  await page.goto(`/login?next=${encodeURIComponent(path)}`);
  await signIn(page, name, PASSWORD);
  await expect(page).toHaveURL(new RegExp(`${path.replace(/[?]/g, '\\?')}$`));
  if (hydrated(page)) {
    await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
    await markPage(page);
  }
  return page;
}

/** The catalog's runbooks, in the order listed. */
function listed(page: Page): Promise<string[]> {
  return page.locator('.catalog-list tbody tr').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.runbook ?? ''));
}

/** `runbook`'s star. */
function star(page: Page, runbook: string) {
  return page.getByRole('button', { name: `Star ${runbook}`, exact: true });
}

/** The catalog lists by name alone: `before` ahead of `after`. */
async function byName(page: Page, before: string, after: string) {
  const names = await listed(page);
  expect(names).toEqual([...names].sort());
  expect(names.indexOf(before)).toBeGreaterThanOrEqual(0);
  expect(names.indexOf(before)).toBeLessThan(names.indexOf(after));
}

test('a starred runbook comes first in its starrer’s catalog only, and is pressed on its page', async ({ browser }, info) => {
  test.setTimeout(60_000);
  // Two runbooks: B is not first by name, so only its star puts it first.
  const a = createRunbook(info, 'Prod-StarA', SLEEPS);
  const b = createRunbook(info, 'Prod-StarB', SLEEPS);
  const mine = await memberAt(browser, `star-${info.project.name}`, CATALOG);
  await byName(mine, a, b);
  await expect(star(mine, b)).toHaveAttribute('aria-pressed', 'false');

  await star(mine, b).click();
  await expect(mine.locator('.catalog-list tbody tr').first()).toHaveAttribute('data-runbook', b);
  await expect(star(mine, b)).toHaveAttribute('aria-pressed', 'true');
  if (hydrated(mine)) await stayedOnPage(mine);
  else await expect(mine).toHaveURL(/\/automation\/execute\?tab=all&q=Prod-Star$/);
  // The rest keep their order by name.
  const rest = (await listed(mine)).slice(1);
  expect(rest).toEqual([...rest].sort());

  // Someone else's catalog: by name, B unstarred.
  const other = await memberAt(browser, `star-other-${info.project.name}`, CATALOG);
  await byName(other, a, b);
  await expect(star(other, b)).toHaveAttribute('aria-pressed', 'false');
  await other.context().close();

  // On its page the star is pressed too; unstarred there, the catalog lists B by name again.
  await open(mine, `/documents/${b}`);
  await expect(star(mine, b)).toHaveAttribute('aria-pressed', 'true');
  await star(mine, b).click();
  await expect(star(mine, b)).toHaveAttribute('aria-pressed', 'false');
  if (hydrated(mine)) await stayedOnPage(mine);
  else await expect(mine).toHaveURL(new RegExp(`/documents/${b}$`));
  await open(mine, CATALOG);
  await byName(mine, a, b);

  // A post for a runbook outside the grants stars nothing: a browser's comes back saying why.
  const refused = await mine.request.post('/api/star_runbook', {
    form: { runbook: 'AWS-StopEC2Instance', star: 'true', back: CATALOG },
    headers: { accept: 'text/html' },
    maxRedirects: 0,
  });
  expect(refused.status()).toBe(302);
  const back = refused.headers().location;
  expect(back).toMatch(/^\/automation\/execute\?tab=all&q=Prod-Star&refused=/);
  await open(mine, back);
  await expect(mine.getByRole('alert')).toContainText('You have no grant to run AWS-StopEC2Instance');
  await mine.context().close();
});

test('a runbook’s page lists its recent executions that the viewer may see', async ({ page, browser }, info) => {
  const runbook = createRunbook(info, 'Prod-Recent', SLEEPS);
  const id = start(`aws ssm start-automation-execution --document-name ${runbook}`);
  // A runbook whose name goes on is another runbook: its runs are not this one's, however many.
  const sibling = createRunbook(info, `Prod-Recent-${info.project.name}-Longer`, SLEEPS);
  const siblings = Array.from({ length: 3 }, () => start(`aws ssm start-automation-execution --document-name ${sibling}`));

  // The tester, an administrator, sees it: linked, with its status.
  await open(page, `/documents/${runbook}`);
  const recent = page.getByRole('region', { name: 'Recent executions' });
  const row = recent.locator(`tr[data-execution="${id}"]`);
  await expect(row.getByRole('link', { name: id })).toHaveAttribute('href', `/automation/executions/${id}`);
  await expect(row.locator('[data-field="status"]')).toHaveText(/^(Pending|InProgress|Success)$/);
  for (const other of siblings) await expect(recent.locator(`tr[data-execution="${other}"]`)).toHaveCount(0);
  await expect(recent.locator('tbody tr')).toHaveCount(1);
  // View all: the executions list of this runbook alone.
  await recent.getByRole('link', { name: 'View all' }).click();
  await expect(page).toHaveURL(new RegExp(`/automation\\?document=${runbook}$`));
  await expect(page.locator(`tr[data-execution="${id}"]`)).toHaveCount(1);
  for (const other of siblings) await expect(page.locator(`tr[data-execution="${other}"]`)).toHaveCount(0);

  // A member of prod sees only their own runs: not one started with the AWS CLI.
  const member = await memberAt(browser, `recent-${info.project.name}`, `/documents/${runbook}`);
  const theirs = member.getByRole('region', { name: 'Recent executions' });
  await expect(theirs).toContainText("None of this runbook's latest executions is one you may see");
  await expect(theirs.locator(`tr[data-execution="${id}"]`)).toHaveCount(0);
  await member.context().close();
});
