import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { test, expect } from './fixtures';
import { parseCsv } from './csv';
import { emulatorEndpoint } from '../playwright.config';

// Two portals of their own that sign people in with a real OpenID Connect provider (the
// `oidc-provider` package, started here, its people set by each test): one maps the provider's
// groups onto the portal's with [oidc.groups], the other takes them as they are. Each test plays
// a provider user who tries to become someone they are not.
test.use({ storageState: { cookies: [], origins: [] } });
test.describe.configure({ mode: 'serial' });

const bin = process.env.PORTAL_BIN ?? '../target/release/runbook-portal';
const base = Number(process.env.PORTAL_PORT ?? 3100) + 30;
const PROVIDER_PORT = base;
const provider = `http://127.0.0.1:${PROVIDER_PORT}`;
/** Portal names of provider users end with the issuer's host. */
const AT = '@127.0.0.1';
const ROLE = 'arn:aws:iam::123456789012:role/AmazonSSMAutomationRole';
const PASSWORD = 'a local password';
const INSTANCE = 'i-1234567890abcdef0';

const GRANTS = `
[[grant]]
name = "Web team restarts web servers"
groups = ["web"]
runbooks = ["Portal-RestartWithHealthCheck"]
roles = ["${ROLE}"]

[[grant]]
name = "Alice starts instances"
users = ["alice"]
runbooks = ["AWS-StartEC2Instance"]
roles = ["${ROLE}"]

[[grant]]
name = "Paula stops instances"
users = ["paula${AT}"]
runbooks = ["AWS-StopEC2Instance"]
roles = ["${ROLE}"]

[[grant]]
name = "Whoever the provider says has alice@corp.example"
users = ["alice@corp.example"]
runbooks = ["AWS-StartEC2Instance"]
roles = ["${ROLE}"]

[[grant]]
name = "Reviewers pause instances for review"
groups = ["reviewers"]
runbooks = ["Portal-PauseForReview"]
roles = ["${ROLE}"]

[[grant]]
name = "Production restarts, approved by a lead"
groups = ["prod"]
runbooks = ["Portal-RestartWithHealthCheck"]
roles = ["${ROLE}"]
approval = { groups = ["leads"] }
`;

interface Portal {
  url: string;
  data: string;
  log: string;
  child?: ChildProcess;
}

// Made in beforeAll (this file is loaded by every worker).
const root = join(tmpdir(), `runbook-portal-sso-${process.pid}-${Date.now()}`);
const peopleFile = join(root, 'people.json');
const mapped: Portal = { url: `http://127.0.0.1:${base + 1}`, data: join(root, 'mapped'), log: join(root, 'mapped.log') };
const unmapped: Portal = { url: `http://127.0.0.1:${base + 2}`, data: join(root, 'unmapped'), log: join(root, 'unmapped.log') };
let providerProcess: ChildProcess | undefined;

/** What the provider says about its users (and its answers) from now on. */
function providerSays(people: { accounts?: Record<string, Record<string, unknown>>; answers?: Record<string, unknown> }) {
  writeFileSync(peopleFile, JSON.stringify(people));
}

function exited(child: ChildProcess | undefined) {
  return child && child.exitCode === null ? new Promise((resolve) => child.on('exit', resolve)) : Promise.resolve();
}

function startPortal(portal: Portal, groupMap: string[]) {
  mkdirSync(portal.data, { recursive: true });
  execFileSync(bin, ['users', 'add', 'local-admin', '--group', 'admins', '--password-stdin', '--data-dir', portal.data], { input: `${PASSWORD}\n` });
  execFileSync(bin, ['users', 'add', 'alice', '--group', 'web', '--password-stdin', '--data-dir', portal.data], { input: `${PASSWORD}\n` });
  execFileSync(bin, ['users', 'add', 'bob', '--group', 'prod', '--group', 'reviewers', '--password-stdin', '--data-dir', portal.data], { input: `${PASSWORD}\n` });
  const grants = join(portal.data, 'grants.toml');
  writeFileSync(grants, GRANTS);
  const config = join(portal.data, 'portal.toml');
  writeFileSync(
    config,
    [
      '[oidc]',
      `issuer = "${provider}"`,
      'client_id = "runbook-portal"',
      `redirect_url = "${portal.url}/login/oidc/callback"`,
      'label = "Example SSO"',
      'scopes = ["profile", "email", "groups"]',
      ...groupMap,
      '',
    ].join('\n'),
  );
  const out = openSync(portal.log, 'a');
  portal.child = spawn(bin, ['serve', '--listen', portal.url.replace('http://', ''), '--data-dir', portal.data, '--emulator-url', emulatorEndpoint, '--config', config, '--grants', grants], {
    env: { ...process.env, RUNBOOK_PORTAL_OIDC_CLIENT_SECRET: 'a-client-secret-for-the-tests', RUST_LOG: 'info' },
    stdio: ['ignore', out, out],
  });
}

test.beforeAll(async ({}, info) => {
  test.skip(info.project.use.javaScriptEnabled === false, 'about the server: once is enough');
  test.setTimeout(60_000);
  mkdirSync(root, { recursive: true });
  providerSays({});
  providerProcess = spawn('node', ['oidc/provider.mjs', String(PROVIDER_PORT), `${mapped.url}/login/oidc/callback`, `${unmapped.url}/login/oidc/callback`], {
    env: { ...process.env, OIDC_PEOPLE: peopleFile },
    stdio: 'ignore',
  });
  startPortal(mapped, ['[oidc.groups]', '"web-engineers" = "web"', '"platform-leads" = "leads"', '"reviewers" = "reviewers"']);
  startPortal(unmapped, []);
  for (const ready of [`${mapped.url}/healthz`, `${unmapped.url}/healthz`, `${provider}/.well-known/openid-configuration`]) {
    await expect.poll(() => fetch(ready).then((r) => r.status, () => 0), { timeout: 20_000 }).toBe(200);
  }
});

test.afterAll(async () => {
  for (const child of [mapped.child, unmapped.child, providerProcess]) child?.kill('SIGTERM');
  await Promise.all([exited(mapped.child), exited(unmapped.child), exited(providerProcess)]);
});

test.beforeEach(async ({ page }) => {
  // The provider's pages load a web font from the internet, which this machine cannot reach.
  await page.route('https://fonts.googleapis.com/**', (route) => route.fulfill({ status: 200, contentType: 'text/css', body: '' }));
});

/** Signs in at the provider's development login form, then consents. */
async function signInAtProvider(page: Page, login: string) {
  await expect(page).toHaveURL(new RegExp(`^${provider}/`));
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill('any password');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
}

/** A fresh browser (neither the portal nor the provider knows it) signs in as `login` by single sign-on. */
async function startSignIn(page: Page, portal: Portal, login: string, next = '/automation') {
  await page.context().clearCookies();
  await page.goto(`${portal.url}/login?next=${encodeURIComponent(next)}`);
  await page.getByRole('link', { name: 'Sign in with Example SSO' }).click();
  await signInAtProvider(page, login);
}

/** As `startSignIn`, through to the portal: the name the portal shows. */
async function signInBySso(page: Page, portal: Portal, login: string, next = '/automation'): Promise<string> {
  await startSignIn(page, portal, login, next);
  await expect(page).toHaveURL(`${portal.url}${next}`);
  return (await page.getByRole('banner').locator('.user').textContent()) ?? '';
}

/** What the signed-in browser may do: `/api/my_rights`. */
async function rightsOf(page: Page, portal: Portal) {
  const answer = await page.request.post(`${portal.url}/api/my_rights`, { form: {} });
  expect(answer.status()).toBe(200);
  return (await answer.json()) as { admin: boolean; grants: { name: string }[]; approves: string[] };
}

/** The session cookie of a local account. */
async function cookieOf(portal: Portal, name: string) {
  const answer = await fetch(`${portal.url}/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ name, password: PASSWORD, next: '/automation' }).toString(),
    redirect: 'manual',
  });
  expect(answer.headers.get('location'), `${name} signs in`).toBe('/automation');
  return answer.headers.getSetCookie()[0].split(';')[0];
}

function post(portal: Portal, cookie: string, fn: string, form: Record<string, string>) {
  return fetch(`${portal.url}/api/${fn}`, {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
    redirect: 'manual',
  });
}

async function auditRecords(portal: Portal, query: string) {
  const admin = await cookieOf(portal, 'local-admin');
  const answer = await fetch(`${portal.url}/audit.csv?${query}`, { headers: { cookie: admin } });
  expect(answer.status).toBe(200);
  return parseCsv(await answer.text());
}

test('single sign-on with a real OpenID provider: groups mapped onto grants', async ({ page }) => {
  test.setTimeout(90_000);
  providerSays({ accounts: { 'olivia-web': { groups: ['web-engineers', 'staff'] }, 'oscar-lead': { groups: ['platform-leads'] } } });

  // A web engineer: the sign-in page offers the provider; back in the portal, the web grant.
  await page.goto(`${mapped.url}/automation/execute?tab=all`);
  await expect(page).toHaveURL(/\/login\?next=/);
  await page.getByRole('link', { name: 'Sign in with Example SSO' }).click();
  await signInAtProvider(page, 'olivia-web');
  await expect(page).toHaveURL(`${mapped.url}/automation/execute?tab=all`);
  await expect(page.getByRole('banner').locator('.user')).toHaveText(`olivia-web${AT}`);
  await expect(page.locator('.catalog-list tbody')).toContainText('Portal-RestartWithHealthCheck');
  expect((await rightsOf(page, mapped)).grants.map((g) => g.name)).toEqual(['Web team restarts web servers']);

  // Signed out, a lead (group platform-leads → leads): no runbooks, but approvals to decide.
  await page.getByRole('button', { name: 'Sign out' }).click();
  expect(await signInBySso(page, mapped, 'oscar-lead', '/automation/approvals')).toBe(`oscar-lead${AT}`);
  expect(await rightsOf(page, mapped)).toMatchObject({ admin: false, grants: [], approves: ['Production restarts, approved by a lead'] });

  // A forged return (a state this browser never got) is refused and changes nothing.
  await page.goto(`${mapped.url}/login/oidc/callback?code=forged&state=forged`);
  await expect(page).toHaveURL(/\/login\?error=sso/);
  await expect(page.getByRole('alert')).toContainText('Single sign-on did not complete');

  // Both sign-ins are in the audit trail, with the provider's subject behind each name.
  const records = (await auditRecords(mapped, 'action=sign-in')).filter((r) => r.detail.startsWith('single sign-on'));
  expect(records.map((r) => [r.user, r.detail])).toEqual(
    expect.arrayContaining([
      [`olivia-web${AT}`, `single sign-on: sub "olivia-web" of ${provider}`],
      [`oscar-lead${AT}`, `single sign-on: sub "oscar-lead" of ${provider}`],
    ]),
  );
});

test('a provider user named like a local account is someone else, and keeps the name first given', async ({ page }) => {
  test.setTimeout(90_000);
  providerSays({ accounts: { 'idp-4711': { preferred_username: 'alice' }, 'idp-paula': { preferred_username: 'paula' } } });

  // The provider calls this user alice: not the portal's alice, whose grant stays hers.
  expect(await signInBySso(page, mapped, 'idp-4711')).toBe(`alice${AT}`);
  expect((await rightsOf(page, mapped)).grants).toEqual([]);

  // Grants name provider users by their portal name.
  expect(await signInBySso(page, mapped, 'idp-paula')).toBe(`paula${AT}`);
  expect((await rightsOf(page, mapped)).grants.map((g) => g.name)).toEqual(['Paula stops instances']);

  // Paula is renamed at the provider, and someone else takes the name "paula" there: the name
  // and its grant stay with the person (the provider's subject) who had them.
  providerSays({ accounts: { 'idp-paula': { preferred_username: 'paula.smith' }, 'idp-0815': { preferred_username: 'paula' } } });
  expect(await signInBySso(page, mapped, 'idp-0815')).toBe(`paula-2${AT}`);
  expect((await rightsOf(page, mapped)).grants).toEqual([]);
  expect(await signInBySso(page, mapped, 'idp-paula')).toBe(`paula${AT}`);
  expect((await rightsOf(page, mapped)).grants.map((g) => g.name)).toEqual(['Paula stops instances']);

  // Nor can a local account take a provider user's name.
  let refusal = '';
  try {
    execFileSync(bin, ['users', 'add', `carol${AT}`, '--password-stdin', '--data-dir', mapped.data], { input: `${PASSWORD}\n`, stdio: 'pipe' });
  } catch (e) {
    refusal = String((e as { stderr?: Buffer }).stderr ?? e);
  }
  expect(refusal).toContain("choose a name without '@'");
});

test('an email address the provider has not verified names nobody', async ({ page }) => {
  test.setTimeout(60_000);
  providerSays({
    accounts: {
      'u-7f3a': { preferred_username: null, email: 'alice@corp.example', email_verified: false },
      'u-9c1d': { preferred_username: null, email: 'vera@corp.example', email_verified: true },
    },
  });
  // Anyone may type alice's address into their profile: the portal calls them by their subject.
  expect(await signInBySso(page, mapped, 'u-7f3a')).toBe(`u-7f3a${AT}`);
  expect((await rightsOf(page, mapped)).grants).toEqual([]);
  // A verified address names its owner.
  expect(await signInBySso(page, mapped, 'u-9c1d')).toBe(`vera${AT}`);
});

test('a provider group called admins makes portal admins only through the group map', async ({ page }) => {
  test.setTimeout(60_000);
  providerSays({ accounts: { mallory: { groups: ['admins', 'web'] } } });

  // Without a map, the provider's groups are the portal's, except admins.
  await signInBySso(page, unmapped, 'mallory');
  const rights = await rightsOf(page, unmapped);
  expect(rights.admin).toBe(false);
  expect(rights.grants.map((g) => g.name)).toEqual(['Web team restarts web servers']);
  expect((await page.request.get(`${unmapped.url}/audit.csv`)).status()).toBe(403);
  await expect.poll(() => readFileSync(unmapped.log, 'utf8')).toContain(`ignored the identity provider's group "admins"`);

  // With a map, a group it does not list counts for nothing.
  await signInBySso(page, mapped, 'mallory');
  expect(await rightsOf(page, mapped)).toMatchObject({ admin: false, grants: [] });
});

test('an answer naming another issuer, or none when the provider promises to, signs nobody in (RFC 9207)', async ({ page }) => {
  test.setTimeout(90_000);
  for (const [iss, reason] of [
    ['http://127.0.0.1:1', 'the answer came from another identity provider'],
    [null, 'RFC 9207'],
  ] as const) {
    providerSays({ accounts: { 'olivia-web': { groups: ['web-engineers'] } }, answers: { iss } });
    await startSignIn(page, mapped, 'olivia-web');
    await expect(page).toHaveURL(/\/login\?error=sso/);
    await expect(page.getByRole('alert')).toContainText('Single sign-on did not complete');
    expect((await page.request.post(`${mapped.url}/api/my_rights`, { form: {} })).status()).toBe(401);
    // Why, in the log (the audit trail sums up an address's failures after its first).
    await expect.poll(() => readFileSync(mapped.log, 'utf8')).toContain(reason);
  }
  // The same sign-in with the provider's own answer goes through.
  providerSays({ accounts: { 'olivia-web': { groups: ['web-engineers'] } } });
  expect(await signInBySso(page, mapped, 'olivia-web')).toBe(`olivia-web${AT}`);
});

test("local bob and the provider's bob neither approve each other's requests nor touch each other's runs", async ({ page }) => {
  test.setTimeout(90_000);
  // Local bob asks for a production restart (four eyes) and starts a review that waits.
  const bob = await cookieOf(mapped, 'bob');
  const asked = await post(mapped, bob, 'start_automation', { document: 'Portal-RestartWithHealthCheck', 'p.InstanceId': INSTANCE, 'p.AutomationAssumeRole': ROLE });
  expect(asked.status, await asked.clone().text()).toBe(200);
  const request = (await asked.json()) as string;
  const started = await post(mapped, bob, 'start_automation', { document: 'Portal-PauseForReview', 'p.InstanceId': INSTANCE, 'p.Reviewer': 'bob', 'p.AutomationAssumeRole': ROLE });
  expect(started.status, await started.clone().text()).toBe(200);
  const run = (await started.json()) as string;

  // The provider's bob, a lead and a reviewer there.
  providerSays({ accounts: { 'idp-bob': { preferred_username: 'bob', groups: ['platform-leads', 'reviewers'] } } });
  expect(await signInBySso(page, mapped, 'idp-bob')).toBe(`bob${AT}`);
  const approve = await page.request.post(`${mapped.url}/api/decide_approval`, { form: { id: request, decision: 'Approve' }, maxRedirects: 0 });
  expect(await approve.text()).toContain('you cannot decide it');
  const withdraw = await page.request.post(`${mapped.url}/api/decide_approval`, { form: { id: request, decision: 'Withdraw' }, maxRedirects: 0 });
  expect(withdraw.status()).toBe(403);
  const status = await post(mapped, bob, 'get_approval', { id: request });
  expect(((await status.json()) as { status: string }).status).toBe('pending');

  // Bob's run is not the provider's bob's: not theirs to see or to cancel.
  expect((await page.request.post(`${mapped.url}/api/get_execution`, { form: { id: run } })).status()).toBe(403);
  const cancel = await page.request.post(`${mapped.url}/api/control_execution`, { form: { id: run, control: 'Cancel' }, maxRedirects: 0 });
  expect(cancel.status()).toBe(403);
  const still = await post(mapped, bob, 'get_execution', { id: run });
  expect(await still.text()).not.toContain('Cancelled');
});
