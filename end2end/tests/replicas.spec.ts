import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Processes } from './processes';
import { startNginx } from './nginx_server';
import { test, expect, hydrated } from './fixtures';
import { emulatorEndpoint } from '../playwright.config';
import { createRunbook, executionsOf } from './aws';
import { ask, follow, signIn } from './http_client';

// Two portal replicas on one PostgreSQL database (the server scripts/with-postgres started for the
// suite), with nginx round-robin in front, as a team runs them for availability.
test.use({ storageState: { cookies: [], origins: [] } });

const bin = process.env.PORTAL_BIN ?? '../target/release/runbook-portal';
const base = Number(process.env.PORTAL_PORT ?? 3100) + 90;
const PASSWORD = 'a replicated password';
const ROLE = 'arn:aws:iam::123456789012:role/AmazonSSMAutomationRole';

function postgres(): string {
  const server = process.env.PORTAL_TEST_POSTGRES;
  if (!server) {
    throw new Error('PORTAL_TEST_POSTGRES is not set: run the suite under scripts/with-postgres (make e2e does)');
  }
  return server;
}

/** A new database of its own on the test server; answers its URL. */
function database(name: string): string {
  const server = postgres();
  const db = `${name}_${process.pid}_${Date.now()}`.replace(/[^a-z0-9_]/gi, '_').toLowerCase();
  execFileSync('psql', [server, '-q', '-c', `CREATE DATABASE ${db}`]);
  return server.replace(/\/[^/]*$/, `/${db}`);
}

/** Processes this file started, killed after each test (a replica's stop is what a test tries). */
const processes = new Processes();
const stopAll = () => processes.stopAll('SIGKILL');
test.afterEach(stopAll);

async function ready(port: number) {
  await expect.poll(() => fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.status, () => 0), { timeout: 30_000 }).toBe(200);
}

/** Everything two replicas share: the database, the grants, the accounts. */
function cluster(test: string, runbook: string) {
  const url = database(test);
  const dir = mkdtempSync(join(tmpdir(), 'runbook-portal-replicas-'));
  const grants = join(dir, 'grants.toml');
  writeFileSync(
    grants,
    `[[grant]]
name = "Replicated restarts"
groups = ["prod"]
runbooks = ["${runbook}"]
roles = ["${ROLE}"]
approval = { groups = ["leads"] }
`,
  );
  const users: Record<string, string> = { requester: 'prod', lead: 'leads', admin: 'admins' };
  for (const [name, group] of Object.entries(users)) {
    execFileSync(bin, ['users', 'add', name, '--group', group, '--password-stdin', '--database-url', url, '--data-dir', dir], { input: `${PASSWORD}\n` });
  }
  /** A replica on `port`; `env` adds to its environment. */
  const replica = (port: number, options: string[] = [], env: Record<string, string> = {}) => {
    const data = mkdtempSync(join(tmpdir(), 'runbook-portal-replica-'));
    const child = spawn(
      bin,
      // `options` may name another emulator URL (a proxy in front of it).
      ['serve', '--listen', `127.0.0.1:${port}`, '--data-dir', data, '--database-url', url, '--grants', grants, '--trusted-proxy', '127.0.0.1',
        ...(options.includes('--emulator-url') ? [] : ['--emulator-url', emulatorEndpoint]), ...options],
      { stdio: 'ignore', env: { ...process.env, ...env } },
    );
    processes.add(child);
    return child;
  };
  return { url, replica };
}

/** nginx on `port`, round-robin over `upstreams`. */
async function nginx(port: number, upstreams: number[]) {
  const dir = mkdtempSync(join(tmpdir(), 'runbook-portal-replicas-nginx-'));
  startNginx(
    processes,
    dir,
    `  access_log ${dir}/access.log;
  upstream portal { ${upstreams.map((p) => `server 127.0.0.1:${p} max_fails=0;`).join(' ')} }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://portal;
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_buffering off;
      proxy_read_timeout 1h;
    }
  }`,
  );
  await ready(port);
}

async function cookieOf(port: number, name: string) {
  const answer = await signIn(port, { name, password: PASSWORD, next: '/automation' });
  expect(answer.location, `${name} signs in`).toBe('/automation');
  return answer.cookie;
}

function post(port: number, cookie: string, fn: string, form: Record<string, string>) {
  return ask(port, `/api/${fn}`, { method: 'POST', headers: { cookie }, body: new URLSearchParams(form).toString() });
}

const sleeper = {
  schemaVersion: '0.3',
  assumeRole: '{{ AutomationAssumeRole }}',
  parameters: { AutomationAssumeRole: { type: 'String' } },
  mainSteps: [{ name: 'settle', action: 'aws:sleep', inputs: { Duration: 'PT1S' } }],
};

test('two replicas on PostgreSQL: a session and an approval cross them, and 50 approvals at once start one run', async ({ page }, info) => {
  test.skip(!hydrated(page), 'about the server: once is enough');
  test.setTimeout(120_000);
  const runbook = createRunbook(info, 'Replicated-Sleep', sleeper);
  const { replica } = cluster('crossing', runbook);
  const [a, b, proxy] = [base, base + 1, base + 2];
  replica(a);
  replica(b);
  await ready(a);
  await ready(b);
  await nginx(proxy, [a, b]);

  // Signed in on one, known on the other: the session is in the shared database.
  const requester = await cookieOf(a, 'requester');
  const asked = await post(b, requester, 'start_automation', { document: runbook, 'p.AutomationAssumeRole': ROLE });
  expect(asked.status, asked.body).toBe(200);
  const id = JSON.parse(asked.body) as string;

  // Through nginx's round-robin every page answers, whichever replica serves it.
  const lead = await cookieOf(proxy, 'lead');
  for (let i = 0; i < 10; i++) {
    const listed = await ask(proxy, '/automation/approvals', { headers: { cookie: lead } });
    expect(listed.status).toBe(200);
    expect(listed.body).toContain(id);
  }

  // The lead's approvals, 50 at once, spread over both replicas: one decides and starts.
  const before = executionsOf(runbook).length;
  const answers = await Promise.all(
    Array.from({ length: 50 }, (_, i) => post(i % 2 ? a : b, lead, 'decide_approval', { id, decision: 'Approve', comment: `try ${i}` })),
  );
  expect(answers.filter((r) => r.status < 400).length, answers.map((r) => r.status).join(',')).toBe(1);
  const decided = JSON.parse((await post(a, lead, 'get_approval', { id })).body) as { status: string; execution_id: string };
  expect(decided.status).toBe('started');
  await expect.poll(() => executionsOf(runbook).length).toBe(before + 1);
  expect(executionsOf(runbook).map((e: any) => e.AutomationExecutionId)).toContain(decided.execution_id);
});

/**
 * A proxy on `port` in front of the emulator that holds every StartAutomationExecution until
 * `release()`: a start in flight for as long as a test needs.
 */
async function holdingStarts(port: number) {
  const held: (() => void)[] = [];
  let holding = true;
  const server = http.createServer((request, response) => {
    const forward = () => {
      const upstream = http.request(`${emulatorEndpoint}${request.url}`, { method: request.method, headers: request.headers }, (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      });
      request.pipe(upstream);
    };
    const starting = String(request.headers['x-amz-target'] ?? '').endsWith('.StartAutomationExecution');
    if (starting && holding) held.push(forward);
    else forward();
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    held: () => held.length,
    release: () => {
      holding = false;
      held.splice(0).forEach((go) => go());
    },
    close: () => server.close(),
  };
}

test("a replica killed mid-start leaves the other replica's start in flight alone, and its own is marked once its heartbeat stops", async ({ page }, info) => {
  test.skip(!hydrated(page), 'about the server: once is enough');
  test.setTimeout(120_000);
  const crashing = createRunbook(info, 'Replicated-Crash', sleeper);
  const slow = createRunbook(info, 'Replicated-Slow', sleeper);
  const { replica } = cluster('crash', crashing);
  const [a, b, held] = [base + 3, base + 4, base + 8];
  const proxy = await holdingStarts(held);
  try {
    // This one aborts between writing the audit record and calling AWS, as a SIGKILL would stop it.
    const dying = replica(a, ['--replica-expiry', '3'], { RUNBOOK_PORTAL_TEST_CRASH_AFTER_AUDIT_INTENT: '1' });
    // This one reaches AWS through the proxy, which holds its start: its work stays in flight.
    replica(b, ['--replica-expiry', '3', '--emulator-url', `http://127.0.0.1:${held}`]);
    await ready(a);
    await ready(b);
    const admin = await cookieOf(b, 'admin');
    const inFlight = post(b, admin, 'start_automation', { document: slow, 'p.AutomationAssumeRole': ROLE });
    await expect.poll(proxy.held).toBe(1);
    const died = new Promise((resolve) => dying.on('exit', resolve));
    await post(a, admin, 'start_automation', { document: crashing, 'p.AutomationAssumeRole': ROLE }).catch(() => undefined);
    await died;

    /** The outcome of the start of `runbook` in the audit trail. */
    const outcomeOf = async (runbook: string) => {
      const csv = (await ask(b, `/audit.csv?action=start`, { headers: { cookie: admin } })).body;
      const line = csv.split('\n').find((l) => l.includes(`"${runbook}"`)) ?? '';
      return ['pending', 'interrupted', 'succeeded', 'failed'].find((word) => line.includes(`"${word}"`)) ?? line;
    };
    // At first it is the dead replica's work in flight, as far as anyone can tell ...
    expect(await outcomeOf(crashing)).toBe('pending');
    // ... then its heartbeat expires and the live replica marks it, and only it.
    await expect.poll(() => outcomeOf(crashing), { timeout: 20_000 }).toBe('interrupted');
    expect(await outcomeOf(slow)).toBe('pending');
    expect(executionsOf(crashing)).toHaveLength(0);

    // The live replica's start goes on when AWS answers, and is recorded as it ended.
    proxy.release();
    const started = await inFlight;
    expect(started.status, started.body).toBe(200);
    expect(await outcomeOf(slow)).toBe('succeeded');
    expect(executionsOf(slow)).toHaveLength(1);
  } finally {
    proxy.close();
  }
});

test('a rolling restart under page views and live-status streams fails no request, and streams resume', async ({ page }, info) => {
  test.skip(!hydrated(page), 'about the server: once is enough');
  test.setTimeout(180_000);
  const runbook = createRunbook(info, 'Replicated-Rolling', sleeper);
  const { replica } = cluster('rolling', runbook);
  const [a, b, proxy] = [base + 5, base + 6, base + 7];
  const replicas = new Map<number, ChildProcess>([[a, replica(a)], [b, replica(b)]]);
  await ready(a);
  await ready(b);
  await nginx(proxy, [a, b]);
  const admin = await cookieOf(proxy, 'admin');
  // A run that lasts the whole test, for the streams to follow.
  const long = createRunbook(info, 'Replicated-Long', { ...sleeper, mainSteps: [{ name: 'wait', action: 'aws:sleep', inputs: { Duration: 'PT10M' } }] });
  const startedLong = await post(proxy, admin, 'start_automation', { document: long, 'p.AutomationAssumeRole': ROLE });
  expect(startedLong.status, startedLong.body).toBe(200);
  const followed = JSON.parse(startedLong.body) as string;

  // Load: four clients viewing pages in a loop, and ten live-status streams kept open (each
  // opened again when it ends, as a browser's EventSource does).
  let running = true;
  const outcomes = { pages: 0, pageErrors: [] as string[], streamsEnded: 0, reopenErrors: [] as string[] };
  const latencies: number[] = [];
  const viewing = Array.from({ length: 4 }, async () => {
    while (running) {
      const sent = performance.now();
      const answer = await ask(proxy, '/automation', { headers: { cookie: admin } }).catch((e) => ({ status: 0, body: String(e) }));
      latencies.push(performance.now() - sent);
      outcomes.pages += 1;
      if (answer.status !== 200) outcomes.pageErrors.push(`${answer.status} ${answer.body.slice(0, 80)}`);
    }
  });
  const streaming = Array.from({ length: 10 }, async () => {
    while (running) {
      const stream = follow(proxy, `/api/executions/events?ids=${followed}`, admin);
      const status = await stream.opened.catch(() => 0);
      if (status !== 200) {
        outcomes.reopenErrors.push(String(status));
        await new Promise((r) => setTimeout(r, 200));
        continue;
      }
      const ended = await Promise.race([stream.ended.catch(() => 0), new Promise((r) => setTimeout(r, 2_000)).then(() => -1)]);
      if (ended === -1) {
        stream.close();
      } else {
        outcomes.streamsEnded += 1;
      }
    }
  });

  // One replica at a time: SIGTERM, wait for it to exit, start it again, wait until it is ready.
  for (const port of [a, b]) {
    await new Promise((r) => setTimeout(r, 2_000));
    const old = replicas.get(port)!;
    const exited = new Promise((resolve) => old.on('exit', resolve));
    old.kill('SIGTERM');
    const stopping = Date.now();
    await exited;
    expect(Date.now() - stopping, 'stops within the grace period').toBeLessThan(12_000);
    replicas.set(port, replica(port));
    await ready(port);
  }
  await new Promise((r) => setTimeout(r, 2_000));
  running = false;
  await Promise.all([...viewing, ...streaming]);

  latencies.sort((x, y) => x - y);
  const p99 = latencies[Math.min(latencies.length - 1, Math.ceil(latencies.length * 0.99) - 1)];
  console.log(
    `rolling restart of 2 replicas: ${outcomes.pages} page views, ${outcomes.pageErrors.length} errors, p99 ${p99.toFixed(0)} ms; ` +
      `${outcomes.streamsEnded} streams ended by a restart, ${outcomes.reopenErrors.length} failed to reopen`,
  );
  expect(outcomes.pageErrors, `${outcomes.pages} pages`).toEqual([]);
  expect(outcomes.pages).toBeGreaterThan(50);
  expect(outcomes.reopenErrors).toEqual([]);
  expect(outcomes.streamsEnded, 'the restarted replicas closed their streams').toBeGreaterThan(0);
});
