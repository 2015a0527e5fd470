// The soak run (`make soak`, an hour by default: SOAK_SECONDS): moderate load for a long time,
// sampling the portal every minute. Prints the memory slope, open files and threads over the
// run, and the database's growth against the runs it stored; fails only when something breaks.
import { test } from '@playwright/test';
import { LoadRig, cannon, mb, LONG, QUICK } from './load_harness';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 3600);
const SAMPLE_SECONDS = Number(process.env.SOAK_SAMPLE_SECONDS ?? 60);
// Ports of its own (the browser suite uses offsets up to +91; the load benchmark +140).
const PORT = Number(process.env.PORTAL_PORT ?? 3100) + 150;

/** Least-squares slope of `ys` over `xs`. */
function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  const num = xs.reduce((s, x, i) => s + (x - mx) * (ys[i] - my), 0);
  const den = xs.reduce((s, x) => s + (x - mx) ** 2, 0);
  return den ? num / den : 0;
}

test('soak: an hour of moderate load', async () => {
  test.setTimeout(0);
  const rig = new LoadRig(PORT, 10);
  try {
    await rig.start();
    await rig.signIn(100);
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) ids.push(await rig.startRun(LONG, i));
    const streams = await rig.openStreams(ids, 100);
    const samples: { at: number; rss: number; fds: number; threads: number; database: number }[] = [];
    const t0 = Date.now();
    const sampler = setInterval(() => {
      const r = rig.resources();
      samples.push({ at: (Date.now() - t0) / 1000, ...r });
      console.log(`${((Date.now() - t0) / 60_000).toFixed(0).padStart(3)} min  ${mb(r.rss)}  ${r.fds} files  ${r.threads} threads  database ${mb(r.database)}`);
    }, SAMPLE_SECONDS * 1000);
    const paths = ['/automation', `/automation/execute/${LONG}`, ...ids.map((id) => `/automation/executions/${id}`)];
    const [browsing, starting] = await Promise.all([
      cannon(rig, { connections: 50, seconds: SECONDS, overallRate: 50, paths }),
      cannon(rig, {
        connections: 1,
        seconds: SECONDS,
        overallRate: 1,
        method: 'POST',
        paths: ['/api/start_automation'],
        body: new URLSearchParams({ document: QUICK, 'p.AutomationAssumeRole': 'arn:aws:iam::123456789012:role/AmazonSSMAutomationRole' }).toString(),
      }),
    ]);
    clearInterval(sampler);
    for (const s of streams) s.close();
    // The first quarter is warm-up (caches, pools, the allocator's arenas filling).
    const steady = samples.slice(Math.floor(samples.length / 4));
    const perHour = slope(steady.map((s) => s.at / 3600), steady.map((s) => s.rss));
    const fds = steady.map((s) => s.fds);
    const threads = steady.map((s) => s.threads);
    const last = samples[samples.length - 1];
    console.log(`\n${(SECONDS / 60).toFixed(0)} min: ${browsing.requests} page views (errors ${browsing.errors + browsing.non2xx + browsing.timeouts}), ${starting.requests} starts (errors ${starting.errors + starting.non2xx + starting.timeouts})`);
    console.log(`memory after warm-up: ${mb(steady[0].rss)} -> ${mb(last.rss)}, slope ${(perHour / 1048576).toFixed(2)} MB/hour`);
    console.log(`open files ${Math.min(...fds)}..${Math.max(...fds)}, threads ${Math.min(...threads)}..${Math.max(...threads)}`);
    console.log(`database ${mb(last.database)}: ${(last.database / Math.max(1, starting.requests)).toFixed(0)} bytes per run started`);
  } finally {
    await rig.stop();
  }
});
