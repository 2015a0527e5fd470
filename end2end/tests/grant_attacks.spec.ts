import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestInfo } from '@playwright/test';
import { test, expect, hydrated } from './fixtures';
import { bash, createRunbook, execution, executionsOf } from './aws';
import { parseCsv } from './csv';
import { emulatorEndpoint } from '../playwright.config';

// The grant model attacked over plain HTTP, as a hostile insider with curl would: each request
// here is one a browser never sends, and each would have got through before the grant model
// checked it. A portal of its own (on the shared emulator) runs under the grants below.
test.use({ storageState: { cookies: [], origins: [] } });

const bin = process.env.PORTAL_BIN ?? '../target/release/runbook-portal';
const PORT = Number(process.env.PORTAL_PORT ?? 3100) + 40;
const PASSWORD = 'an attack password';
const ROLE = 'arn:aws:iam::123456789012:role/AmazonSSMAutomationRole';
const READ_ONLY_ROLE = 'arn:aws:iam::123456789012:role/SSMAutomationReadOnlyRole';
const PORTAL_ARN = 'arn:aws:sts::123456789012:assumed-role/Administrator/Admin';
const SHARED = 'TeamA-StopTaggedInstances';
const SHARED_ARN = `arn:aws:ssm:us-east-1:111122223333:document/${SHARED}`;
const HIDDEN_VALUE = 'hidden-fixed-marker-7c1';
// An instance no account has: the runs these tests let through change nothing others use.
const NOWHERE = 'i-0000000000000dead';

const GRANTS = `
[[grant]]
name = "Watch manual runs"
users = ["atk-bob", "atk-carol"]
runbooks = ["Attack-Manual-*"]
roles = ["${ROLE}"]
modes = ["manual"]
executions = "all"

[[grant]]
name = "Approval-step runs"
users = ["atk-bob"]
runbooks = ["Attack-ApproveStep-*"]
roles = ["${ROLE}"]
step_approvers = { users = ["atk-lena"] }

[[grant]]
name = "Team A by name"
users = ["atk-bob"]
runbooks = ["TeamA-*"]
roles = ["${ROLE}"]

[[grant]]
name = "Team A by ARN"
users = ["atk-ann"]
runbooks = ["arn:aws:ssm:*:111122223333:document/TeamA-*"]
roles = ["${ROLE}"]

[[grant]]
name = "Narrowed and hidden"
users = ["atk-bob"]
runbooks = ["Attack-Defaults-*"]
roles = ["${ROLE}"]
[grant.parameters.Level]
allowed = ["low"]
[grant.parameters.Note]
fixed = "${HIDDEN_VALUE}"
hidden = true

[[grant]]
name = "Fixed role"
users = ["atk-bob"]
runbooks = ["Attack-FixedRole-*"]
roles = ["${ROLE}"]

[[grant]]
name = "Misspelled rule"
users = ["atk-bob"]
runbooks = ["Attack-Misspelled-*"]
roles = ["${ROLE}"]
[grant.parameters.level]
allowed = ["low"]

[[grant]]
name = "Secret input"
users = ["atk-bob"]
runbooks = ["Attack-Secret-*"]
roles = ["${ROLE}"]

[[grant]]
name = "Fleet"
users = ["atk-bob"]
runbooks = ["AWS-RestartEC2Instance"]
roles = ["${ROLE}"]
modes = ["multi-account"]
multi_account = { accounts = ["111122223333"], regions = ["us-east-1"], execution_roles = ["AWS-SystemsManager-AutomationExecutionRole"] }

[[grant]]
name = "Versioned, four eyes"
users = ["atk-req", "atk-gone"]
runbooks = ["Attack-Versioned-*"]
roles = ["${ROLE}"]
approval = { users = ["atk-lena"] }
`;

const USERS: [string, string[]][] = [
  ['atk-admin', ['admins']],
  ['atk-bob', ['attackers']],
  ['atk-carol', ['attackers']],
  ['atk-lena', ['leads']],
  ['atk-ann', ['team-a']],
  ['atk-req', ['requesters']],
  ['atk-gone', ['requesters']],
  ['atk-flood', ['attackers']],
];

interface Answer {
  status: number;
  location: string;
  body: string;
}

/** A portal of this file's own, under `GRANTS`, on the shared emulator. */
class Portal {
  readonly base: string;
  readonly data: string;
  private child?: ChildProcess;
  private cookies = new Map<string, string>();

  constructor(
    readonly port: number,
    private readonly extra: string[] = [],
  ) {
    this.base = `http://127.0.0.1:${port}`;
    this.data = mkdtempSync(join(tmpdir(), 'runbook-portal-attacks-'));
    writeFileSync(join(this.data, 'grants.toml'), GRANTS);
    for (const [name, groups] of USERS) {
      execFileSync(bin, ['users', 'add', name, ...groups.flatMap((g) => ['--group', g]), '--password-stdin', '--data-dir', this.data], { input: `${PASSWORD}\n` });
    }
  }

  async start() {
    this.child = spawn(bin, ['serve', '--listen', `127.0.0.1:${this.port}`, '--data-dir', this.data, '--emulator-url', emulatorEndpoint, ...this.extra], { stdio: 'ignore' });
    await expect.poll(() => fetch(`${this.base}/healthz`).then((r) => r.status, () => 0), { timeout: 20_000 }).toBe(200);
  }

  async stop() {
    if (!this.child) return;
    const exited = new Promise((resolve) => this.child!.on('exit', resolve));
    this.child.kill('SIGTERM');
    await exited;
  }

  async cookieOf(name: string): Promise<string> {
    const known = this.cookies.get(name);
    if (known) return known;
    const answer = await fetch(`${this.base}/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ name, password: PASSWORD, next: '/automation' }).toString(),
      redirect: 'manual',
    });
    expect(answer.headers.get('location'), `${name} signs in`).toBe('/automation');
    const cookie = answer.headers.getSetCookie()[0].split(';')[0];
    this.cookies.set(name, cookie);
    return cookie;
  }

  /** A server function called as a script calls it (`page`: as a browser's form post). */
  async call(who: string, fn: string, form: Record<string, string>, page = false): Promise<Answer> {
    const headers: Record<string, string> = { cookie: await this.cookieOf(who), 'content-type': 'application/x-www-form-urlencoded' };
    if (page) headers.accept = 'text/html';
    const answer = await fetch(`${this.base}/api/${fn}`, { method: 'POST', headers, body: new URLSearchParams(form).toString(), redirect: 'manual' });
    return { status: answer.status, location: answer.headers.get('location') ?? '', body: await answer.text() };
  }

  async get(who: string, path: string): Promise<Answer> {
    const answer = await fetch(`${this.base}${path}`, { headers: { cookie: await this.cookieOf(who) }, redirect: 'manual' });
    return { status: answer.status, location: answer.headers.get('location') ?? '', body: await answer.text() };
  }
}

function runbook(info: TestInfo, stem: string, parameters: object, steps: object[], assumeRole = '{{ AutomationAssumeRole }}'): string {
  return createRunbook(info, stem, {
    schemaVersion: '0.3',
    assumeRole,
    parameters: { AutomationAssumeRole: { type: 'String', default: '' }, ...parameters },
    mainSteps: steps,
  });
}

const SLEEPS = [
  { name: 'first', action: 'aws:sleep', inputs: { Duration: 'PT1S' } },
  { name: 'second', action: 'aws:sleep', inputs: { Duration: 'PT1S' } },
];

const statusOf = (id: string) => execution(id).AutomationExecutionStatus as string;
const startedCount = (document: string) => executionsOf(document).length;

let portal: Portal;

test.describe('the grant model under attack', () => {
  test.describe.configure({ mode: 'serial' });

  test.beforeAll(async ({}, info) => {
    if (info.project.name !== 'hydrated') return;
    portal = new Portal(PORT);
    await portal.start();
  });

  test.afterAll(async () => {
    await portal?.stop();
  });

  test('seeing an execution is not the right to control it', async ({ page }, info) => {
    test.skip(!hydrated(page), 'HTTP requests: once is enough');
    const name = runbook(info, 'Attack-Manual', {}, SLEEPS);
    const startManual = async (who: string) => {
      const answer = await portal.call(who, 'start_automation', { document: name, mode: 'manual', 'p.AutomationAssumeRole': ROLE });
      expect(answer.status, answer.body).toBe(200);
      return JSON.parse(answer.body) as string;
    };
    // Someone else's Interactive run: bob's grant shows everyone's executions.
    const carols = await startManual('atk-carol');
    await expect.poll(() => statusOf(carols)).toBe('Waiting');
    const seen = await portal.call('atk-bob', 'get_execution', { id: carols });
    expect(seen.status).toBe(200);
    expect(JSON.parse(seen.body).may).toEqual({ control: false, decide_steps: false });
    for (const control of ['Cancel', 'ExecuteStep', 'Complete']) {
      const refused = await portal.call('atk-bob', 'control_execution', { id: carols, control, step: 'first' });
      expect(refused.status, `${control}: ${refused.body}`).toBe(403);
      expect(refused.body).toContain('You may not control execution');
    }
    expect(statusOf(carols)).toBe('Waiting');
    // His own he controls.
    const bobs = await startManual('atk-bob');
    await expect.poll(() => statusOf(bobs)).toBe('Waiting');
    expect(JSON.parse((await portal.call('atk-bob', 'get_execution', { id: bobs })).body).may.control).toBe(true);
    const cancelled = await portal.call('atk-bob', 'control_execution', { id: bobs, control: 'Cancel' });
    expect(cancelled.status, cancelled.body).toBeLessThan(400);
    await expect.poll(() => statusOf(bobs)).toMatch(/Cancell?ing|Cancelled/);
    // And carol hers (the page offers her the controls).
    expect(JSON.parse((await portal.call('atk-carol', 'get_execution', { id: carols })).body).may.control).toBe(true);
    expect((await portal.call('atk-carol', 'control_execution', { id: carols, control: 'Cancel' })).status).toBeLessThan(400);
  });

  test('the starter of an execution cannot approve its approval step; a step approver can', async ({ page }, info) => {
    test.skip(!hydrated(page), 'HTTP requests: once is enough');
    const name = runbook(info, 'Attack-ApproveStep', { Approvers: { type: 'StringList', default: [PORTAL_ARN] } }, [
      { name: 'approve', action: 'aws:approve', inputs: { Approvers: '{{ Approvers }}', MinRequiredApprovals: 1, Message: 'Go?' } },
      { name: 'settle', action: 'aws:sleep', inputs: { Duration: 'PT1S' } },
    ]);
    const started = await portal.call('atk-bob', 'start_automation', { document: name, 'p.AutomationAssumeRole': ROLE });
    expect(started.status, started.body).toBe(200);
    const id = JSON.parse(started.body) as string;
    await expect.poll(() => statusOf(id)).toBe('Waiting');
    // AWS sees only the portal as the approver: the portal is where four eyes live.
    const own = await portal.call('atk-bob', 'control_execution', { id, control: 'Approve', comment: 'I approve myself' });
    expect(own.status, own.body).toBe(403);
    expect(own.body).toContain('you started it, so another approver must decide');
    const admin = await portal.call('atk-admin', 'get_execution', { id });
    expect(JSON.parse(admin.body).may.decide_steps, 'an admin who did not start it may decide').toBe(true);
    const bystander = await portal.call('atk-carol', 'control_execution', { id, control: 'Approve' });
    expect(bystander.status).toBe(403);
    expect(statusOf(id)).toBe('Waiting');
    // The grant's step approver needs no grant to run it: she sees it and decides.
    const lena = await portal.call('atk-lena', 'get_execution', { id });
    expect(lena.status, lena.body).toBe(200);
    expect(JSON.parse(lena.body).may).toEqual({ control: false, decide_steps: true });
    const approved = await portal.call('atk-lena', 'control_execution', { id, control: 'Approve', comment: 'Second pair of eyes' });
    expect(approved.status, approved.body).toBeLessThan(400);
    await expect.poll(() => statusOf(id), { timeout: 20_000 }).toBe('Success');
    // She may not cancel what she may decide.
    expect((await portal.call('atk-lena', 'control_execution', { id, control: 'Cancel' })).status).toBe(403);
    // The audit trail has her decision, with the comment.
    const csv = (await portal.get('atk-admin', `/audit.csv?execution=${id}`)).body;
    expect(csv).toMatch(/atk-lena.*approve.*succeeded/);
    expect(csv).toContain('Second pair of eyes');
  });

  test('in Manual mode the starter cannot step past an approval gate', async ({ page }, info) => {
    test.skip(!hydrated(page), 'HTTP requests: once is enough');
    const name = runbook(info, 'Attack-Manual-Gate', { Approvers: { type: 'StringList', default: [PORTAL_ARN] } }, [
      { name: 'approve', action: 'aws:approve', inputs: { Approvers: '{{ Approvers }}', MinRequiredApprovals: 1 } },
      { name: 'settle', action: 'aws:sleep', inputs: { Duration: 'PT1S' } },
    ]);
    const started = await portal.call('atk-bob', 'start_automation', { document: name, mode: 'manual', 'p.AutomationAssumeRole': ROLE });
    expect(started.status, started.body).toBe(200);
    const id = JSON.parse(started.body) as string;
    await expect.poll(() => statusOf(id)).toBe('Waiting');
    const skipped = await portal.call('atk-bob', 'control_execution', { id, control: 'ExecuteStep', step: 'settle' });
    expect(skipped.status, skipped.body).toBe(403);
    expect(skipped.body).toContain('only the next step (approve) may run');
    expect(execution(id).StepExecutions.filter((s: any) => s.StepName === 'settle' && s.StepStatus !== 'Pending')).toEqual([]);
    const next = await portal.call('atk-bob', 'control_execution', { id, control: 'ExecuteStep', step: 'approve' });
    expect(next.status, next.body).toBeLessThan(400);
    await portal.call('atk-bob', 'control_execution', { id, control: 'Cancel' });
  });

  test('a runbook outside one’s grants gets the same refusal whether it exists or not', async ({ page }) => {
    test.skip(!hydrated(page), 'HTTP requests: once is enough');
    // AWS-CreateImage exists; the other does not. Neither is in atk-bob's grants.
    const existing = 'AWS-CreateImage';
    const absent = 'Nowhere-NoSuchRunbook';
    const asks: [string, (name: string) => Record<string, string>][] = [
      ['get_runbook', (name) => ({ name, version: '' })],
      ['check_form', (name) => ({ document: name })],
      ['start_automation', (name) => ({ document: name, 'p.AutomationAssumeRole': ROLE })],
      ['list_roles', (name) => ({ runbook: name })],
      ['star_runbook', (name) => ({ runbook: name, star: 'true' })],
    ];
    for (const [fn, form] of asks) {
      const refused = await portal.call('atk-bob', fn, form(existing));
      const unknown = await portal.call('atk-bob', fn, form(absent));
      expect(refused.status, `${fn}: ${refused.body}`).toBe(403);
      expect(unknown.status, `${fn}: ${unknown.body}`).toBe(403);
      expect(unknown.body, fn).toBe(refused.body.replaceAll(existing, absent));
    }
    for (const path of ['/automation/execute/', '/documents/']) {
      const refused = await portal.get('atk-bob', path + existing);
      const unknown = await portal.get('atk-bob', path + absent);
      expect([refused.status, unknown.status], path).toEqual([403, 403]);
      expect(unknown.body).toContain(`You have no grant to run ${absent}`);
    }
    // A name inside the grant's pattern is the user's to ask about: it is simply not there.
    const missing = await portal.call('atk-bob', 'get_runbook', { name: 'TeamA-NoSuchRunbook', version: '' });
    expect(missing.status, missing.body).toBe(404);
  });

  test('a user refused 300 times within a minute is held back for the rest of it, and every refusal is recorded', async ({ page }) => {
    test.skip(!hydrated(page), 'HTTP requests: once is enough');
    const refused = () => portal.call('atk-flood', 'get_runbook', { name: 'AWS-CreateImage', version: '' });
    await portal.cookieOf('atk-flood');
    for (let sent = 0; sent < 300; sent += 25) {
      for (const answer of await Promise.all(Array.from({ length: 25 }, refused))) expect(answer.status, answer.body).toBe(403);
    }
    // Whatever it asks now is answered 429 unread: its own rights, a page.
    const held = await portal.call('atk-flood', 'my_rights', {});
    expect(held.status, held.body).toBe(429);
    expect(held.body).toContain('Too many of your requests were refused in the last minute: wait');
    expect((await portal.get('atk-flood', '/automation')).status).toBe(429);
    // Another user is heard.
    expect((await portal.call('atk-carol', 'my_rights', {})).status).toBe(200);
    // Each of the 300 refusals is in the audit trail, and the holding back once.
    const trail = async () => parseCsv((await portal.get('atk-admin', '/audit.csv?user=atk-flood&action=refused')).body).map((r) => r.detail);
    await expect.poll(async () => (await trail()).length).toBe(301);
    expect((await trail()).filter((d) => d.includes('held back'))).toHaveLength(1);
  });

  test('a runbook’s description cannot make its readers’ browsers ask the portal for what they may not see', async ({ page, pageErrors }, info) => {
    test.skip(!hydrated(page), 'a browser loads the images: once is enough');
    // Images of the portal's own addresses: each, asked by a reader's browser, would be a
    // refusal recorded (and counted toward holding back) as the reader's.
    const embedded = Array.from({ length: 5 }, (_, i) => `/documents/Nowhere-Embedded-${i}`);
    const name = createRunbook(info, 'Attack-Manual-Pictures', {
      schemaVersion: '0.3',
      description: embedded.map((path, i) => `![picture ${i}](${path})`).join('\n\n'),
      assumeRole: '{{ AutomationAssumeRole }}',
      parameters: { AutomationAssumeRole: { type: 'String', default: '' } },
      mainSteps: SLEEPS,
    });
    const cookie = await portal.cookieOf('atk-carol');
    const split = cookie.indexOf('=');
    await page.context().addCookies([{ name: cookie.slice(0, split), value: cookie.slice(split + 1), url: portal.base }]);
    const answered: number[] = [];
    page.on('response', (r) => {
      if (r.url().includes('/documents/Nowhere-Embedded-')) answered.push(r.status());
    });
    await page.goto(`${portal.base}/documents/${name}`);
    await expect(page.getByRole('img', { name: 'picture 4' })).toHaveCount(1);
    await expect.poll(() => answered.length).toBe(embedded.length);
    expect(new Set(answered)).toEqual(new Set([400]));
    // The browser logs each refused image; those are the only errors the page logged.
    expect(pageErrors.filter((e) => !e.includes('/documents/Nowhere-Embedded-'))).toEqual([]);
    pageErrors.length = 0;
    const trail = parseCsv((await portal.get('atk-admin', '/audit.csv?user=atk-carol&action=refused')).body);
    expect(trail.filter((r) => r.detail.includes('Nowhere-Embedded'))).toEqual([]);
  });

  test('a name pattern does not admit another account’s runbook of that name', async ({ page }) => {
    test.skip(!hydrated(page), 'HTTP requests: once is enough');
    const before = startedCount(SHARED_ARN) + startedCount(SHARED);
    const form = { document: SHARED, 'p.InstanceIds': NOWHERE, 'p.AutomationAssumeRole': ROLE };
    const refused = await portal.call('atk-bob', 'start_automation', form);
    expect(refused.status, refused.body).toBe(403);
    expect(refused.body).toContain(`You have no grant to run ${SHARED_ARN}`);
    expect((await portal.call('atk-bob', 'get_runbook', { name: SHARED, version: '' })).status).toBe(403);
    const catalog = await portal.call('atk-bob', 'list_runbooks', { owner: 'All', search: 'TeamA', page: '1' });
    expect(catalog.body).not.toContain(SHARED);
    expect(startedCount(SHARED_ARN) + startedCount(SHARED)).toBe(before);
    // Granted by its ARN, it runs, and the audit trail names whose it is.
    const listed = await portal.call('atk-ann', 'list_runbooks', { owner: 'All', search: 'TeamA', page: '1' });
    expect(listed.body).toContain(SHARED);
    const started = await portal.call('atk-ann', 'start_automation', form);
    expect(started.status, started.body).toBe(200);
    const id = JSON.parse(started.body) as string;
    expect(execution(id).DocumentName).toBe(SHARED_ARN);
    const csv = (await portal.get('atk-admin', `/audit.csv?execution=${id}`)).body;
    expect(csv).toContain(SHARED_ARN);
  });

  test('a hidden fixed value never reaches the browser, and defaults are held to the grant', async ({ page }, info) => {
    test.skip(!hydrated(page), 'HTTP requests: once is enough');
    const name = runbook(info, 'Attack-Defaults', { Level: { type: 'String', default: 'high' }, Note: { type: 'String', default: 'n' } }, SLEEPS);
    const rights = await portal.call('atk-bob', 'my_rights', {});
    expect(rights.status).toBe(200);
    expect(rights.body).toContain('Narrowed and hidden');
    expect(rights.body).not.toContain(HIDDEN_VALUE);
    // Not giving Level would run it at its default, which the grant does not allow.
    const before = startedCount(name);
    const refused = await portal.call('atk-bob', 'start_automation', { document: name, 'p.AutomationAssumeRole': ROLE });
    expect(refused.status, refused.body).toBe(403);
    expect(refused.body).toContain('does not allow \\"high\\" for Level');
    expect(startedCount(name)).toBe(before);
    const allowed = await portal.call('atk-bob', 'start_automation', { document: name, 'p.Level': 'low', 'p.AutomationAssumeRole': ROLE });
    expect(allowed.status, allowed.body).toBe(200);
    expect(execution(JSON.parse(allowed.body)).Parameters.Note).toEqual([HIDDEN_VALUE]);
  });

  test('a rule for a parameter the runbook does not declare fails closed', async ({ page }, info) => {
    test.skip(!hydrated(page), 'HTTP requests: once is enough');
    const name = runbook(info, 'Attack-Misspelled', { Level: { type: 'String', default: 'high' } }, SLEEPS);
    const refused = await portal.call('atk-bob', 'start_automation', { document: name, 'p.Level': 'high', 'p.AutomationAssumeRole': ROLE });
    expect(refused.status, refused.body).toBe(403);
    expect(refused.body).toContain('rule for the parameter level');
    expect(refused.body).toContain('it declares Level');
    expect(startedCount(name)).toBe(0);
  });

  test('a runbook that acts as a fixed role is not run under a grant’s roles', async ({ page }, info) => {
    test.skip(!hydrated(page), 'HTTP requests: once is enough');
    const name = runbook(info, 'Attack-FixedRole', {}, SLEEPS, READ_ONLY_ROLE);
    const refused = await portal.call('atk-bob', 'start_automation', { document: name, 'p.AutomationAssumeRole': ROLE });
    expect(refused.status, refused.body).toBe(403);
    expect(refused.body).toContain(`acts as ${READ_ONLY_ROLE} (its assumeRole)`);
    expect(startedCount(name)).toBe(0);
  });

  test('multi-account runs go only to the accounts, Regions and role the grant names', async ({ page }) => {
    test.skip(!hydrated(page), 'HTTP requests: once is enough');
    const before = startedCount('AWS-RestartEC2Instance');
    const form = (accounts: string, regions: string, role: string) => ({
      document: 'AWS-RestartEC2Instance',
      mode: 'multi-account',
      'target-parameter': 'InstanceId',
      'p.InstanceId': NOWHERE,
      'p.AutomationAssumeRole': ROLE,
      accounts,
      regions,
      'execution-role': role,
    });
    for (const [accounts, regions, role, why] of [
      ['444455556666', 'us-east-1', '', 'does not allow runs in 444455556666'],
      ['111122223333', 'eu-west-1', '', 'does not allow runs in the Region eu-west-1'],
      ['111122223333', 'us-east-1', 'Administrator', 'does not allow the execution role Administrator'],
    ]) {
      const refused = await portal.call('atk-bob', 'start_automation', form(accounts, regions, role));
      expect(refused.status, refused.body).toBe(403);
      expect(refused.body).toContain(why);
    }
    expect(startedCount('AWS-RestartEC2Instance')).toBe(before);
    const allowed = await portal.call('atk-bob', 'start_automation', form('111122223333', 'us-east-1', ''));
    expect(allowed.status, allowed.body).toBe(200);
  });

  test('a secret value is not repeated by a message about it', async ({ page }, info) => {
    test.skip(!hydrated(page), 'HTTP requests: once is enough');
    const name = runbook(info, 'Attack-Secret', { DbPassword: { type: 'String', allowedPattern: '^[a-z]+$' } }, SLEEPS);
    const secret = 'Hunter2-never-repeated';
    const form = { document: name, 'p.DbPassword': secret, 'p.AutomationAssumeRole': ROLE };
    const script = await portal.call('atk-bob', 'start_automation', form);
    expect(script.status).toBe(400);
    expect(script.body).toContain('does not match the pattern');
    expect(script.body).not.toContain(secret);
    // Without JavaScript the message rides in the address the browser is sent back to.
    const posted = await portal.call('atk-bob', 'start_automation', form, true);
    expect(posted.status).toBeGreaterThanOrEqual(300);
    expect(posted.location).not.toBe('');
    expect(decodeURIComponent(posted.location)).not.toContain(secret);
    expect(posted.body).not.toContain(secret);
  });

  test('an approval runs the version that was reviewed, as the requester is now', async ({ page }, info) => {
    test.skip(!hydrated(page), 'HTTP requests: once is enough');
    const name = runbook(info, 'Attack-Versioned', { Item: { type: 'String', default: 'v1' } }, SLEEPS);
    // Version 1 is the default when the request is made.
    bash(`aws ssm update-document-default-version --name ${name} --document-version 1`);
    const asked = await portal.call('atk-req', 'start_automation', { document: name, 'p.AutomationAssumeRole': ROLE });
    expect(asked.status, asked.body).toBe(200);
    const request = JSON.parse(asked.body) as string;
    expect(JSON.parse((await portal.call('atk-req', 'get_approval', { id: request })).body).version).toBe('1');
    // Then a version 2 becomes the default, before anyone decides.
    const content = JSON.stringify({
      schemaVersion: '0.3',
      assumeRole: '{{ AutomationAssumeRole }}',
      parameters: { AutomationAssumeRole: { type: 'String', default: '' }, Item: { type: 'String', default: 'v2' } },
      mainSteps: SLEEPS,
    }).replace(/'/g, "'\\''");
    const updated = bash(`aws ssm update-document --name ${name} --document-version '$LATEST' --content '${content}'`);
    bash(`aws ssm update-document-default-version --name ${name} --document-version ${updated.DocumentDescription.DocumentVersion}`);
    const approved = await portal.call('atk-lena', 'decide_approval', { id: request, decision: 'Approve', comment: 'v1 reviewed' });
    expect(approved.status, approved.body).toBeLessThan(400);
    const decided = JSON.parse((await portal.call('atk-lena', 'get_approval', { id: request })).body);
    expect(decided.status, decided.error).toBe('started');
    const started = execution(decided.execution_id);
    expect(started.DocumentVersion).toBe('1');
    expect(started.Parameters.Item ?? ['v1']).toEqual(['v1']);

    // A requester whose account is removed meanwhile is not started for.
    const gone = await portal.call('atk-gone', 'start_automation', { document: name, 'p.AutomationAssumeRole': ROLE });
    expect(gone.status, gone.body).toBe(200);
    const orphan = JSON.parse(gone.body) as string;
    execFileSync(bin, ['users', 'remove', 'atk-gone', '--data-dir', portal.data]);
    const refused = await portal.call('atk-lena', 'decide_approval', { id: orphan, decision: 'Approve' });
    expect(refused.status).toBe(403);
    expect(refused.body).toContain('the account atk-gone no longer exists');
    const after = JSON.parse((await portal.call('atk-lena', 'get_approval', { id: orphan })).body);
    expect(after.execution_id).toBe('');
  });

  test('the approvals list pages instead of stopping at a limit', async ({ page }, info) => {
    test.skip(!hydrated(page), 'HTTP requests: once is enough');
    test.setTimeout(120_000);
    const name = runbook(info, 'Attack-Versioned', { Item: { type: 'String', default: 'v1' } }, SLEEPS);
    for (let i = 0; i < 55; i++) {
      const asked = await portal.call('atk-req', 'start_automation', { document: name, 'p.Item': `page-${i}`, 'p.AutomationAssumeRole': ROLE });
      expect(asked.status, asked.body).toBe(200);
    }
    const first = JSON.parse((await portal.call('atk-lena', 'list_approvals', {})).body) as { requests: { id: string }[]; next: string | null };
    expect(first.requests).toHaveLength(50);
    expect(first.next).toBeTruthy();
    const second = JSON.parse((await portal.call('atk-lena', 'list_approvals', { after: first.next! })).body) as { requests: { id: string }[] };
    expect(second.requests.length).toBeGreaterThanOrEqual(5);
    const ids = new Set(first.requests.map((r) => r.id));
    expect(second.requests.filter((r) => ids.has(r.id))).toEqual([]);
    // The page links to the older ones.
    const html = (await portal.get('atk-lena', '/automation/approvals')).body;
    expect(html).toContain('Older requests');
  });
});

test('pending approval requests expire', async ({ page }, info) => {
  test.skip(!hydrated(page), 'about the server: once is enough');
  // A portal whose requests expire after about two seconds.
  const quick = new Portal(PORT + 1, ['--approval-expiry-days', '0.00002']);
  await quick.start();
  try {
    const name = runbook(info, 'Attack-Versioned', { Item: { type: 'String', default: 'v1' } }, SLEEPS);
    const asked = await quick.call('atk-req', 'start_automation', { document: name, 'p.AutomationAssumeRole': ROLE });
    expect(asked.status, asked.body).toBe(200);
    const id = JSON.parse(asked.body) as string;
    await new Promise((r) => setTimeout(r, 3_000));
    const late = await quick.call('atk-lena', 'decide_approval', { id, decision: 'Approve' });
    expect(late.status).toBe(400);
    const request = JSON.parse((await quick.call('atk-lena', 'get_approval', { id })).body);
    expect(request.status).toBe('expired');
    expect(request.execution_id).toBe('');
  } finally {
    await quick.stop();
  }
});
