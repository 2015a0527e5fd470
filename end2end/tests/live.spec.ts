import { test, expect, open, hydrated, sessionCookie, stayedOnPage, untilText } from './fixtures';
import { portals } from '../playwright.config';
import { createRunbook, start } from './aws';

/** Three sleeps: 2 s, 2 s and 1 s at the emulator's time scale (60). */
const STEADY = {
  schemaVersion: '0.3',
  parameters: { Item: { type: 'String', default: 'x' } },
  mainSteps: [
    { name: 'first', action: 'aws:sleep', inputs: { Duration: 'PT2M' } },
    { name: 'second', action: 'aws:sleep', inputs: { Duration: 'PT2M' } },
    { name: 'third', action: 'aws:sleep', inputs: { Duration: 'PT1M' } },
  ],
};

test('steps go from Pending to InProgress to Success as the execution runs', async ({ page }, info) => {
  const name = createRunbook(info, 'Steady', STEADY);
  const id = start(`aws ssm start-automation-execution --document-name ${name}`);
  await open(page, `/automation/executions/${id}`);
  const second = page.locator('[data-step="second"]');
  await expect(second).toHaveAttribute('data-status', 'Pending');
  if (hydrated(page)) {
    await expect(page.locator('.page-header [data-live]')).toHaveAttribute('data-live', 'live');
  } else {
    // Without JavaScript the page is what the server knew, with a way to ask again.
    await expect(page.getByRole('link', { name: 'Refresh' })).toHaveAttribute('href', `/automation/executions/${id}`);
  }
  await untilText(page, second, 'InProgress');
  await untilText(page, second, 'Success');
  await untilText(page, page.locator('[data-field="status"]'), 'Success');
  await expect(page.locator('[data-step="third"]')).toHaveAttribute('data-status', 'Success');
  await expect(page.locator('[data-field="end"]')).not.toHaveText('–');
  await expect(page.locator('[data-field="progress"]')).toHaveText('3 of 3 steps succeeded');
  if (hydrated(page)) {
    await expect(page.locator('.page-header [data-live]')).toHaveAttribute('data-live', 'ended');
    await stayedOnPage(page);
  }
  // Each step's inputs are there to open.
  await page.locator('[data-step="first"] summary').click();
  await expect(page.locator('[data-step="first"] .step-facts')).toContainText('PT2M');
});

test('a rate-control parent shows its children as they run, and each child leads back', async ({ page }, info) => {
  const name = createRunbook(info, 'Steady', STEADY);
  const parent = start(
    `aws ssm start-automation-execution --document-name ${name} --target-parameter-name Item --targets Key=ParameterValues,Values=a,b,c --max-concurrency 1`,
  );
  await open(page, `/automation/executions/${parent}`);
  const children = page.getByRole('region', { name: 'Child executions' });
  await expect(page.getByText('Key=ParameterValues,Values=a,b,c')).toBeVisible();
  // One at a time (concurrency 1): the third child appears only after two have run.
  await untilText(page, children.getByRole('heading'), 'Child executions (3)', 30_000);
  await untilText(page, page.locator('[data-field="status"]'), 'Success', 30_000);
  await expect(children.locator('tbody tr')).toHaveCount(3);
  for (const row of await children.locator('tbody tr').all()) {
    await expect(row).toContainText('Success');
  }
  await children.locator('tbody tr').filter({ has: page.locator('td:nth-child(2)', { hasText: /^b$/ }) }).getByRole('link').click();
  await expect(page.locator('dd', { hasText: parent })).toBeVisible();
  await expect(page.locator('dt:text-is("Target") + dd')).toHaveText('b');
  await page.getByRole('link', { name: parent }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText(parent);
});

test('the executions list updates a running row in place', async ({ page }, info) => {
  test.skip(!hydrated(page), 'without JavaScript the list is as the server rendered it');
  const name = createRunbook(info, 'Steady', STEADY);
  const id = start(`aws ssm start-automation-execution --document-name ${name} --parameters Item=listed`);
  await open(page, `/automation?prefix=${name}`);
  const row = page.locator(`tr[data-execution="${id}"]`);
  await expect(row.locator('[data-field="status"]')).toHaveText('InProgress');
  await expect(page.locator('p[data-live]')).toHaveAttribute('data-live', 'live');
  await expect(row.locator('[data-field="status"]')).toHaveText('Success', { timeout: 20_000 });
  await expect(page.locator('p[data-live]')).toHaveAttribute('data-live', 'ended');
  await stayedOnPage(page);
});

/** Reads an event stream until `until` says stop; answers the events (id, event, data). */
async function readEvents(
  url: string,
  headers: Record<string, string>,
  until: (events: { id: string; event: string; data: string }[]) => boolean,
) {
  const controller = new AbortController();
  const response = await fetch(url, { headers, signal: controller.signal });
  expect(response.headers.get('content-type')).toContain('text/event-stream');
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  const events: { id: string; event: string; data: string }[] = [];
  let buffer = '';
  while (!until(events)) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const field = (name: string) =>
        block.split('\n').filter((l) => l.startsWith(`${name}:`)).map((l) => l.slice(name.length + 1).trimStart()).join('\n');
      if (field('event')) events.push({ id: field('id'), event: field('event'), data: field('data') });
    }
  }
  controller.abort();
  return events;
}

test('a stream resumes after the last event its client saw', async ({ page }, info) => {
  test.skip(!hydrated(page), 'a protocol check: once is enough');
  const name = createRunbook(info, 'Steady', STEADY);
  const id = start(`aws ssm start-automation-execution --document-name ${name}`);
  const url = `${portals.emulator}/api/executions/${id}/events`;
  const signedIn = await sessionCookie(page);
  // The first connection: the whole state, then changes; dropped once the first step ends.
  const stepDone = (events: { event: string; data: string }[]) =>
    events.some((e) => e.event === 'step' && JSON.parse(e.data).name === 'first' && JSON.parse(e.data).status === 'Success');
  const first = await readEvents(url, signedIn, stepDone);
  expect(first[0].event).toBe('execution');
  expect(first.filter((e) => e.event === 'step').length).toBeGreaterThanOrEqual(3);
  const last = first[first.length - 1].id;
  expect(last).toMatch(/^\d+\.\d+$/);
  // Another viewer keeps the watcher (and its history) while the first is away.
  const keeper = readEvents(url, signedIn, (events) => events.some((e) => e.event === 'end'));
  await new Promise((r) => setTimeout(r, 1500));
  const resumed = await readEvents(url, { ...signedIn, 'Last-Event-ID': last }, (events) => events.some((e) => e.event === 'end'));
  const [epoch, seq] = last.split('.').map(Number);
  expect(resumed[0].id).toBe(`${epoch}.${seq + 1}`);
  // Nothing already seen is sent again: no second copy of the first step's success.
  expect(resumed.some((e) => e.event === 'step' && JSON.parse(e.data).name === 'first')).toBe(false);
  expect(resumed.some((e) => e.event === 'execution' && JSON.parse(e.data).status === 'Success')).toBe(true);
  await keeper;

  const refused = await fetch(`${portals.emulator}/api/executions/not%20an%20id/events`, { headers: signedIn });
  expect(refused.status).toBe(400);
  expect(await refused.text()).toContain('is not an automation execution ID');
});
