import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request, type Page } from '@playwright/test';
import { Processes } from './processes';
import { test, expect, hydrated } from './fixtures';
import { bash, createRunbook, executionsOf } from './aws';
import { chooseRole } from './procedures';
import { mail, person, portal, smtp } from './own_portal';

// Scheduled runs on a portal of this file's own, whose configuration lets a schedule run every
// two seconds (schedule_min_interval_seconds = 1) so that a test sees several occurrences.
test.use({ storageState: { cookies: [], origins: [] } });

const ROLE = 'arn:aws:iam::123456789012:role/AmazonSSMAutomationRole';
const EVERY_TWO_SECONDS = '*/2 * * * * *';

const processes = new Processes();
test.afterEach(() => processes.stopAll());

function chore(info: Parameters<typeof createRunbook>[0], stem: string): string {
  return createRunbook(info, stem, {
    schemaVersion: '0.3',
    description: 'A small chore.',
    assumeRole: '{{ AutomationAssumeRole }}',
    parameters: { AutomationAssumeRole: { type: 'String', default: '' } },
    mainSteps: [{ name: 'settle', action: 'aws:sleep', inputs: { Duration: 'PT1S' } }],
  });
}

function grantsFor(runbook: string, group: string): string {
  return `[[grant]]\nname = "Scheduled chores"\ngroups = ["${group}"]\nrunbooks = ["${runbook}"]\nroles = ["${ROLE}"]\nschedules = true\n`;
}

/** The schedule's runs that started an execution, as its section on the page lists them. */
async function startedRuns(page: Page, id: string): Promise<string[]> {
  await page.goto('/automation/schedules');
  return page.locator(`[data-schedule="${id}"] tr[data-outcome="started"] a code`).allTextContents();
}

test('a schedule made from the form runs as its owner, is audited, pauses and resumes, and pauses itself when its grant goes', async ({ page, browser }, info) => {
  test.setTimeout(120_000);
  const port = Number(process.env.PORTAL_PORT ?? 3100) + 120 + (hydrated(page) ? 0 : 5);
  const dir = mkdtempSync(join(tmpdir(), 'runbook-portal-schedules-'));
  const messages = await smtp(processes, port + 1, dir);
  const runbook = chore(info, 'Scheduled-Chore');
  const grants = join(dir, 'grants.toml');
  writeFileSync(grants, grantsFor(runbook, 'ops'));
  const config = join(dir, 'portal.toml');
  writeFileSync(
    config,
    `schedule_min_interval_seconds = 1\n[notifications.smtp]\nhost = "127.0.0.1"\nport = ${port + 1}\nsecurity = "none"\nusername = "portal-mail"\npassword = "mail-password"\nfrom = "portal@example.com"\n`,
  );
  const base = await portal(processes, port, dir, grants, config, [['operator', 'ops'], ['admin', 'admins']]);

  // The owner asks to be told if the portal pauses one of their schedules.
  const operator = await person(browser, base, 'operator', '/notifications');
  const email = operator.locator('fieldset[data-channel="email"]');
  await email.getByLabel('E-mail address').fill('operator@example.com');
  await email.getByLabel('The portal pauses a schedule of mine').check();
  await operator.getByRole('button', { name: 'Save' }).click();
  await expect(operator.getByText('Your notification settings are saved.')).toBeVisible();

  // The form, then Run on a schedule: a mistake in the expression comes back, saying what to give.
  await operator.goto(`/automation/execute/${runbook}`);
  if (hydrated(operator)) await expect(operator.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await chooseRole(operator, 'AmazonSSMAutomationRole', ROLE);
  await operator.getByText('Run on a schedule').click();
  await operator.getByLabel('Schedule name').fill('Chore every two seconds');
  await operator.getByLabel('Cron expression').fill('*/2 * * * * * * *');
  await operator.getByLabel('Time zone').fill('Europe/Paris');
  await operator.getByRole('button', { name: 'Schedule…' }).click();
  await expect(operator.getByRole('alert').first()).toContainText('no schedule was made');
  await expect(operator.locator('#error-schedule-cron')).toContainText('is not a cron expression');
  await expect(operator.getByLabel('Schedule name')).toHaveValue('Chore every two seconds');
  await expect(operator.getByLabel('Time zone')).toHaveValue('Europe/Paris');
  expect(executionsOf(runbook)).toEqual([]);
  if (hydrated(operator)) await expect(operator.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await chooseRole(operator, 'AmazonSSMAutomationRole', ROLE);
  await operator.getByLabel('Cron expression').fill(EVERY_TWO_SECONDS);
  await operator.getByRole('button', { name: 'Schedule…' }).click();

  // It is listed as active, its next run in its own time zone, and it runs.
  await expect(operator).toHaveURL(/\/automation\/schedules#schedule-[0-9a-f-]{36}$/);
  const id = operator.url().split('#schedule-').pop()!;
  const section = operator.locator(`[data-schedule="${id}"]`);
  await expect(section.locator('[data-field="state"]')).toHaveText('active');
  await expect(section.locator('[data-field="next"]')).toContainText(/CET|CEST/);
  await expect.poll(async () => (await startedRuns(operator, id)).length, { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
  const started = await startedRuns(operator, id);
  // The runbook's page shows its schedule, and leads to it.
  await operator.goto(`/documents/${runbook}`);
  const row = operator.getByRole('region', { name: 'Schedules' }).locator(`tr[data-schedule="${id}"]`);
  await expect(row).toContainText('Chore every two seconds');
  await expect(row).toContainText('active');
  await row.getByRole('link', { name: 'Chore every two seconds' }).click();
  await expect(operator).toHaveURL(new RegExp(`/automation/schedules#schedule-${id}$`));
  // Each started run is a real execution of the runbook, as the owner's grant shapes it.
  for (const execution of started.slice(0, 2)) {
    const run = bash(`aws ssm get-automation-execution --automation-execution-id ${execution}`).AutomationExecution;
    expect(run.DocumentName).toBe(runbook);
    expect(run.Parameters.AutomationAssumeRole).toEqual([ROLE]);
  }

  // The audit trail has each start as the owner's, by the schedule.
  const admin = await person(browser, base, 'admin', '/automation');
  await admin.goto(`/audit?user=operator&action=start`);
  await expect(admin.getByText('by the schedule “Chore every two seconds” of operator').first()).toBeVisible();
  await admin.goto(`/audit?user=operator&action=create-schedule`);
  await expect(admin.getByText('schedule “Chore every two seconds”: */2 * * * * * (Europe/Paris)')).toBeVisible();

  // Paused, it runs no more; resumed, it runs again.
  await operator.goto('/automation/schedules');
  await section.getByRole('button', { name: 'Pause' }).click();
  await expect(section.locator('[data-field="state"]')).toHaveText('paused: paused by operator');
  const whilePaused = (await startedRuns(operator, id)).length;
  await operator.waitForTimeout(5_000);
  expect((await startedRuns(operator, id)).length).toBe(whilePaused);
  await section.getByRole('button', { name: 'Resume' }).click();
  await expect(section.locator('[data-field="state"]')).toHaveText('active');
  await expect.poll(async () => (await startedRuns(operator, id)).length, { timeout: 30_000 }).toBeGreaterThan(whilePaused);

  // The owner loses the grant: the next run is refused, the schedule pauses, and they are told.
  writeFileSync(grants, grantsFor(runbook, 'someone-else'));
  await expect.poll(async () => {
    await operator.goto('/automation/schedules');
    return section.locator('[data-field="state"]').textContent();
  }, { timeout: 30_000 }).toMatch(/^paused: paused by the portal: You have no grant to run/);
  await expect(section.locator('tr[data-outcome="refused"]').first()).toContainText('You have no grant to run');
  await expect.poll(() => mail(messages).map((m) => m.subject), { timeout: 15_000 }).toEqual(['Schedule “Chore every two seconds” is paused']);
  expect(mail(messages)[0].body).toContain(`${base}/automation/schedules`);
  const refusedRuns = executionsOf(runbook).length;
  await operator.waitForTimeout(4_000);
  expect(executionsOf(runbook).length).toBe(refusedRuns);
});

test('a schedule with a secret value, or from a script without a grant allowing schedules, is refused', async ({ page }, info) => {
  test.skip(!hydrated(page), 'about the server: once is enough');
  const port = Number(process.env.PORTAL_PORT ?? 3100) + 130;
  const dir = mkdtempSync(join(tmpdir(), 'runbook-portal-schedules-'));
  const runbook = createRunbook(info, 'Scheduled-Secret', {
    schemaVersion: '0.3',
    description: 'Needs a password.',
    assumeRole: '{{ AutomationAssumeRole }}',
    parameters: { DbPassword: { type: 'String', default: '' }, AutomationAssumeRole: { type: 'String', default: '' } },
    mainSteps: [{ name: 'settle', action: 'aws:sleep', inputs: { Duration: 'PT1S' } }],
  });
  const grants = join(dir, 'grants.toml');
  writeFileSync(
    grants,
    `${grantsFor(runbook, 'ops')}\n[[grant]]\nname = "By hand only"\ngroups = ["hands"]\nrunbooks = ["${runbook}"]\nroles = ["${ROLE}"]\n`,
  );
  const config = join(dir, 'portal.toml');
  writeFileSync(config, 'schedule_min_interval_seconds = 1\n');
  const base = await portal(processes, port, dir, grants, config, [['operator', 'ops'], ['hand', 'hands'], ['outsider', 'nobody']]);
  const ask = async (name: string, fields: Record<string, string>) => {
    const client = await request.newContext({ baseURL: base });
    await client.post('/session', { form: { name, password: 'a notified password', next: '/automation' }, maxRedirects: 0 });
    return client.post('/api/schedule_automation', {
      form: { document: runbook, 'p.AutomationAssumeRole': ROLE, 'schedule.name': 'x', 'schedule.cron': EVERY_TWO_SECONDS, ...fields },
      maxRedirects: 0,
    });
  };
  const secret = await ask('operator', { 'p.DbPassword': 'hunter2-never-kept' });
  expect(secret.status()).toBe(400);
  expect(await secret.text()).toContain('A schedule cannot keep the secret value of DbPassword');
  const byHand = await ask('hand', {});
  expect(byHand.status()).toBe(403);
  expect(await byHand.text()).toContain('does not allow schedules');
  const outsider = await ask('outsider', {});
  expect(outsider.status()).toBe(403);
  const nowhere = await ask('operator', { 'schedule.time_zone': 'Mars/Olympus' });
  expect(nowhere.status()).toBe(400);
  expect((await nowhere.json()).Invalid[0]).toMatchObject({ field: 'schedule.time_zone', message: expect.stringContaining('"Mars/Olympus" is not a time zone') });
  expect(executionsOf(runbook)).toEqual([]);
});

test('a schedule under a four-eyes grant waits for one approval by another person, then runs without asking again', async ({ page, browser }, info) => {
  test.skip(!hydrated(page), 'the approval page without JavaScript is tested with approvals: once is enough');
  test.setTimeout(90_000);
  const port = Number(process.env.PORTAL_PORT ?? 3100) + 137;
  const dir = mkdtempSync(join(tmpdir(), 'runbook-portal-schedules-'));
  const runbook = chore(info, 'Scheduled-Four-Eyes');
  const grants = join(dir, 'grants.toml');
  writeFileSync(
    grants,
    `[[grant]]\nname = "Four eyes"\ngroups = ["leads"]\nrunbooks = ["${runbook}"]\nroles = ["${ROLE}"]\napproval = { groups = ["approvers"] }\nschedules = true\n`,
  );
  const config = join(dir, 'portal.toml');
  writeFileSync(config, 'schedule_min_interval_seconds = 1\n');
  const base = await portal(processes, port, dir, grants, config, [['lead', 'leads'], ['approver', 'approvers']]);
  // The owner works from Tokyo: their browser says so, and next runs are given in their time.
  const lead = await person(browser, base, 'lead', '/automation', 'Asia/Tokyo');
  const made = await lead.request.post('/api/schedule_automation', {
    form: { document: runbook, 'p.AutomationAssumeRole': ROLE, 'schedule.name': 'Approved chore', 'schedule.cron': EVERY_TWO_SECONDS },
    maxRedirects: 0,
  });
  expect(made.status(), await made.text()).toBe(200);
  const id = (await made.json()) as string;

  // It waits, runs nothing, and cannot be resumed into running by its owner.
  await lead.goto('/automation/schedules');
  const section = lead.locator(`[data-schedule="${id}"]`);
  await expect(section.locator('[data-field="state"]')).toHaveText('awaiting-approval: waits for approval by group approvers, administrators');
  await expect(section.getByRole('button', { name: /Pause|Resume/ })).toHaveCount(0);
  const resume = await lead.request.post('/api/change_schedule', { form: { id, change: 'resume' }, maxRedirects: 0 });
  expect(resume.status()).toBe(400);
  expect(await resume.text()).toContain('waits for approval');
  await lead.waitForTimeout(3_000);
  expect(executionsOf(runbook)).toEqual([]);

  // Its owner reads the request but cannot decide it; four eyes means another person.
  await section.locator('[data-field="approval"] a').click();
  await expect(lead.locator('[data-field="schedule"]')).toContainText('“Approved chore”: */2 * * * * * (UTC)');
  await expect(lead.getByRole('button', { name: 'Approve the schedule' })).toHaveCount(0);
  const approvalId = lead.url().split('/').pop()!;
  const own = await lead.request.post('/api/decide_approval', { form: { id: approvalId, decision: 'Approve' }, maxRedirects: 0 });
  expect(own.status()).toBe(403);
  expect(executionsOf(runbook)).toEqual([]);

  // An approver approves it once; it then runs at each time, tagged with who approved it.
  const approver = await person(browser, base, 'approver', `/automation/approvals/${approvalId}`);
  await expect(approver.locator('[data-field="schedule"]')).toContainText('Approved chore');
  await approver.getByRole('button', { name: 'Approve the schedule' }).click();
  await expect(approver.locator('[data-field="status"]')).toHaveText('Approved: the schedule runs');
  await expect.poll(async () => (await startedRuns(lead, id)).length, { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
  await expect(section.locator('[data-field="approval"]')).toContainText('approved by approver');
  await expect(section.locator('[data-field="next"]')).toContainText(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d JST your time \(Asia\/Tokyo\); .* UTC in UTC \(.* UTC\)$/);
  const [first] = await startedRuns(lead, id);
  const tags = bash(`aws ssm list-tags-for-resource --resource-type Automation --resource-id ${first}`).TagList;
  expect(tags).toEqual(expect.arrayContaining([
    { Key: 'portal:user', Value: 'lead' },
    { Key: 'portal:schedule', Value: id },
    { Key: 'portal:approved-by', Value: 'approver' },
  ]));
  await section.getByRole('button', { name: 'Pause' }).click();
  await expect(section.locator('[data-field="state"]')).toHaveText('paused: paused by lead');
});

test('two portals on one database start each occurrence once', async ({ page, browser }, info) => {
  test.skip(!hydrated(page), 'about the server: once is enough');
  test.setTimeout(90_000);
  const server = process.env.PORTAL_TEST_POSTGRES;
  if (!server) throw new Error('PORTAL_TEST_POSTGRES is not set: run the suite under scripts/with-postgres (make e2e does)');
  const db = `schedules_${process.pid}_${Date.now()}`;
  execFileSync('psql', [server, '-q', '-c', `CREATE DATABASE ${db}`]);
  const database = server.replace(/\/[^/]*$/, `/${db}`);
  const port = Number(process.env.PORTAL_PORT ?? 3100) + 135;
  const dir = mkdtempSync(join(tmpdir(), 'runbook-portal-schedules-'));
  const runbook = chore(info, 'Scheduled-Twice');
  const grants = join(dir, 'grants.toml');
  writeFileSync(grants, grantsFor(runbook, 'ops'));
  const config = join(dir, 'portal.toml');
  writeFileSync(config, 'schedule_min_interval_seconds = 1\n');
  const one = await portal(processes, port, dir, grants, config, [['operator', 'ops']], database);
  await portal(processes, port + 1, dir, grants, config, [], database);
  const operator = await person(browser, one, 'operator', '/automation');
  const made = await operator.request.post('/api/schedule_automation', {
    form: { document: runbook, 'p.AutomationAssumeRole': ROLE, 'schedule.name': 'Twice over', 'schedule.cron': EVERY_TWO_SECONDS },
    maxRedirects: 0,
  });
  expect(made.status(), await made.text()).toBe(200);
  const id = (await made.json()) as string;
  await expect.poll(async () => (await startedRuns(operator, id)).length, { timeout: 30_000 }).toBeGreaterThanOrEqual(4);
  await operator.locator(`[data-schedule="${id}"]`).getByRole('button', { name: 'Pause' }).click();
  await operator.waitForTimeout(3_000);
  // Every execution of the runbook is one run of the schedule: none started twice.
  const started = await startedRuns(operator, id);
  const executions = executionsOf(runbook).map((e: any) => e.AutomationExecutionId);
  expect(new Set(started).size).toBe(started.length);
  expect(executions.sort()).toEqual([...started].sort());
});
