import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page, TestInfo } from '@playwright/test';
import { test, expect, open, hydrated } from './fixtures';
import { addUser, clientAs, signIn } from './people';
import { bash, createRunbook, execution, executionsOf } from './aws';
import { parseCsv } from './csv';
import { emulatorEndpoint, portalLog, portals, tester } from '../playwright.config';

// Four eyes, under the sample grant "Production restarts, approved by a lead" (group prod, its
// approvers the group leads): the requester and the approver each sign in as themselves.
test.use({ storageState: { cookies: [], origins: [] } });

const bin = process.env.PORTAL_BIN ?? '../target/release/runbook-portal';
const PASSWORD = 'a four-eyes password';
const GRANT = 'Production restarts, approved by a lead';
const ROLE = 'arn:aws:iam::123456789012:role/AmazonSSMAutomationRole';

/** A runbook of this project's own that the grant covers (Prod-*), taking a password. */
function rotation(info: TestInfo): string {
  return createRunbook(info, 'Prod-RotateCredentials', {
    schemaVersion: '0.3',
    description: 'Sets a new database password.',
    assumeRole: '{{ AutomationAssumeRole }}',
    parameters: {
      Database: { type: 'String', description: 'Which database' },
      DbPassword: { type: 'String', description: 'The new password' },
      AutomationAssumeRole: { type: 'String', default: '' },
    },
    mainSteps: [
      { name: 'settle', action: 'aws:sleep', inputs: { Duration: 'PT1S' } },
      // AWS echoes its inputs back (the step's inputs, and the error naming what it was given).
      { name: 'store', action: 'aws:executeAwsApi', inputs: { Service: 'ssm', Api: 'DescribeDocument', Name: '{{ DbPassword }}' } },
    ],
  });
}

/** Fills the role picker with the grant's one role. */
async function chooseRole(page: Page) {
  const role = page.getByLabel(/^AutomationAssumeRole/);
  if (hydrated(page)) {
    await role.fill('AmazonSSMAutomationRole');
    await page.getByRole('listbox', { name: 'IAM roles' }).getByRole('option').first().click();
    await expect(role).toHaveValue(ROLE);
  } else {
    await role.selectOption(ROLE);
  }
}

/** A page of a browser of its own, signed in as `name` and on `path`. */
async function personAt(browser: Browser, name: string, path: string): Promise<Page> {
  // A context of its own takes none of the project's options: give it the same.
  const context = await browser.newContext({ baseURL: portals.emulator, javaScriptEnabled: hydrated(browser as never) });
  const page = await context.newPage();
  await page.goto(`/login?next=${encodeURIComponent(path)}`);
  await signIn(page, name, PASSWORD);
  await expect(page).toHaveURL(new RegExp(`${path.replace(/[?]/g, '\\?')}$`));
  if (hydrated(page)) await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  return page;
}

test('a start under a four-eyes grant waits until another person approves it; secrets stay masked', async ({ page, browser }, info) => {
  test.setTimeout(90_000);
  const runbook = rotation(info);
  const secret = `Rotated-${info.project.name}-s3cr3t-value`;
  const requester = `prod-${info.project.name}`;
  const lead = `lead-${info.project.name}`;
  addUser(requester, PASSWORD, ['prod']);
  addUser(lead, PASSWORD, ['leads']);

  // The requester fills in the form: the grant says a start waits for approval.
  await page.goto(`/login?next=${encodeURIComponent(`/automation/execute/${runbook}`)}`);
  await signIn(page, requester, PASSWORD);
  await open(page, `/automation/execute/${runbook}`);
  const grant = page.getByRole('region', { name: 'Grant' });
  await expect(grant).toContainText(GRANT);
  await expect(grant).toContainText('Four eyes: a start waits in Approval requests until an approver (group leads)');
  await page.getByLabel(/^Database/).fill('orders');
  const password = page.getByLabel(/^DbPassword/);
  await expect(password).toHaveAttribute('type', 'password');
  await password.fill(secret);
  await chooseRole(page);
  // The link to share keeps the form, but not the secret (an address is kept in history and logs).
  await page.getByRole('button', { name: 'Update link and preview' }).click();
  await expect(page).toHaveURL(/p\.Database=orders/);
  expect(page.url()).not.toContain(secret);
  expect(await page.content()).not.toContain(secret);
  if (hydrated(page)) await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await expect(page.getByLabel(/^AutomationAssumeRole/)).toHaveValue(ROLE);
  await page.getByLabel(/^DbPassword/).fill(secret);
  if (hydrated(page)) {
    // The CLI preview follows the form, but never shows the secret.
    const command = page.locator('[data-command="start"]');
    await expect(command).toContainText('orders');
    await expect(command).toContainText('********');
    await expect(command).not.toContainText(secret);
  }
  await page.getByRole('button', { name: 'Request approval' }).click();

  // The request waits; nothing ran.
  await expect(page).toHaveURL(/\/automation\/approvals\/[0-9a-f-]{36}$/);
  const id = page.url().split('/').pop()!;
  await expect(page.locator('[data-field="status"]')).toHaveText('Waiting for approval');
  await expect(page.locator('[data-parameter="Database"]')).toContainText('orders');
  await expect(page.locator('[data-parameter="DbPassword"]')).toContainText('********');
  await expect(page.locator('.cli [data-command="start"]')).toContainText(`--document-name "${runbook}"`);
  await expect(page.getByText('must decide it, not you')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Approve and start' })).toHaveCount(0);
  expect(await page.content()).not.toContain(secret);
  expect(executionsOf(runbook)).toEqual([]);
  // Nor may the requester approve it by hand.
  const own = await page.request.post('/api/decide_approval', { form: { id, decision: 'Approve' }, maxRedirects: 0 });
  expect(own.status()).toBe(403);
  expect(await own.text()).toContain('you cannot decide it');
  expect(executionsOf(runbook)).toEqual([]);

  // The lead sees it among the requests to decide, with the resolved inputs and the command.
  const leadPage = await personAt(browser, lead, '/automation/approvals');
  const row = leadPage.locator(`tr[data-request="${id}"]`);
  await expect(row).toContainText(requester);
  await expect(row).toContainText('(yours to decide)');
  expect(await leadPage.content()).not.toContain(secret);
  await row.getByRole('link').click();
  await expect(leadPage).toHaveURL(new RegExp(`/automation/approvals/${id}$`));
  if (hydrated(leadPage)) await expect(leadPage.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await expect(leadPage.locator('[data-field="requested-by"]')).toContainText(requester);
  await expect(leadPage.locator('.cli [data-command="start"]')).toContainText('DbPassword');
  expect(await leadPage.content()).not.toContain(secret);
  await leadPage.getByLabel('Comment (required to reject)').fill('Rotation agreed in CHG-42');
  await leadPage.getByRole('button', { name: 'Approve and start' }).click();
  await expect(leadPage.locator('[data-field="status"]')).toHaveText('Approved and started', { timeout: 15_000 });
  await expect(leadPage.locator('[data-field="decided-by"]')).toContainText(lead);
  const executionId = (await leadPage.locator('[data-field="execution"]').textContent())!.trim();

  // AWS got the real password and the request's tags; the portal shows it to nobody.
  const started = execution(executionId);
  expect(started.DocumentName).toBe(runbook);
  expect(started.Parameters.DbPassword).toEqual([secret]);
  const tags = bash(`aws ssm list-tags-for-resource --resource-type Automation --resource-id ${executionId}`).TagList;
  expect(tags).toEqual(expect.arrayContaining([
    { Key: 'portal:user', Value: requester },
    { Key: 'portal:request', Value: id },
    { Key: 'portal:approved-by', Value: lead },
  ]));
  // The approver follows what they let run, to its end (the second step fails on the name).
  await leadPage.locator('[data-field="execution"]').click();
  await expect(leadPage).toHaveURL(new RegExp(`/automation/executions/${executionId}$`));
  await expect.poll(() => execution(executionId).AutomationExecutionStatus, { timeout: 20_000 }).toMatch(/Success|Failed/);
  await leadPage.reload();
  await expect(leadPage.locator('body')).toContainText(runbook);
  expect(await leadPage.content()).not.toContain(secret);

  // The requester sees the decision, and their execution.
  await page.reload();
  await expect(page.locator('[data-field="status"]')).toHaveText('Approved and started');
  await expect(page.locator('[data-field="comment"]')).toHaveText('Rotation agreed in CHG-42');
  await page.locator('[data-field="execution"]').click();
  await expect(page).toHaveURL(new RegExp(`/automation/executions/${executionId}$`));
  await expect(page.locator('body')).toContainText('********');
  expect(await page.content()).not.toContain(secret);
  await page.goto('/automation');
  expect(await page.content()).not.toContain(secret);

  // The audit trail: who asked, who approved, what started; no secret in it.
  const admin = await clientAs(tester.name, tester.password);
  const csv = await (await admin.get('/audit.csv')).text();
  expect(csv).not.toContain(secret);
  const records = parseCsv(csv).filter((r) => r.request_id === id);
  expect(records.find((r) => r.action === 'request-approval')).toMatchObject({ user: requester, runbook, outcome: 'succeeded' });
  const approval = records.find((r) => r.action === 'approve-request')!;
  expect(approval).toMatchObject({ user: lead, outcome: 'succeeded', execution_id: executionId });
  expect(approval.detail).toContain('Rotation agreed in CHG-42');
  expect(JSON.parse(approval.parameters).DbPassword).toEqual(['********']);
  const auditPage = await admin.get('/audit');
  expect(await auditPage.text()).not.toContain(secret);

  // And the portal's log: it recorded the request (so this is the right log), never the secret.
  const log = readFileSync(portalLog, 'utf8');
  expect(log).toContain(id);
  expect(log).not.toContain(secret);
  await leadPage.context().close();
});

test('an approver rejects with a reason; a requester withdraws; nothing runs', async ({ page, browser }, info) => {
  const runbook = rotation(info);
  const requester = `prod-rejected-${info.project.name}`;
  const lead = `lead-rejecting-${info.project.name}`;
  addUser(requester, PASSWORD, ['prod']);
  addUser(lead, PASSWORD, ['leads']);
  const asker = await clientAs(requester, PASSWORD);
  const ask = async () => {
    const answer = await asker.post('/api/start_automation', {
      form: { document: runbook, 'p.Database': 'billing', 'p.DbPassword': 'never-shown-1', 'p.AutomationAssumeRole': ROLE },
      maxRedirects: 0,
    });
    expect(answer.status(), await answer.text()).toBe(200);
    const id = (await answer.json()) as string;
    // A script learns where the request waits.
    expect(answer.headers().location).toBe(`/automation/approvals/${id}`);
    return id;
  };
  const before = executionsOf(runbook).length;
  const rejected = await ask();
  const withdrawn = await ask();

  const leadPage = await personAt(browser, lead, `/automation/approvals/${rejected}`);
  await leadPage.getByRole('button', { name: 'Reject' }).click();
  await expect(leadPage.getByRole('alert')).toContainText('Say why you reject it');
  await expect(leadPage.locator('[data-field="status"]')).toHaveText('Waiting for approval');
  await leadPage.getByLabel('Comment (required to reject)').fill('Not during the sale');
  await leadPage.getByRole('button', { name: 'Reject' }).click();
  await expect(leadPage.locator('[data-field="status"]')).toHaveText('Rejected');
  await expect(leadPage.locator('[data-field="comment"]')).toHaveText('Not during the sale');

  // The requester takes the other back; the lead can no longer decide it.
  await page.goto(`/login?next=${encodeURIComponent(`/automation/approvals/${withdrawn}`)}`);
  await signIn(page, requester, PASSWORD);
  await open(page, `/automation/approvals/${withdrawn}`);
  await page.getByRole('button', { name: 'Withdraw request' }).click();
  await expect(page.locator('[data-field="status"]')).toHaveText('Withdrawn');
  await leadPage.goto(`/automation/approvals/${withdrawn}`);
  await expect(leadPage.locator('[data-field="status"]')).toHaveText('Withdrawn');
  await expect(leadPage.getByRole('button', { name: 'Approve and start' })).toHaveCount(0);
  const late = await leadPage.request.post('/api/decide_approval', { form: { id: withdrawn, decision: 'Approve' }, maxRedirects: 0 });
  expect(await late.text()).toContain('already decided');

  // A stranger sees neither request.
  addUser(`stranger-${info.project.name}`, PASSWORD, ['web']);
  const stranger = await clientAs(`stranger-${info.project.name}`, PASSWORD);
  expect((await stranger.post('/api/get_approval', { form: { id: rejected } })).status()).toBe(403);
  expect(await (await stranger.post('/api/list_approvals', { form: {} })).text()).not.toContain(rejected);
  expect(executionsOf(runbook).length).toBe(before);
  await leadPage.context().close();
});

test('waiting requests survive a restart of the portal', async ({ page }, info) => {
  test.skip(!hydrated(page), 'about the server: once is enough');
  test.setTimeout(60_000);
  const runbook = rotation(info);
  const data = mkdtempSync(join(tmpdir(), 'runbook-portal-approvals-'));
  const port = Number(process.env.PORTAL_PORT ?? 3100) + 4;
  const base = `http://127.0.0.1:${port}`;
  for (const [name, group] of [['restart-prod', 'prod'], ['restart-lead', 'leads']]) {
    execFileSync(bin, ['users', 'add', name, '--group', group, '--password-stdin', '--data-dir', data], { input: `${PASSWORD}\n` });
  }
  const serve = () => {
    const child = spawn(bin, ['serve', '--listen', `127.0.0.1:${port}`, '--data-dir', data, '--emulator-url', emulatorEndpoint], { stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    return { child, exited };
  };
  const ready = () => expect.poll(() => fetch(`${base}/healthz`).then((r) => r.status, () => 0), { timeout: 20_000 }).toBe(200);
  const cookieOf = async (name: string) => {
    const answer = await fetch(`${base}/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ name, password: PASSWORD, next: '/automation' }).toString(),
      redirect: 'manual',
    });
    return answer.headers.getSetCookie()[0].split(';')[0];
  };
  const post = (cookie: string, fn: string, form: Record<string, string>) =>
    fetch(`${base}/api/${fn}`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
      redirect: 'manual',
    });

  const first = serve();
  await ready();
  const asked = await post(await cookieOf('restart-prod'), 'start_automation', { document: runbook, 'p.Database': 'ledger', 'p.DbPassword': 'never-shown-2', 'p.AutomationAssumeRole': ROLE });
  expect(asked.status).toBe(200);
  const id = (await asked.json()) as string;
  first.child.kill('SIGTERM');
  await first.exited;

  const second = serve();
  try {
    await ready();
    const lead = await cookieOf('restart-lead');
    const listed = ((await (await post(lead, 'list_approvals', {})).json()) as { requests: { id: string; status: string; may_decide: boolean }[] }).requests;
    expect(listed.find((r) => r.id === id)).toMatchObject({ status: 'pending', may_decide: true });
    expect((await post(lead, 'decide_approval', { id, decision: 'Approve', comment: 'after the restart' })).status).toBeLessThan(400);
    const decided = (await (await post(lead, 'get_approval', { id })).json()) as { status: string; execution_id: string };
    expect(decided.status).toBe('started');
    expect(execution(decided.execution_id).Parameters.Database).toEqual(['ledger']);
  } finally {
    second.child.kill('SIGTERM');
    await second.exited;
  }
});
