import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, expect, open, hydrated } from './fixtures';
import { addUser, clientAs, signIn } from './people';
import { bash, execution } from './aws';
import { dataDirs } from '../playwright.config';

// These tests sign in as users of their own, under the sample grants the portal writes on its
// first start on the emulator (grants.toml in its data directory).
test.use({ storageState: { cookies: [], origins: [] } });

const PASSWORD = 'a web team password';
const RUNBOOK = 'Portal-RestartWithHealthCheck';
const ROLE = 'arn:aws:iam::123456789012:role/AmazonSSMAutomationRole';
const WEB_1 = 'i-1234567890abcdef0';
const WEB_2 = 'i-0a1b2c3d4e5f60718';
const BASTION = 'i-0deadbeef00000001';

test('a web team member sees only the granted runbook, roles, modes and values, and starts it', async ({ page }, info) => {
  const name = `web-member-${info.project.name}`;
  addUser(name, PASSWORD, ['web']);
  await page.goto('/login?next=%2Fautomation%2Fexecute%3Ftab%3Dall');
  await signIn(page, name, PASSWORD);
  await expect(page).toHaveURL(/\/automation\/execute\?tab=all$/);

  // The catalog lists the one runbook the grant covers.
  await expect(page.locator('.catalog-list .count')).toHaveText('1 runbooks');
  await expect(page.locator('.catalog-list tbody tr')).toHaveCount(1);
  await expect(page.locator('.catalog-list tbody')).toContainText(RUNBOOK);

  await open(page, `/automation/execute/${RUNBOOK}`);
  await expect(page.getByRole('region', { name: 'Grant' })).toContainText('Web team restarts web servers');
  // Modes: the grant's two.
  await expect(page.getByRole('radio')).toHaveCount(2);
  await expect(page.getByRole('radio', { name: /Simple execution/ })).toBeChecked();
  await expect(page.getByRole('radio', { name: /Manual execution/ })).toHaveCount(1);
  // Narrowed: the two web servers only. Hidden: WarmUp is not on the page at all.
  const instance = page.getByLabel(/^InstanceId/);
  await expect(instance.locator('option')).toHaveText(['Choose an instance', new RegExp(`^web-1 — ${WEB_1}`), new RegExp(`^web-2 — ${WEB_2}`)]);
  await expect(page.locator('[data-parameter="WarmUp"]')).toHaveCount(0);
  await expect(page.locator('body')).not.toContainText('WarmUp');
  // Roles: the grant's one, among the account's eight.
  const role = page.getByLabel(/^AutomationAssumeRole/);
  if (hydrated(page)) {
    await role.fill('Role');
    const offered = page.getByRole('listbox', { name: 'IAM roles' }).getByRole('option');
    await expect(offered).toHaveCount(1);
    await offered.first().click();
    await expect(role).toHaveValue(ROLE);
  } else {
    await expect(role.locator('option')).toHaveText(['Choose a role', /^AmazonSSMAutomationRole/]);
    await role.selectOption(ROLE);
  }
  await instance.selectOption(WEB_2);
  await page.getByRole('button', { name: 'Execute' }).click();
  await expect(page).toHaveURL(/\/automation\/executions\/[0-9a-f-]{36}$/);
  const id = page.url().split('/').pop()!;

  // What AWS got: the grant's version and fixed WarmUp, the chosen instance and role, and who asked.
  const started = execution(id);
  expect(started.DocumentVersion).toBe('2');
  expect(started.Parameters).toEqual({ InstanceId: [WEB_2], WarmUp: ['PT5S'], AutomationAssumeRole: [ROLE] });
  const tags = bash(`aws ssm list-tags-for-resource --resource-type Automation --resource-id ${id}`).TagList;
  expect(tags).toEqual(
    expect.arrayContaining([
      { Key: 'portal:user', Value: name },
      expect.objectContaining({ Key: 'portal:request' }),
    ]),
  );

  // The executions list says who started it; "Started by me" keeps only the user's own.
  await open(page, '/automation');
  await expect(page.locator(`tr[data-execution="${id}"] [data-field="started-by"]`)).toHaveText(name);
  await page.getByLabel('Started by me').check();
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page).toHaveURL(/mine=on/);
  await expect(page.locator('tbody tr[data-execution]')).toHaveCount(1);
  await expect(page.locator(`tr[data-execution="${id}"]`)).toBeVisible();
});

test('crafted starts outside the grant are refused with 403, and nothing starts', async ({ page }) => {
  test.skip(!hydrated(page), 'requests made by a script: once is enough');
  const name = `web-crafter`;
  addUser(name, PASSWORD, ['web']);
  const client = await clientAs(name, PASSWORD);
  expect(startedBy(name)).toEqual([]);
  const good = { document: RUNBOOK, 'p.InstanceId': WEB_1, 'p.AutomationAssumeRole': ROLE };
  const cases: [Record<string, string>, string][] = [
    [{ ...good, 'p.AutomationAssumeRole': 'arn:aws:iam::123456789012:role/Administrator' }, 'does not allow the role arn:aws:iam::123456789012:role/Administrator'],
    [{ ...good, mode: 'rate-control', 'target-parameter': 'InstanceId' }, 'does not allow Rate control'],
    [{ ...good, 'p.InstanceId': BASTION }, `does not allow "${BASTION}" for InstanceId`],
    // The hidden value itself is never told.
    [{ ...good, 'p.WarmUp': 'PT1S' }, 'sets WarmUp itself: it cannot be given'],
    [{ ...good, 'p.WarmUp': 'PT5S' }, 'sets WarmUp itself: it cannot be given'],
    [{ ...good, version: '3' }, 'allows version 2 of Portal-RestartWithHealthCheck only'],
    [{ ...good, document: 'AWS-StopEC2Instance' }, 'You have no grant to run AWS-StopEC2Instance'],
  ];
  for (const [form, reason] of cases) {
    const answer = await client.post('/api/start_automation', { form, maxRedirects: 0 });
    expect(answer.status(), JSON.stringify(form)).toBe(403);
    // The portal's error encoding: {"Forbidden": "<the sentence>"}.
    expect(JSON.parse(await answer.text()).Forbidden, JSON.stringify(form)).toContain(reason);
    expect(await answer.text(), 'the hidden value').not.toContain('PT5S');
  }
  // A mistake in a crafted form is a 400 with the field's message.
  const mistaken = await client.post('/api/start_automation', { form: { ...good, 'p.AutomationAssumeRole': '' }, maxRedirects: 0 });
  expect(mistaken.status()).toBe(400);
  expect(await mistaken.text()).toContain('AutomationAssumeRole is required');
  expect(startedBy(name)).toEqual([]);
  // The same request inside the grant starts.
  const allowed = await client.post('/api/start_automation', { form: good, maxRedirects: 0 });
  expect(allowed.status()).toBe(200);
  expect(startedBy(name)).toHaveLength(1);
});

/** Executions of the runbooks above that the portal started for `user`. */
function startedBy(user: string): string[] {
  const ids = [RUNBOOK, 'AWS-StopEC2Instance'].flatMap((document) =>
    bash(`aws ssm describe-automation-executions --filters Key=DocumentNamePrefix,Values=${document}`)
      .AutomationExecutionMetadataList.map((e: any) => e.AutomationExecutionId),
  );
  return ids.filter((id: string) =>
    bash(`aws ssm list-tags-for-resource --resource-type Automation --resource-id ${id}`).TagList.some(
      (t: any) => t.Key === 'portal:user' && t.Value === user,
    ),
  );
}

test('a user without a grant sees no runbook, no execution, and may not start one', async ({ page }, info) => {
  const name = `visitor-${info.project.name}`;
  addUser(name, PASSWORD, ['visitors']);
  await page.goto('/login?next=%2Fautomation');
  await signIn(page, name, PASSWORD);
  await expect(page).toHaveURL(/\/automation$/);
  await expect(page.locator('tbody tr[data-execution]')).toHaveCount(0);
  await page.goto('/automation/execute?tab=all');
  await expect(page.locator('.catalog-list .count')).toHaveText('0 runbooks');
  const answer = await page.goto(`/automation/execute/${RUNBOOK}`);
  expect(answer?.status()).toBe(403);
  await expect(page.getByRole('alert')).toContainText(`You have no grant to run ${RUNBOOK}`);
});

test('the grants file is read again when it changes; a broken one keeps the grants in force', async ({ page }) => {
  test.skip(!hydrated(page), 'about the server: once is enough');
  const file = join(dataDirs.emulator, 'grants.toml');
  const original = readFileSync(file, 'utf8');
  const name = 'late-starter';
  addUser(name, PASSWORD, ['late']);
  const client = await clientAs(name, PASSWORD);
  const catalog = async () => {
    const answer = await client.post('/api/list_runbooks', { form: { owner: 'All', search: '', page: '1' } });
    return ((await answer.json()).runbooks as any[]).map((r) => r.name);
  };
  try {
    expect(await catalog()).toEqual([]);
    writeFileSync(
      file,
      `${original}\n[[grant]]\nname = "Late starters start instances"\ngroups = ["late"]\nruns = ["AWS-StartEC2Instance"]\n`,
    );
    // A typo (runs for runbooks): the file is refused and the grants in force stay.
    await new Promise((r) => setTimeout(r, 3_000));
    expect(await catalog()).toEqual([]);
    writeFileSync(
      file,
      `${original}\n[[grant]]\nname = "Late starters start instances"\ngroups = ["late"]\nrunbooks = ["AWS-StartEC2Instance"]\nroles = ["${ROLE}"]\n`,
    );
    await expect.poll(catalog, { timeout: 10_000 }).toEqual(['AWS-StartEC2Instance']);
  } finally {
    writeFileSync(file, original);
  }
  await expect.poll(catalog, { timeout: 10_000 }).toEqual([]);
});

test('under executions = "own" each user sees the executions they started, not their teammates\'', async ({ page }) => {
  test.skip(!hydrated(page), 'requests made by a script: once is enough');
  addUser('oncall-ann', PASSWORD, ['oncall']);
  addUser('oncall-ben', PASSWORD, ['oncall']);
  const ann = await clientAs('oncall-ann', PASSWORD);
  const ben = await clientAs('oncall-ben', PASSWORD);
  const started = await ann.post('/api/start_automation', {
    form: { document: 'AWS-StartEC2Instance', 'p.InstanceId': 'i-0fedcba9876543210', 'p.AutomationAssumeRole': ROLE },
    maxRedirects: 0,
  });
  expect(started.status(), await started.text()).toBe(200);
  const id = (await started.json()) as string;
  const listed = async (client: typeof ann) => {
    const answer = await client.post('/api/list_executions', {
      form: { 'filters[status]': '', 'filters[prefix]': 'AWS-StartEC2Instance', 'filters[after]': '', 'filters[before]': '', 'filters[children]': 'false', 'filters[page]': '' },
    });
    return ((await answer.json()).rows as any[]).map((r) => r.id);
  };
  expect(await listed(ann)).toContain(id);
  expect(await listed(ben)).not.toContain(id);
  expect((await ann.post('/api/get_execution', { form: { id } })).status()).toBe(200);
  const refused = await ben.post('/api/get_execution', { form: { id } });
  expect(refused.status()).toBe(403);
  expect(await refused.text()).toContain(`You may not see execution ${id}`);
  expect((await ben.get(`/api/executions/${id}/events`)).status()).toBe(403);
  const control = await ben.post('/api/control_execution', { form: { id, control: 'Cancel' }, maxRedirects: 0 });
  expect(control.status()).toBe(403);
});

test('with several grants on one runbook the user picks the grant, and the form follows it', async ({ page }) => {
  test.skip(!hydrated(page), 'edits the grants file: once is enough');
  const file = join(dataDirs.emulator, 'grants.toml');
  const original = readFileSync(file, 'utf8');
  const name = 'two-grants';
  addUser(name, PASSWORD, ['web', 'late-night']);
  writeFileSync(
    file,
    `${original}\n[[grant]]\nname = "Late-night manual restarts"\ngroups = ["late-night"]\nrunbooks = ["${RUNBOOK}"]\nroles = ["arn:aws:iam::123456789012:role/AWS-SystemsManager-AutomationExecutionRole"]\nmodes = ["manual"]\n`,
  );
  try {
    await page.goto('/login');
    await signIn(page, name, PASSWORD);
    await expect(page).toHaveURL(/\/automation$/);
    // Both grants are in force once the file has been read again.
    await expect
      .poll(async () => (await page.request.post('/api/my_rights', { form: {} }).then((r) => r.json())).grants.length, { timeout: 10_000 })
      .toBe(2);
    await open(page, `/automation/execute/${RUNBOOK}`);
    const panel = page.getByRole('region', { name: 'Grant' });
    await expect(panel.locator('.grant-name')).toHaveText('Web team restarts web servers');
    await expect(page.getByRole('radio')).toHaveCount(2);
    await panel.getByRole('link', { name: 'Late-night manual restarts' }).click();
    await expect(page).toHaveURL(/grant=Late-night/);
    // A page of its own: its role picker is a select until it has hydrated.
    await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
    await expect(panel.locator('.grant-name')).toHaveText('Late-night manual restarts');
    // That grant: manual mode only, its own role, and no narrowing of InstanceId or WarmUp.
    await expect(page.getByRole('radio')).toHaveCount(1);
    await expect(page.getByRole('radio', { name: /Manual execution/ })).toBeChecked();
    await expect(page.locator('[data-parameter="WarmUp"]')).toHaveCount(1);
    const role = page.getByLabel(/^AutomationAssumeRole/);
    await role.fill('Role');
    await expect(page.getByRole('listbox', { name: 'IAM roles' }).getByRole('option')).toHaveText([/^AWS-SystemsManager-AutomationExecutionRole/]);
  } finally {
    writeFileSync(file, original);
  }
});
