// The load benchmark (`make bench`): signed-in users on the emulator, the portal, emulator and
// load generator (autocannon) sharing this machine. Prints figures; fails only when something
// breaks (refused sessions or streams), never on a time.
//
// 1. Each page alone at 200 concurrent users: requests per second, p50/p99, errors, and the AWS
//    calls per page view (the emulator's count over the views; nothing else runs then).
// 2. 1,000 users at once: browsing the list, executions and the form, each with an execution's
//    live status open, while runs are started through the portal (5 a second).
import { test } from '@playwright/test';
import { LoadRig, cannon, mb, LONG, QUICK, type Figures } from './load_harness';

const USERS = Number(process.env.LOAD_USERS ?? 1000);
const SECONDS = Number(process.env.LOAD_SECONDS ?? 20);
// Ports of its own (the browser suite uses offsets up to +91), so a run beside it meets nothing.
const PORT = Number(process.env.PORTAL_PORT ?? 3100) + 140;
const WATCHED = 20;

const row = (name: string, f: Figures, views?: number, calls?: number) =>
  `${name.padEnd(34)} ${f.rps.toFixed(0).padStart(6)} req/s  p50 ${String(f.p50).padStart(5)} ms  p99 ${String(f.p99).padStart(5)} ms  ` +
  `errors ${f.errors + f.non2xx + f.timeouts} (of ${f.requests})` +
  (views ? `  AWS calls/view ${((calls ?? 0) / views).toFixed(2)}` : '');

test('load: pages at 200 users, then 1,000 users with live status and starts', async () => {
  test.setTimeout(0);
  const rig = new LoadRig(PORT, 20);
  try {
    await rig.start();
    console.log(`portal memory at start: ${mb(rig.resources().rss)}`);
    let started = Date.now();
    await rig.signIn(USERS);
    console.log(`${USERS} sessions signed in over 20 users in ${((Date.now() - started) / 1000).toFixed(1)} s; portal memory ${mb(rig.resources().rss)}`);
    const ids: string[] = [];
    for (let i = 0; i < WATCHED; i++) ids.push(await rig.startRun(LONG, i));
    const pages: [string, string[]][] = [
      ['executions list', ['/automation']],
      ['execution page', ids.map((id) => `/automation/executions/${id}`)],
      ['wizard form', [`/automation/execute/${LONG}`, '/automation/execute/AWS-RestartEC2Instance']],
      ['runbook catalog', ['/automation/execute']],
    ];
    // Warm-up: the caches a running portal has.
    await cannon(rig, { connections: 20, seconds: 3, paths: pages.flatMap(([, p]) => p) });
    console.log(`portal memory after warm-up: ${mb(rig.resources().rss)}`);
    console.log(`\nEach page alone, 200 concurrent users, ${SECONDS} s each:`);
    for (const [name, paths] of pages) {
      const before = await rig.awsCalls();
      const figures = await cannon(rig, { connections: 200, seconds: SECONDS, paths });
      // The 20 watched executions poll on their own only while someone watches: nobody does here.
      const calls = (await rig.awsCalls()) - before;
      console.log(row(name, figures, figures.requests, calls));
    }
    console.log(`portal memory after: ${mb(rig.resources().rss)}`);

    console.log(`\n${USERS} users at once, ${SECONDS * 2} s: browsing, each with a live status open, starts at 5/s:`);
    const streams = await rig.openStreams(ids, USERS);
    const before = await rig.awsCalls();
    started = Date.now();
    const [browsing, starting] = await Promise.all([
      cannon(rig, { connections: USERS, seconds: SECONDS * 2, paths: pages.flatMap(([, p]) => p) }),
      cannon(rig, {
        connections: 5,
        seconds: SECONDS * 2,
        overallRate: 5,
        method: 'POST',
        paths: ['/api/start_automation'],
        body: new URLSearchParams({ document: QUICK, 'p.AutomationAssumeRole': 'arn:aws:iam::123456789012:role/AmazonSSMAutomationRole' }).toString(),
      }),
    ]);
    const minutes = (Date.now() - started) / 60_000;
    const calls = (await rig.awsCalls()) - before;
    const events = streams.reduce((sum, s) => sum + s.events(), 0);
    const resources = rig.resources();
    console.log(row('page views (mixed)', browsing));
    console.log(row('starts', starting));
    console.log(
      `AWS calls: ${calls} in ${minutes.toFixed(2)} min (${(calls / minutes).toFixed(0)}/min), ` +
        `${(calls / browsing.requests).toFixed(3)} per page view with the live-status polls and the starts counted in`,
    );
    console.log(`live-status events received by ${USERS} viewers: ${events}`);
    console.log(`portal: ${mb(resources.rss)} resident (peak ${mb(resources.peak)}), ${resources.fds} open files, ${resources.threads} threads`);
    for (const s of streams) s.close();
  } finally {
    await rig.stop();
  }
});
