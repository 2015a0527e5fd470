// What the load benchmark and the soak run share: an emulator and a portal of their own, users
// under a grant (not admins: every page goes through the grant checks), signed-in sessions, the
// AWS calls the emulator counted, and the portal's memory, file descriptors and database size.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { ask, follow } from '../tests/http_client';

export const bin = process.env.PORTAL_BIN ?? '../target/release/runbook-portal';
const ROLE = 'arn:aws:iam::123456789012:role/AmazonSSMAutomationRole';
const PASSWORD = 'load-test-password-of-the-portal';
/** Runbooks of the benchmark: one running long (for live status), one quick (for starts). */
export const LONG = 'Load-LongSleeps';
export const QUICK = 'Load-Quick';

export interface Figures {
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  timeouts: number;
}

export class LoadRig {
  readonly data = mkdtempSync(join(tmpdir(), 'runbook-portal-load-'));
  readonly base: string;
  readonly emulator: string;
  private children: ChildProcess[] = [];
  portal?: ChildProcess;
  cookies: string[] = [];

  constructor(readonly port: number, readonly users: number) {
    this.base = `http://127.0.0.1:${port}`;
    this.emulator = `http://127.0.0.1:${port + 1}`;
  }

  private aws(args: string[]): any {
    const env = {
      ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_'))),
      AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    };
    const out = execFileSync('python3', ['-m', 'awscli', '--endpoint-url', this.emulator, '--output', 'json', ...args], { env, encoding: 'utf8' });
    return out.trim() ? JSON.parse(out) : {};
  }

  private async until(url: string) {
    for (let i = 0; i < 300; i++) {
      const ok = await fetch(url).then((r) => r.ok, () => false);
      if (ok) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`${url} never answered`);
  }

  async start() {
    this.children.push(spawn(bin, ['emulator', '--listen', `127.0.0.1:${this.port + 1}`], { stdio: 'ignore' }));
    await this.until(`${this.emulator}/_emulator/health`);
    const runbook = (sleeps: number, duration: string) =>
      JSON.stringify({
        schemaVersion: '0.3',
        assumeRole: '{{ AutomationAssumeRole }}',
        parameters: { AutomationAssumeRole: { type: 'String', default: '' } },
        mainSteps: Array.from({ length: sleeps }, (_, i) => ({ name: `sleep${i}`, action: 'aws:sleep', inputs: { Duration: duration } })),
      });
    for (const [name, content] of [[LONG, runbook(60, 'PT60S')], [QUICK, runbook(1, 'PT1S')]]) {
      this.aws(['ssm', 'create-document', '--name', name, '--document-type', 'Automation', '--document-format', 'JSON', '--content', content]);
    }
    writeFileSync(
      join(this.data, 'grants.toml'),
      `[[grant]]\nname = "Load"\ngroups = ["load"]\nrunbooks = ["${LONG}", "${QUICK}", "AWS-RestartEC2Instance"]\nroles = ["${ROLE}"]\nexecutions = "all"\n`,
    );
    for (let i = 0; i < this.users; i++) {
      execFileSync(bin, ['users', 'add', `user${i}`, '--group', 'load', '--password-stdin', '--data-dir', this.data], { input: `${PASSWORD}\n` });
    }
    this.portal = spawn(bin, ['serve', '--listen', `127.0.0.1:${this.port}`, '--data-dir', this.data, '--emulator-url', this.emulator], { stdio: 'ignore' });
    this.children.push(this.portal);
    await this.until(`${this.base}/healthz`);
  }

  /** `count` sessions, spread over the users (each sign-in is a session of its own). */
  async signIn(count: number) {
    const one = async (i: number) => {
      const form = new URLSearchParams({ name: `user${i % this.users}`, password: PASSWORD, next: '/automation' }).toString();
      const answer = await ask(this.port, '/session', { method: 'POST', body: form });
      if (answer.location !== '/automation') throw new Error(`user${i % this.users} did not sign in: ${answer.status} ${answer.location}`);
      return answer.cookie;
    };
    for (let i = 0; i < count; i += 4) {
      this.cookies.push(...(await Promise.all([i, i + 1, i + 2, i + 3].filter((n) => n < count).map(one))));
    }
  }

  /** Starts `runbook` as a session's user through the portal; answers the execution id. */
  async startRun(runbook: string, session = 0): Promise<string> {
    const body = new URLSearchParams({ document: runbook, 'p.AutomationAssumeRole': ROLE }).toString();
    const answer = await ask(this.port, '/api/start_automation', { method: 'POST', body, headers: { cookie: this.cookies[session] } });
    if (answer.status !== 200) throw new Error(`start refused: ${answer.status} ${answer.body}`);
    return JSON.parse(answer.body);
  }

  /** Requests the emulator has answered so far, all services together. */
  async awsCalls(): Promise<number> {
    const text = await fetch(`${this.emulator}/_emulator/metrics`).then((r) => r.text());
    return text
      .split('\n')
      .filter((l) => l.startsWith('emulator_requests_total'))
      .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
  }

  /** The portal process's resident memory now and at its peak (bytes), and its open files. */
  resources() {
    const pid = this.portal!.pid!;
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) * 1024;
    return {
      rss: kb('VmRSS'),
      peak: kb('VmHWM'),
      threads: Number(/Threads:\s+(\d+)/.exec(status)?.[1] ?? 0),
      fds: readdirSync(`/proc/${pid}/fd`).length,
      database: readdirSync(this.data)
        .filter((f) => f.startsWith('portal.db'))
        .reduce((sum, f) => sum + statSync(join(this.data, f)).size, 0),
    };
  }

  /** Opens a live-status stream per session on `ids` (round robin); answers them. */
  async openStreams(ids: string[], sessions: number) {
    const streams = Array.from({ length: sessions }, (_, i) => {
      const stream = follow(this.port, `/api/executions/${ids[i % ids.length]}/events`, this.cookies[i % this.cookies.length]);
      stream.ended.catch(() => undefined);
      return { close: stream.close, opened: stream.opened, events: () => (stream.received().match(/^event:/gm) ?? []).length };
    });
    const statuses = await Promise.all(streams.map((s) => s.opened));
    const refused = statuses.filter((s) => s !== 200).length;
    if (refused) throw new Error(`${refused} of ${sessions} live-status streams were refused`);
    return streams;
  }

  async stop() {
    for (const child of this.children.reverse()) {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.on('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
    }
  }
}

/** autocannon with a session cookie per connection, taken round robin. */
export async function cannon(
  rig: LoadRig,
  options: { connections: number; seconds: number; paths: string[]; overallRate?: number; method?: string; body?: string },
): Promise<Figures> {
  let next = 0;
  const requests = options.paths.map((path) => ({
    method: (options.method ?? 'GET') as 'GET' | 'POST',
    path,
    body: options.body,
    headers: options.method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : {},
    setupRequest: (request: any, context: any) => {
      if (!context.cookie) context.cookie = rig.cookies[next++ % rig.cookies.length];
      return { ...request, headers: { ...request.headers, cookie: context.cookie } };
    },
  }));
  const result: any = await autocannon({
    url: rig.base,
    connections: options.connections,
    duration: options.seconds,
    overallRate: options.overallRate,
    timeout: 30,
    requests,
  });
  return {
    requests: result.requests.total,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors,
    non2xx: result.non2xx,
    timeouts: result.timeouts,
  };
}

export const mb = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MB`;
