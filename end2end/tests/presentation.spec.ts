import type { Page, Response } from '@playwright/test';
import { test, expect, open, hydrated, sessionCookie, untilText } from './fixtures';
import { portals, tester } from '../playwright.config';
import { createRunbook, execution } from './aws';
import { signIn } from './people';
import { AUTOMATION_ROLE } from './procedures';

// A session of its own: presentation mode lasts for the session, and the suite's shared one
// must stay as it is.
test.use({ storageState: { cookies: [], origins: [] } });

const ACCOUNT = '123456789012';
const CONTACT = 'ops-lead@corp.example';
const HOST = '10.20.30.40';
const MASKED_ROLE = 'arn:aws:iam::••••••••9012:role/AmazonSSMAutomationRole';

/** What no byte sent to a presenting session may hold (an execution id's last group is not an account). */
const SENSITIVE: [string, RegExp][] = [
  ['an account id', /(?<![\w-])\d{12}(?!\w)/],
  ['an IP address', /(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w.])/],
  ['an e-mail address', /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/],
];

/** A runbook whose inputs carry an e-mail and an IP address, and that runs for a few seconds. */
const CONTACTED = {
  schemaVersion: '0.3',
  assumeRole: '{{ AutomationAssumeRole }}',
  parameters: {
    AutomationAssumeRole: { type: 'String', default: '' },
    Contact: { type: 'String', default: CONTACT },
    Host: { type: 'String', default: HOST },
  },
  mainSteps: [
    { name: 'announce', action: 'aws:sleep', inputs: { Duration: 'PT1M' } },
    { name: 'finish', action: 'aws:sleep', inputs: { Duration: 'PT1M' } },
  ],
};

/** Every byte the browser receives — pages, hydration data, server functions' answers, the bundle — as text. */
function recordAnswers(page: Page): { url: string; text: Promise<string> }[] {
  const answers: { url: string; text: Promise<string> }[] = [];
  page.on('response', (response: Response) => {
    // Streams never end: they are read on their own below.
    if (response.request().resourceType() === 'eventsource') return;
    answers.push({ url: response.url(), text: response.body().then((b) => b.toString('latin1'), () => '') });
  });
  return answers;
}

/** The event stream of `id` until its `end` event (or 20 s), as the browser would read it. */
async function streamText(id: string, headers: Record<string, string>): Promise<string> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 20_000);
  const response = await fetch(`${portals.emulator}/api/executions/${id}/events`, { headers, signal: controller.signal });
  expect(response.headers.get('content-type')).toContain('text/event-stream');
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  try {
    while (!/^event: ?end$/m.test(text)) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } catch {
    // Aborted after 20 s: what arrived is checked.
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return text;
}

test('presenting, no account id, IP or e-mail address reaches the browser, and what the form sends back still runs', async ({ page }, info) => {
  test.setTimeout(120_000);
  const name = createRunbook(info, 'Presented', CONTACTED);
  await page.goto('/login');
  await signIn(page, tester.name, tester.password);
  await expect(page).toHaveURL(/\/automation$/);
  // Not presenting: the top bar shows the account the portal acts in.
  expect(await page.content()).toContain(ACCOUNT);
  await expect(page.locator('html')).not.toHaveClass(/presenting/);

  const answers = recordAnswers(page);
  // A link turns it on.
  await open(page, '/automation/execute?present=1');
  await expect(page.getByRole('status').filter({ hasText: 'Presenting' })).toBeVisible();
  await expect(page.locator('html')).toHaveClass(/presenting/);
  await expect(page.getByRole('button', { name: 'Stop presenting' })).toHaveAttribute('aria-pressed', 'true');
  await expect(page.locator('.top-bar .account')).toHaveText('••••••••9012');

  // The guide's procedure: choose the runbook, Next, the inputs, Execute.
  await page.getByLabel('Search by name').fill(name);
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await page.getByRole('link', { name, exact: true }).click();
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Execute automation: ${name}`);
  if (hydrated(page)) await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  // The defaults are shown masked, and distinguishable.
  await expect(page.getByLabel(/^Contact/)).toHaveValue('o•••@•••');
  await expect(page.getByLabel(/^Host/)).toHaveValue('•••.•••.•••.40');
  const role = page.getByLabel(/^AutomationAssumeRole/);
  // A start AWS refuses first: its error answer is masked too.
  if (hydrated(page)) {
    await role.fill('EC2InstanceProfileRole');
    await page.getByRole('option', { name: /^EC2InstanceProfileRole/ }).click();
  } else {
    await role.selectOption('arn:aws:iam::••••••••9012:role/EC2InstanceProfileRole');
  }
  await page.getByRole('button', { name: 'Execute' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'The defined assume role is unable to be assumed.' })).toBeVisible();
  if (hydrated(page)) {
    // The refusal came back as a page load: its role picker is a list until the page hydrates.
    await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
    await role.fill('AmazonSSMAutomationRole');
    await page.getByRole('option', { name: /^AmazonSSMAutomationRole/ }).click();
    await expect(role).toHaveValue(MASKED_ROLE);
  } else {
    await role.selectOption(MASKED_ROLE);
  }
  await page.getByRole('button', { name: 'Execute' }).click();
  await expect(page).toHaveURL(/\/automation\/executions\/[0-9a-f-]{36}$/);
  const id = page.url().split('/').pop()!;
  await open(page, `/automation/executions/${id}`);
  await untilText(page, page.locator('[data-field="status"]'), 'Success', 30_000);

  // What was masked on the page reached AWS as it really is.
  const started = execution(id);
  expect(started.Parameters.AutomationAssumeRole).toEqual([AUTOMATION_ROLE]);
  expect(started.Parameters.Contact).toEqual([CONTACT]);
  expect(started.Parameters.Host).toEqual([HOST]);

  // More of the console a walkthrough shows: the list, the runbook, the audit trail.
  await open(page, `/automation?prefix=${name}`);
  await expect(page.locator(`tr[data-execution="${id}"]`)).toBeVisible();
  await open(page, `/documents/${name}`);
  await expect(page.getByRole('heading', { level: 1 })).toContainText(name);
  await open(page, '/audit');
  await expect(page.getByText('•••.•••.•••.1').first()).toBeVisible();
  await open(page, `/automation/executions/${id}`);
  await expect(page.getByText('o•••@•••').first()).toBeVisible();

  const stream = await streamText(id, await sessionCookie(page));
  expect(stream).toContain('••••••••9012');
  // The audit trail's export, downloaded while presenting.
  const exported = await (await fetch(`${portals.emulator}/audit.csv`, { headers: await sessionCookie(page) })).text();
  expect(exported).toContain('•••.•••.•••.1');

  const leaks: string[] = [];
  const texts = await Promise.all(answers.map(async (a) => ({ url: a.url, text: await a.text })));
  expect(texts.filter((t) => t.text.length > 0).length).toBeGreaterThan(5);
  if (hydrated(page)) expect(texts.some((t) => t.url.endsWith('.wasm'))).toBe(true);
  for (const { url, text } of [...texts, { url: 'the execution stream', text: stream }, { url: 'the audit export', text: exported }]) {
    for (const [what, pattern] of SENSITIVE) {
      const found = text.match(pattern);
      if (found) leaks.push(`${what} (${found[0]}) in ${url}`);
    }
  }
  expect(leaks).toEqual([]);

  // A link cannot turn it off (a shared link never uncovers a presenter's screen)…
  await open(page, '/automation?present=0');
  await expect(page.getByRole('status').filter({ hasText: 'Presenting' })).toBeVisible();
  // …the switch does, and the same pages show everything again.
  await page.getByRole('button', { name: 'Stop presenting' }).click();
  await expect(page.getByRole('button', { name: 'Present', exact: true })).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: 'Presenting' })).toHaveCount(0);
  await expect(page.locator('html')).not.toHaveClass(/presenting/);
  await open(page, `/automation/executions/${id}`);
  const shown = await page.content();
  expect(shown).toContain(CONTACT);
  expect(shown).toContain(HOST);
  expect(shown).toContain(ACCOUNT);
  await open(page, '/audit');
  expect(await page.content()).toContain('127.0.0.1');
});

test('presenting outlives signing out, and neither another site\'s link nor an unknown masked value gets through', async ({ page }) => {
  test.skip(!hydrated(page), 'HTTP requests: once is enough');
  await page.goto('/login');
  await signIn(page, tester.name, tester.password);
  await expect(page).toHaveURL(/\/automation$/);
  // Another site's link with ?present=1 turns nothing on (the browser says where it came from).
  const headers = await sessionCookie(page);
  const crossSite = await fetch(`${portals.emulator}/automation?present=1`, { headers: { ...headers, 'sec-fetch-site': 'cross-site' }, redirect: 'manual' });
  expect(crossSite.status).toBe(200);
  expect(crossSite.headers.getSetCookie().some((c) => c.startsWith('portal_presenting='))).toBe(false);
  expect(await crossSite.text()).toContain(ACCOUNT);

  await open(page, '/automation?present=1');
  await expect(page.getByRole('status').filter({ hasText: 'Presenting' })).toBeVisible();
  // A masked value this browser was never shown is refused, not guessed.
  const presenting = await sessionCookie(page);
  const unknown = await fetch(`${portals.emulator}/automation?prefix=${encodeURIComponent('•••.•••.•••.99')}`, { headers: presenting, redirect: 'manual' });
  expect(unknown.status).toBe(409);
  expect(await unknown.text()).toContain('cannot put back');
  // Signed out and in again on the shared screen: still presenting.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login/);
  await signIn(page, tester.name, tester.password);
  await expect(page).toHaveURL(/\/automation$/);
  await expect(page.getByRole('status').filter({ hasText: 'Presenting' })).toBeVisible();
  expect(await page.content()).not.toContain(ACCOUNT);
});

test('the switch and its shortcut turn presentation mode on and off for the session', async ({ page }) => {
  await page.goto('/login');
  await signIn(page, tester.name, tester.password);
  await expect(page).toHaveURL(/\/automation$/);
  await open(page, '/automation/execute');
  await page.getByRole('button', { name: 'Present', exact: true }).click();
  // Back on the same page, presenting.
  await expect(page).toHaveURL(/\/automation\/execute$/);
  await expect(page.getByRole('status').filter({ hasText: 'Presenting' })).toBeVisible();
  // It lasts for the session: another page presents too.
  await open(page, '/automation');
  await expect(page.locator('.top-bar .account')).toHaveText('••••••••9012');
  if (!hydrated(page)) return;
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await page.keyboard.press('Alt+Shift+P');
  await expect(page.getByRole('button', { name: 'Present', exact: true })).toBeVisible();
  await expect(page.locator('.top-bar .account')).toHaveText(ACCOUNT);
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await page.keyboard.press('Alt+Shift+P');
  await expect(page.getByRole('status').filter({ hasText: 'Presenting' })).toBeVisible();
  // What is clicked is outlined for the viewers.
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  const link = page.getByRole('link', { name: 'Execute automation' });
  await link.dispatchEvent('pointerdown');
  await expect(link).toHaveClass(/just-clicked/);
});
