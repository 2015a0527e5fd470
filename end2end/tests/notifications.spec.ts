import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Processes } from './processes';
import { test, expect, hydrated } from './fixtures';
import { createRunbook } from './aws';
import { internalCertificate, mail, person, portal, smtp } from './own_portal';

// Notifications against real receivers: an SMTP server (aiosmtpd, with AUTH), a Slack-style
// webhook of a person's own, and a grant's team endpoints (one HMAC-signed, one that fails twice,
// one that is down for good), on a portal of this file's own.
test.use({ storageState: { cookies: [], origins: [] } });

const ROLE = 'arn:aws:iam::123456789012:role/AmazonSSMAutomationRole';
const SECRET = 'team-endpoint-signing-secret-0123456789';
const GRANT = 'Notified restarts';

const processes = new Processes();
test.afterEach(() => processes.stopAll());

/** What the HTTP receivers were sent, by path. */
interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One HTTP server for every webhook: `/flaky` answers 503 twice, then 200; the rest 200. */
async function receivers(): Promise<{ port: number; got: Received[]; close: () => void }> {
  const got: Received[] = [];
  let flaky = 0;
  const server = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      got.push({ path: request.url ?? '', headers: request.headers, body });
      if (request.url === '/flaky' && ++flaky <= 2) {
        response.writeHead(503).end('busy, try later');
      } else {
        response.writeHead(200).end('ok');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, got, close: () => server.close() };
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Whether `received` carries a valid signature of its body under SECRET. */
function signedRight(received: Received): boolean {
  const header = String(received.headers['x-runbook-portal-signature'] ?? '');
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  if (!match) return false;
  const expected = createHmac('sha256', SECRET).update(`${match[1]}.${received.body}`).digest('hex');
  return expected === match[2] && Math.abs(Date.now() / 1000 - Number(match[1])) < 300;
}

test('people are told by e-mail and webhook, team endpoints are retried or given up, and admins see every attempt', async ({ page, browser }, info) => {
  test.setTimeout(120_000);
  const port = Number(process.env.PORTAL_PORT ?? 3100) + 100 + (hydrated(page) ? 0 : 5);
  const dir = mkdtempSync(join(tmpdir(), 'runbook-portal-notifications-'));
  const hooks = await receivers();
  const messages = await smtp(processes, port + 1, dir);
  const down = await closedPort();
  const runbook = createRunbook(info, 'Notified-Restart', {
    schemaVersion: '0.3',
    description: 'Restarts, briefly.',
    assumeRole: '{{ AutomationAssumeRole }}',
    parameters: { AutomationAssumeRole: { type: 'String', default: '' } },
    mainSteps: [{ name: 'settle', action: 'aws:sleep', inputs: { Duration: 'PT2S' } }],
  });
  const grants = join(dir, 'grants.toml');
  writeFileSync(
    grants,
    `[[grant]]
name = "${GRANT}"
groups = ["prod"]
runbooks = ["${runbook}"]
roles = ["${ROLE}"]
approval = { groups = ["leads"] }
[[grant.notify]]
endpoint = "team"
events = ["approval-waiting", "execution-succeeded", "execution-failed"]
[[grant.notify]]
endpoint = "flaky"
events = ["execution-succeeded"]
[[grant.notify]]
endpoint = "down"
events = ["execution-succeeded"]
`,
  );
  const config = join(dir, 'portal.toml');
  writeFileSync(
    config,
    `[notifications]
webhook_hosts = ["127.0.0.1:${hooks.port}"]
first_retry_seconds = 0.3
give_up_after_minutes = 0.05

[notifications.smtp]
host = "127.0.0.1"
port = ${port + 1}
security = "none"
username = "portal-mail"
password = "mail-password"
from = "Runbook Portal <portal@example.com>"

[[notifications.endpoint]]
name = "team"
kind = "signed"
url = "http://127.0.0.1:${hooks.port}/team"
secret = "${SECRET}"

[[notifications.endpoint]]
name = "flaky"
kind = "slack"
url = "http://127.0.0.1:${hooks.port}/flaky"

[[notifications.endpoint]]
name = "down"
kind = "signed"
url = "http://127.0.0.1:${down}/hook"
secret = "${SECRET}"
`,
  );
  const base = await portal(processes, port, dir, grants, config, [['requester', 'prod'], ['lead', 'leads'], ['admin', 'admins']]);

  // The requester asks to be told by e-mail of decisions and of their runs' ends. A Slack URL on
  // a host the operator did not list is refused, saying why, and nothing is saved.
  const requester = await person(browser, base, 'requester', '/notifications');
  const email = requester.locator('fieldset[data-channel="email"]');
  const slack = requester.locator('fieldset[data-channel="slack"]');
  await email.getByLabel('E-mail address').fill('requester@example.com');
  await email.getByLabel('My approval request is decided or expires').check();
  await email.getByLabel('My execution succeeds').check();
  await slack.getByLabel('Incoming webhook URL').fill('http://169.254.169.254/latest/meta-data');
  await slack.getByLabel('My execution fails, times out or is cancelled').check();
  await requester.getByRole('button', { name: 'Save' }).click();
  await expect(requester.getByRole('alert')).toContainText(`must be an https URL on one of 127.0.0.1:${hooks.port}`);
  await requester.goto('/notifications');
  await expect(email.getByLabel('E-mail address')).toHaveValue('');
  await email.getByLabel('E-mail address').fill('requester@example.com');
  await email.getByLabel('My approval request is decided or expires').check();
  await email.getByLabel('My execution succeeds').check();
  await requester.getByRole('button', { name: 'Save' }).click();
  await expect(requester.getByText('Your notification settings are saved.')).toBeVisible();
  await expect(email.getByLabel('E-mail address')).toHaveValue('requester@example.com');
  await expect(email.getByLabel('My execution succeeds')).toBeChecked();
  await expect(email.getByLabel('My execution fails, times out or is cancelled')).not.toBeChecked();

  // The lead wants a Slack message when a start waits for them.
  const lead = await person(browser, base, 'lead', '/notifications');
  const leadSlack = lead.locator('fieldset[data-channel="slack"]');
  await leadSlack.getByLabel('Incoming webhook URL').fill(`http://127.0.0.1:${hooks.port}/lead-slack`);
  await leadSlack.getByLabel('A start waits for my approval').check();
  await lead.getByRole('button', { name: 'Save' }).click();
  await expect(lead.getByText('Your notification settings are saved.')).toBeVisible();

  // The requester asks for a start: it waits for a lead.
  const asked = await requester.request.post('/api/start_automation', {
    form: { document: runbook, 'p.AutomationAssumeRole': ROLE },
    maxRedirects: 0,
  });
  expect(asked.status(), await asked.text()).toBe(200);
  const request = (await asked.json()) as string;

  // The lead's Slack gets Slack's shape, linking to the request; the team's signed endpoint too.
  await expect.poll(() => hooks.got.filter((r) => r.path === '/lead-slack').length, { timeout: 15_000 }).toBe(1);
  const slackMessage = JSON.parse(hooks.got.find((r) => r.path === '/lead-slack')!.body);
  expect(slackMessage.text).toContain(`Approval requested: ${runbook} by requester`);
  const button = slackMessage.blocks.find((b: any) => b.type === 'actions').elements[0];
  expect(button.url).toBe(`${base}/automation/approvals/${request}`);
  expect(slackMessage.blocks.find((b: any) => b.fields).fields.map((f: any) => f.text)).toContain(`*Grant*\n${GRANT}`);
  await expect.poll(() => hooks.got.filter((r) => r.path === '/team').length, { timeout: 15_000 }).toBe(1);
  const teamWaiting = hooks.got.find((r) => r.path === '/team')!;
  expect(signedRight(teamWaiting)).toBe(true);
  expect(JSON.parse(teamWaiting.body)).toMatchObject({ event: 'approval-waiting', url: `${base}/automation/approvals/${request}` });
  // A body changed on the way no longer matches its signature.
  expect(signedRight({ ...teamWaiting, body: teamWaiting.body.replace('requester', 'intruder') })).toBe(false);

  // The lead follows the link from the message and approves.
  await lead.goto(button.url);
  if (hydrated(lead)) await expect(lead.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await lead.getByRole('button', { name: 'Approve and start' }).click();
  await expect(lead.locator('[data-field="status"]')).toHaveText('Approved and started', { timeout: 15_000 });

  // The requester's mail server takes two e-mails, after AUTH: approved, and succeeded (sent
  // side by side, in either order).
  await expect.poll(() => mail(messages).length, { timeout: 30_000 }).toBe(2);
  const approved = mail(messages).find((m) => m.subject.startsWith('Your request'));
  const ended = mail(messages).find((m) => m.subject.startsWith('Execution'));
  expect(approved).toMatchObject({ to: ['requester@example.com'], authenticated_as: 'portal-mail', content_type: 'text/plain' });
  expect(approved.from).toBe('portal@example.com');
  expect(approved.subject).toBe(`Your request to run ${runbook} was approved by lead`);
  expect(approved.body).toContain(`Open it in the portal: ${base}/automation/approvals/${request}`);
  expect(ended.subject).toMatch(new RegExp(`^Execution [0-9a-f-]{8} of ${runbook} ended: Success$`));
  expect(ended.body).toMatch(new RegExp(`${base}/automation/executions/[0-9a-f-]{36}`));

  // The team endpoints: signed, told of the end; the flaky one delivered on its third attempt;
  // the one that is down given up after the configured time.
  await expect.poll(() => hooks.got.filter((r) => r.path === '/team').length, { timeout: 15_000 }).toBe(2);
  expect(hooks.got.filter((r) => r.path === '/team').every(signedRight)).toBe(true);
  expect(JSON.parse(hooks.got.filter((r) => r.path === '/team')[1].body).event).toBe('execution-succeeded');
  await expect.poll(() => hooks.got.filter((r) => r.path === '/flaky').length, { timeout: 15_000 }).toBe(3);

  const admin = await person(browser, base, 'admin', '/notifications/deliveries');
  const row = (channel: string) => admin.locator(`tr[data-channel="${channel}"]`);
  await expect(async () => {
    await admin.reload();
    await expect(row('endpoint:down')).toHaveAttribute('data-status', 'gave-up', { timeout: 1_000 });
  }).toPass({ timeout: 30_000 });
  await expect(row('endpoint:flaky')).toHaveAttribute('data-status', 'sent');
  const flakyAttempts = row('endpoint:flaky').locator('[data-field="attempts"] li');
  await expect(flakyAttempts).toHaveCount(3);
  await expect(flakyAttempts.nth(0)).toContainText('HTTP 503');
  await expect(flakyAttempts.nth(2)).toHaveAttribute('data-delivered', 'true');
  await expect(row('endpoint:down').locator('[data-field="attempts"] li').last()).toContainText('could not connect: given up after');
  // A Slack URL is shown without its path (it is the webhook's secret).
  await expect(admin.locator('tr[data-channel="slack"] code')).toHaveText(`http://127.0.0.1:${hooks.port}/…`);
  // Nothing else broke: each e-mail was sent once, and the log is for administrators only.
  expect(mail(messages)).toHaveLength(2);
  const refused = await requester.request.post('/api/list_notification_deliveries', { form: {} });
  expect(refused.status()).toBe(403);
  hooks.close();
});

test('a paused step and a long run are told to the person who started it, who resumes it from the e-mail', async ({ page, browser }, info) => {
  test.skip(!hydrated(page), 'about the server: once is enough');
  test.setTimeout(90_000);
  const port = Number(process.env.PORTAL_PORT ?? 3100) + 110;
  const dir = mkdtempSync(join(tmpdir(), 'runbook-portal-notifications-'));
  const messages = await smtp(processes, port + 1, dir);
  const runbook = createRunbook(info, 'Notified-Pause', {
    schemaVersion: '0.3',
    description: 'Waits for a go-ahead.',
    assumeRole: '{{ AutomationAssumeRole }}',
    parameters: { AutomationAssumeRole: { type: 'String', default: '' } },
    mainSteps: [
      { name: 'goAhead', action: 'aws:pause', inputs: {} },
      { name: 'settle', action: 'aws:sleep', inputs: { Duration: 'PT1S' } },
    ],
  });
  const grants = join(dir, 'grants.toml');
  writeFileSync(grants, `[[grant]]\nname = "Paused runs"\ngroups = ["ops"]\nrunbooks = ["${runbook}"]\nroles = ["${ROLE}"]\n`);
  const config = join(dir, 'portal.toml');
  writeFileSync(
    config,
    `[notifications]\noverdue_after_minutes = 0.05\n[notifications.smtp]\nhost = "127.0.0.1"\nport = ${port + 1}\nsecurity = "none"\nusername = "portal-mail"\npassword = "mail-password"\nfrom = "portal@example.com"\n`,
  );
  const base = await portal(processes, port, dir, grants, config, [['operator', 'ops']]);
  const operator = await person(browser, base, 'operator', '/notifications');
  const email = operator.locator('fieldset[data-channel="email"]');
  await email.getByLabel('E-mail address').fill('operator@example.com');
  for (const event of ['An approve or pause step waits for me', 'My execution runs longer than usual', 'My execution succeeds']) {
    await email.getByLabel(event).check();
  }
  await operator.getByRole('button', { name: 'Save' }).click();
  await expect(operator.getByText('Your notification settings are saved.')).toBeVisible();

  const started = await operator.request.post('/api/start_automation', { form: { document: runbook, 'p.AutomationAssumeRole': ROLE }, maxRedirects: 0 });
  expect(started.status(), await started.text()).toBe(200);
  const id = (await started.json()) as string;

  // Paused: told once (however many rounds see it waiting), then, past the configured three
  // seconds, told it runs long.
  await expect.poll(() => mail(messages).map((m) => m.subject), { timeout: 30_000 }).toEqual([
    `Step goAhead of ${runbook} is paused: resume it when ready`,
    `Execution ${id.slice(0, 8)} of ${runbook} still running after 3 s`,
  ]);
  const paused = mail(messages)[0];
  expect(paused.to).toEqual(['operator@example.com']);
  const link = /Open it in the portal: (\S+)/.exec(paused.body)![1];
  expect(link).toBe(`${base}/automation/executions/${id}`);

  // From the e-mail's link to Resume; then told it succeeded, and nothing twice.
  await operator.goto(link);
  await expect(operator.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await operator.getByRole('button', { name: 'Resume' }).click();
  await expect.poll(() => mail(messages).length, { timeout: 30_000 }).toBe(3);
  expect(mail(messages)[2].subject).toBe(`Execution ${id.slice(0, 8)} of ${runbook} ended: Success`);
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  expect(mail(messages)).toHaveLength(3);
});

test('mail goes encrypted, over STARTTLS or TLS, to a server an internal CA vouches for, only to the domains listed, and masked when the operator says so', async ({ page, browser }, info) => {
  test.skip(!hydrated(page), 'about the server: once is enough');
  test.setTimeout(90_000);
  const port = Number(process.env.PORTAL_PORT ?? 3100) + 112;
  const dir = mkdtempSync(join(tmpdir(), 'runbook-portal-notifications-'));
  const certificate = internalCertificate(dir);
  const runbook = createRunbook(info, 'Notified-Securely', {
    schemaVersion: '0.3',
    description: 'Ends at once.',
    assumeRole: '{{ AutomationAssumeRole }}',
    parameters: { AutomationAssumeRole: { type: 'String', default: '' } },
    mainSteps: [{ name: 'settle', action: 'aws:sleep', inputs: { Duration: 'PT1S' } }],
  });
  const grants = join(dir, 'grants.toml');
  writeFileSync(grants, `[[grant]]\nname = "Quick runs"\ngroups = ["ops"]\nrunbooks = ["${runbook}"]\nroles = ["${ROLE}"]\n`);
  // STARTTLS and TLS trusting the internal CA; then STARTTLS trusting only the public roots.
  const cases = [[0, 'starttls', true], [2, 'tls', true], [4, 'starttls', false]] as const;
  for (const [offset, mode, trusted] of cases) {
    const messages = await smtp(processes, port + offset + 1, dir, { mode, cert: certificate.cert, key: certificate.key });
    const config = join(dir, `portal-${offset}.toml`);
    writeFileSync(
      config,
      `[notifications]\nemail_domains = ["example.com"]\nmask = true\nmask_patterns = ["Notified-Securely\\\\S*"]\nfirst_retry_seconds = 0.2\ngive_up_after_minutes = 0.02\n[notifications.smtp]\nhost = "localhost"\nport = ${port + offset + 1}\nsecurity = "${mode}"\n${trusted ? `ca_file = "${certificate.ca}"\n` : ''}username = "portal-mail"\npassword = "mail-password"\nfrom = "portal@example.com"\n`,
    );
    const base = await portal(processes, port + offset, dir, grants, config, [['operator', 'ops'], ['admin', 'admins']]);
    const operator = await person(browser, base, 'operator', '/notifications');
    const email = operator.locator('fieldset[data-channel="email"]');
    await email.getByLabel('My execution succeeds').check();

    // An address outside the listed domains is refused with the reason, and nothing is kept.
    await email.getByLabel('E-mail address').fill('operator@elsewhere.example.org');
    await operator.getByRole('button', { name: 'Save' }).click();
    await expect(operator.getByRole('alert').first()).toContainText('is not in a domain this portal sends to: give an address in example.com');
    await operator.goto('/notifications');
    await expect(email.getByLabel('E-mail address')).toHaveValue('');

    await email.getByLabel('E-mail address').fill('operator@ops.example.com');
    await email.getByLabel('My execution succeeds').check();
    await operator.getByRole('button', { name: 'Save' }).click();
    await expect(operator.getByText('Your notification settings are saved.')).toBeVisible();
    const started = await operator.request.post('/api/start_automation', { form: { document: runbook, 'p.AutomationAssumeRole': ROLE }, maxRedirects: 0 });
    expect(started.status(), await started.text()).toBe(200);
    const id = (await started.json()) as string;

    if (trusted) {
      // Delivered once, over an encrypted connection, after AUTH.
      // The operator asked for masked messages, hiding these runbooks' names too.
      await expect.poll(() => mail(messages).map((m) => m.subject), { timeout: 30_000 }).toEqual([`Execution ${id.slice(0, 8)} of ••• ended: Success`]);
      expect(mail(messages)[0]).toMatchObject({ to: ['operator@ops.example.com'], encrypted: true, authenticated_as: 'portal-mail' });
      expect(mail(messages)[0].body).toContain('Runbook: •••');
      expect(mail(messages)[0].body).not.toContain(runbook);
    } else {
      // A certificate nobody the portal trusts vouches for: nothing is sent, and the log says why.
      const admin = await person(browser, base, 'admin', '/notifications/deliveries');
      const delivery = admin.locator('tr[data-channel="email"]');
      await expect(async () => {
        await admin.reload();
        await expect(delivery).toHaveAttribute('data-status', 'gave-up', { timeout: 1_000 });
      }).toPass({ timeout: 30_000 });
      await expect(delivery.locator('[data-field="attempts"] li').first()).toContainText(/certificate/i);
      expect(mail(messages)).toEqual([]);
    }
  }
});
