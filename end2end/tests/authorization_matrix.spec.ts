import { execFileSync } from 'node:child_process';
import { test, expect, hydrated } from './fixtures';
import { addUser } from './people';
import { bash, createRunbook, start } from './aws';
import { portals, tester } from '../playwright.config';

// Every route the portal answers (listed by the portal itself from its router) × anonymous, a
// signed-in user without a grant, a user whose grant covers the route's subject, and an admin.
// A route this file has no expectations for fails the test: a new route cannot be forgotten.

test.use({ storageState: { cookies: [], origins: [] } });

const bin = process.env.PORTAL_BIN ?? '../target/release/runbook-portal';
const PASSWORD = 'a matrix password';
const GRANTED = 'Portal-RestartWithHealthCheck';
const ROLE = 'arn:aws:iam::123456789012:role/AmazonSSMAutomationRole';
// Text only those who may see the secret runbook and its execution may ever receive.
const DESCRIPTION_MARKER = 'matrix-description-marker';
const PARAMETER_MARKER = 'matrix-parameter-marker';

type Who = 'anonymous' | 'visitor' | 'granted' | 'admin';
const everyone: Who[] = ['anonymous', 'visitor', 'granted', 'admin'];

interface Ask {
  method: string;
  path: string;
  form?: Record<string, string>;
}
interface Answer {
  status: number;
  location: string;
  body: string;
}

/** A request as a script sends it, with `cookie` (or none): status, Location and body. */
async function send(ask: Ask, cookie: string): Promise<Answer> {
  const headers: Record<string, string> = cookie ? { cookie } : {};
  let body: string | undefined;
  if (ask.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(ask.form).toString();
  }
  const abort = new AbortController();
  const response = await fetch(portals.emulator + ask.path, { method: ask.method, headers, body, redirect: 'manual', signal: abort.signal });
  let text = '';
  if ((response.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
    // A stream: its first events, then hang up.
    const reader = response.body!.getReader();
    const first = await Promise.race([reader.read(), new Promise<undefined>((r) => setTimeout(() => r(undefined), 2_000))]);
    text = first?.value ? new TextDecoder().decode(first.value) : '';
    abort.abort();
  } else {
    text = await response.text();
  }
  return { status: response.status, location: response.headers.get('location') ?? '', body: text };
}

async function sessionOf(name: string, password: string): Promise<string> {
  const response = await fetch(portals.emulator + '/session', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ name, password, next: '/automation' }).toString(),
    redirect: 'manual',
  });
  expect(response.headers.get('location'), `${name} signs in`).toBe('/automation');
  const cookie = response.headers.getSetCookie().find((c) => c.startsWith('runbook_portal_session='));
  return cookie!.split(';')[0];
}

/** What a route answers each kind of user, for one subject. */
interface Case {
  ask: Ask;
  expect: Record<Who, number | number[]>;
  /** Who must not receive the secret markers (and the secret execution's id, unless asked by it). */
  mustNotLeakTo?: Who[];
  /** More text those may not receive. */
  alsoSecret?: string[];
  /** Text each kind of user must find in a successful answer (proof it is the real answer). */
  shows?: Partial<Record<Who, string>>;
}

const denied = (admin: number | number[], granted: number | number[] = 403) =>
  ({ anonymous: 401, visitor: 403, granted, admin }) as Record<Who, number | number[]>;
const pageDenied = (admin: number, granted: number = 403) =>
  ({ anonymous: 303, visitor: 403, granted, admin }) as Record<Who, number | number[]>;
const open = (anonymous: number, others: number) =>
  ({ anonymous, visitor: others, granted: others, admin: others }) as Record<Who, number | number[]>;

test('every route × anonymous, no grant, granted and admin', async ({ page }, info) => {
  test.skip(!hydrated(page), 'HTTP requests: once is enough');
  test.setTimeout(120_000);
  const routes: { method: string; path: string; kind: string }[] = JSON.parse(execFileSync(bin, ['routes'], { encoding: 'utf8' }));

  addUser('matrix-visitor', PASSWORD, ['visitors']);
  addUser('matrix-web', PASSWORD, ['web']);
  const cookies: Record<Who, string> = {
    anonymous: '',
    visitor: await sessionOf('matrix-visitor', PASSWORD),
    granted: await sessionOf('matrix-web', PASSWORD),
    admin: await sessionOf(tester.name, tester.password),
  };

  // A runbook no grant covers, and an execution of it that waits (so it can be cancelled).
  const secret = createRunbook(info, 'Matrix-Secret', {
    schemaVersion: '0.3',
    description: `Secret runbook ${DESCRIPTION_MARKER}`,
    assumeRole: '{{ AutomationAssumeRole }}',
    parameters: {
      Note: { type: 'String', default: 'none' },
      AutomationAssumeRole: { type: 'String', default: '' },
    },
    mainSteps: [{ name: 'wait', action: 'aws:sleep', inputs: { Duration: 'PT10H' } }],
  });
  const secretRun = start(`aws ssm start-automation-execution --document-name ${secret} --parameters Note=${PARAMETER_MARKER}`);
  // An execution the web team's grant shows (its executions = "all").
  const webStart = await send(
    { method: 'POST', path: '/api/start_automation', form: { document: GRANTED, 'p.InstanceId': 'i-1234567890abcdef0', 'p.AutomationAssumeRole': ROLE } },
    cookies.granted,
  );
  expect(webStart.status, webStart.body).toBe(200);
  const webRun = JSON.parse(webStart.body) as string;
  // One the admin started: the web team sees it (executions = "all") but may not control it.
  const adminStart = await send(
    { method: 'POST', path: '/api/start_automation', form: { document: GRANTED, mode: 'manual', 'p.InstanceId': 'i-1234567890abcdef0', 'p.AutomationAssumeRole': ROLE } },
    cookies.admin,
  );
  expect(adminStart.status, adminStart.body).toBe(200);
  const adminRun = JSON.parse(adminStart.body) as string;
  // A request waiting for approval, by someone else (the web team member is not its approver).
  addUser('matrix-prod', PASSWORD, ['prod']);
  const asked = await send(
    { method: 'POST', path: '/api/start_automation', form: { document: 'AWS-RestartEC2Instance', 'p.InstanceId': 'i-1234567890abcdef0', 'p.AutomationAssumeRole': ROLE } },
    await sessionOf('matrix-prod', PASSWORD),
  );
  expect(asked.status, asked.body).toBe(200);
  const waiting = JSON.parse(asked.body) as string;

  const stream = (ids: string) => `/api/executions/events?ids=${ids}`;
  // The bundle's directory is named by its content: a page says where it is.
  const signInPage = await send({ method: 'GET', path: '/login' }, '');
  const stylesheet = /href="(\/pkg\/[0-9a-f]{16}\/runbook-portal\.css)"/.exec(signInPage.body)?.[1] ?? 'no stylesheet on /login';
  const cases: Record<string, Case[]> = {
    'GET /': [{ ask: { method: 'GET', path: '/' }, expect: open(303, 200) }],
    'GET /automation': [
      {
        ask: { method: 'GET', path: '/automation' },
        expect: open(303, 200),
        mustNotLeakTo: ['anonymous', 'visitor', 'granted'],
        shows: { granted: webRun, admin: secretRun },
      },
    ],
    'GET /automation/execute': [
      {
        ask: { method: 'GET', path: `/automation/execute?tab=all&search=${secret}` },
        expect: open(303, 200),
        mustNotLeakTo: ['anonymous', 'visitor', 'granted'],
        shows: { admin: secret },
      },
    ],
    'GET /automation/execute/{name}': [
      { ask: { method: 'GET', path: `/automation/execute/${secret}` }, expect: pageDenied(200), mustNotLeakTo: ['anonymous', 'visitor', 'granted'], shows: { admin: DESCRIPTION_MARKER } },
      { ask: { method: 'GET', path: `/automation/execute/${GRANTED}` }, expect: pageDenied(200, 200), shows: { granted: 'Web team restarts web servers' } },
    ],
    'GET /documents/{name}': [
      { ask: { method: 'GET', path: `/documents/${secret}` }, expect: pageDenied(200), mustNotLeakTo: ['anonymous', 'visitor', 'granted'], shows: { admin: DESCRIPTION_MARKER } },
      { ask: { method: 'GET', path: `/documents/${GRANTED}` }, expect: pageDenied(200, 200) },
    ],
    // A step's page: the execution's rights (a step it does not have says so, to those who may see it).
    'GET /automation/executions/{id}/steps/{step}': [
      { ask: { method: 'GET', path: `/automation/executions/${secretRun}/steps/no-such-step` }, expect: pageDenied(200), mustNotLeakTo: ['anonymous', 'visitor', 'granted'], alsoSecret: [PARAMETER_MARKER], shows: { admin: 'has no step no-such-step' } },
      { ask: { method: 'GET', path: `/automation/executions/${webRun}/steps/no-such-step` }, expect: pageDenied(200, 200), shows: { granted: 'has no step no-such-step' } },
    ],
    // Rerun: the form filled in as the run was started, for those who may see the run.
    'GET /automation/executions/{id}/rerun': [
      { ask: { method: 'GET', path: `/automation/executions/${secretRun}/rerun` }, expect: pageDenied(303), mustNotLeakTo: ['anonymous', 'visitor', 'granted'], alsoSecret: [PARAMETER_MARKER] },
      { ask: { method: 'GET', path: `/automation/executions/${webRun}/rerun` }, expect: pageDenied(303, 303) },
    ],
    'GET /automation/executions/{id}': [
      { ask: { method: 'GET', path: `/automation/executions/${secretRun}` }, expect: pageDenied(200), mustNotLeakTo: ['anonymous', 'visitor', 'granted'], shows: { admin: PARAMETER_MARKER } },
      { ask: { method: 'GET', path: `/automation/executions/${webRun}` }, expect: pageDenied(200, 200), shows: { granted: GRANTED } },
    ],
    'GET /login': [{ ask: { method: 'GET', path: '/login' }, expect: open(200, 200) }],
    'POST sign_in_methods': [{ ask: { method: 'POST', path: 'sign_in_methods', form: {} }, expect: open(200, 200) }],
    // Single sign-on is not set up on this portal: both say so, back on the sign-in page.
    'GET /login/oidc': [{ ask: { method: 'GET', path: '/login/oidc' }, expect: open(303, 303) }],
    'GET /login/oidc/callback': [{ ask: { method: 'GET', path: '/login/oidc/callback?code=x&state=y' }, expect: open(303, 303) }],
    // Approval requests: shown to the requester, the grant's approvers, auditors and admins.
    'GET /automation/approvals': [{ ask: { method: 'GET', path: '/automation/approvals' }, expect: open(303, 200), mustNotLeakTo: ['anonymous', 'visitor', 'granted'], alsoSecret: [waiting], shows: { admin: waiting } }],
    'GET /automation/approvals/{id}': [{ ask: { method: 'GET', path: `/automation/approvals/${waiting}` }, expect: pageDenied(200), mustNotLeakTo: ['anonymous', 'visitor', 'granted'], alsoSecret: ['matrix-prod'], shows: { admin: 'matrix-prod' } }],
    'POST list_approvals': [{ ask: { method: 'POST', path: 'list_approvals', form: {} }, expect: open(401, 200), mustNotLeakTo: ['anonymous', 'visitor', 'granted'], alsoSecret: [waiting], shows: { admin: waiting } }],
    'POST get_approval': [{ ask: { method: 'POST', path: 'get_approval', form: { id: waiting } }, expect: denied(200), mustNotLeakTo: ['anonymous', 'visitor', 'granted'], alsoSecret: ['matrix-prod'], shows: { admin: 'matrix-prod' } }],
    // The admin goes last: the rejection is real.
    'POST decide_approval': [{ ask: { method: 'POST', path: 'decide_approval', form: { id: waiting, decision: 'Reject', comment: 'matrix' } }, expect: denied(200) }],
    // Notifications: everyone's own settings; the delivery log is for admins.
    'GET /notifications': [{ ask: { method: 'GET', path: '/notifications' }, expect: open(303, 200) }],
    'POST get_notification_settings': [{ ask: { method: 'POST', path: 'get_notification_settings', form: {} }, expect: open(401, 200) }],
    'POST save_notification_settings': [{ ask: { method: 'POST', path: 'save_notification_settings', form: {} }, expect: open(401, 200) }],
    'GET /notifications/deliveries': [{ ask: { method: 'GET', path: '/notifications/deliveries' }, expect: pageDenied(200) }],
    'POST list_notification_deliveries': [{ ask: { method: 'POST', path: 'list_notification_deliveries', form: {} }, expect: denied(200) }],
    // Schedules: a schedule is a start kept for later, refused like one; changed by its owner only.
    'GET /automation/schedules': [{ ask: { method: 'GET', path: '/automation/schedules' }, expect: open(303, 200) }],
    'POST list_schedules': [{ ask: { method: 'POST', path: 'list_schedules', form: {} }, expect: open(401, 200) }],
    'POST schedule_automation': [
      { ask: { method: 'POST', path: 'schedule_automation', form: { document: secret, 'p.Note': 'x', 'schedule.name': 'matrix', 'schedule.cron': '0 2 * * *' } }, expect: denied([200, 400]) },
    ],
    'POST change_schedule': [{ ask: { method: 'POST', path: 'change_schedule', form: { id: 'no-such-schedule', change: 'pause' } }, expect: denied(403) }],
    // The audit trail: admins (and auditors) only; it names the web team member's start.
    'GET /audit': [{ ask: { method: 'GET', path: '/audit' }, expect: pageDenied(200), mustNotLeakTo: ['anonymous', 'visitor', 'granted'], alsoSecret: [webRun], shows: { admin: webRun } }],
    'POST list_audit': [{ ask: { method: 'POST', path: 'list_audit', form: { 'filters[user]': '' } }, expect: denied(200), mustNotLeakTo: ['anonymous', 'visitor', 'granted'], alsoSecret: [webRun], shows: { admin: webRun } }],
    'GET /audit.csv': [{ ask: { method: 'GET', path: '/audit.csv' }, expect: { ...denied(200), anonymous: 303 }, mustNotLeakTo: ['anonymous', 'visitor', 'granted'], alsoSecret: [webRun], shows: { admin: webRun } }],
    'POST get_execution': [
      { ask: { method: 'POST', path: 'get_execution', form: { id: secretRun } }, expect: denied(200), mustNotLeakTo: ['anonymous', 'visitor', 'granted'], shows: { admin: PARAMETER_MARKER } },
      { ask: { method: 'POST', path: 'get_execution', form: { id: webRun } }, expect: denied(200, 200), shows: { granted: GRANTED } },
      // Seen is not controlled: the page is told which controls to offer.
      { ask: { method: 'POST', path: 'get_execution', form: { id: adminRun } }, expect: denied(200, 200), shows: { granted: '"control":false', admin: '"control":true' } },
    ],
    'POST get_runbook': [
      { ask: { method: 'POST', path: 'get_runbook', form: { name: secret, version: '' } }, expect: denied(200), mustNotLeakTo: ['anonymous', 'visitor', 'granted'], shows: { admin: DESCRIPTION_MARKER } },
      { ask: { method: 'POST', path: 'get_runbook', form: { name: GRANTED, version: '' } }, expect: denied(200, 200) },
    ],
    'POST get_shell_info': [{ ask: { method: 'POST', path: 'get_shell_info', form: {} }, expect: open(401, 200) }],
    'POST list_executions': [
      {
        ask: { method: 'POST', path: 'list_executions', form: { 'filters[status]': '', 'filters[prefix]': '', 'filters[after]': '', 'filters[before]': '', 'filters[children]': 'false', 'filters[page]': '' } },
        expect: open(401, 200),
        mustNotLeakTo: ['anonymous', 'visitor', 'granted'],
        shows: { granted: webRun, admin: secretRun },
      },
    ],
    'POST list_instances': [{ ask: { method: 'POST', path: 'list_instances', form: {} }, expect: denied(200, 200), shows: { granted: 'web-1' } }],
    'POST list_roles': [
      { ask: { method: 'POST', path: 'list_roles', form: { runbook: secret } }, expect: denied(200) },
      { ask: { method: 'POST', path: 'list_roles', form: { runbook: GRANTED } }, expect: denied(200, 200), shows: { granted: ROLE } },
    ],
    'POST list_runbooks': [
      {
        ask: { method: 'POST', path: 'list_runbooks', form: { owner: 'All', search: 'Matrix-Secret', page: '1' } },
        expect: open(401, 200),
        mustNotLeakTo: ['anonymous', 'visitor', 'granted'],
        shows: { admin: secret },
      },
    ],
    'POST my_rights': [{ ask: { method: 'POST', path: 'my_rights', form: {} }, expect: open(401, 200), shows: { granted: 'Web team restarts web servers' } }],
    // A star takes a runbook the user may see; taking one's own star off needs nothing more. Each
    // star is taken off again at once, so the tester's catalog (other specs') keeps its order.
    'POST star_runbook': [
      { ask: { method: 'POST', path: 'star_runbook', form: { runbook: secret, star: 'true' } }, expect: denied(200), mustNotLeakTo: ['anonymous', 'visitor', 'granted'] },
      { ask: { method: 'POST', path: 'star_runbook', form: { runbook: secret, star: 'false' } }, expect: open(401, 200) },
      { ask: { method: 'POST', path: 'star_runbook', form: { runbook: GRANTED, star: 'true' } }, expect: denied(200, 200) },
      { ask: { method: 'POST', path: 'star_runbook', form: { runbook: GRANTED, star: 'false' } }, expect: open(401, 200) },
    ],
    // Only the asker's own stars.
    'POST starred_runbooks': [{ ask: { method: 'POST', path: 'starred_runbooks', form: {} }, expect: open(401, 200) }],
    // The preview's address never carries a secret value.
    'POST preview_form': [
      {
        ask: { method: 'POST', path: 'preview_form', form: { document: GRANTED, 'p.InstanceId': 'i-1234567890abcdef0', 'p.DbPassword': 'matrix-preview-secret' } },
        expect: open(401, 200),
        mustNotLeakTo: everyone,
        alsoSecret: ['matrix-preview-secret'],
        shows: { visitor: 'p.InstanceId=i-1234567890abcdef0', admin: 'p.InstanceId=i-1234567890abcdef0' },
      },
    ],
    // The form's checks: for a runbook the asker may run, as the form itself.
    'POST check_form': [
      {
        ask: { method: 'POST', path: 'check_form', form: { document: secret, 'p.Note': PARAMETER_MARKER } },
        expect: denied(200),
        mustNotLeakTo: ['anonymous', 'visitor', 'granted'],
        // The command, as the answer's JSON writes its quotes.
        shows: { admin: `--document-name \\"${secret}\\"` },
      },
      {
        ask: { method: 'POST', path: 'check_form', form: { document: GRANTED, 'p.InstanceId': 'i-1234567890abcdef0', 'p.AutomationAssumeRole': ROLE } },
        expect: denied(200, 200),
        shows: { granted: 'InstanceId=i-1234567890abcdef0', admin: 'InstanceId=i-1234567890abcdef0' },
      },
    ],
    'POST start_automation': [
      { ask: { method: 'POST', path: 'start_automation', form: { document: secret, 'p.Note': 'x' } }, expect: denied(200) },
    ],
    'POST control_execution': [
      // The admin goes last: the cancel is real.
      { ask: { method: 'POST', path: 'control_execution', form: { id: secretRun, control: 'Cancel' } }, expect: denied(200) },
      // Someone else's run the web team may see: seeing is not controlling.
      { ask: { method: 'POST', path: 'control_execution', form: { id: adminRun, control: 'Cancel' } }, expect: denied(200) },
    ],
    'GET /api/executions/events': [
      { ask: { method: 'GET', path: stream(secretRun) }, expect: denied(200), mustNotLeakTo: ['anonymous', 'visitor', 'granted'] },
      { ask: { method: 'GET', path: stream(`${webRun},${secretRun}`) }, expect: denied(200), mustNotLeakTo: ['anonymous', 'visitor', 'granted'] },
      { ask: { method: 'GET', path: stream(webRun) }, expect: denied(200, 200), shows: { granted: GRANTED } },
    ],
    'GET /api/executions/{id}/events': [
      { ask: { method: 'GET', path: `/api/executions/${secretRun}/events` }, expect: denied(200), mustNotLeakTo: ['anonymous', 'visitor', 'granted'], shows: { admin: PARAMETER_MARKER } },
      { ask: { method: 'GET', path: `/api/executions/${webRun}/events` }, expect: denied(200, 200), shows: { granted: GRANTED } },
    ],
    // Up or down for anyone; the account and AWS's errors for admins only.
    'GET /healthz': [{ ask: { method: 'GET', path: '/healthz' }, expect: open(200, 200), mustNotLeakTo: everyone, alsoSecret: ['123456789012'] }],
    // Probes: up or down, nothing more.
    'GET /livez': [{ ask: { method: 'GET', path: '/livez' }, expect: open(200, 200), mustNotLeakTo: everyone, alsoSecret: ['123456789012'] }],
    'GET /readyz': [{ ask: { method: 'GET', path: '/readyz' }, expect: open(200, 200), mustNotLeakTo: everyone, alsoSecret: ['123456789012'] }],
    // Answered to loopback (the --metrics-allow default; other clients: tls_proxy.spec.ts): route
    // templates and counts, never an execution's id or a parameter.
    'GET /metrics': [{ ask: { method: 'GET', path: '/metrics' }, expect: open(200, 200), mustNotLeakTo: everyone }],
    // Only answers whether a seal checks for the asker: no message comes back.
    'POST check_notice': [{ ask: { method: 'POST', path: 'check_notice', form: { subject: 'refused', value: 'made up', seal: '1.x' } }, expect: open(401, 200) }],
    'GET /healthz/details': [{ ask: { method: 'GET', path: '/healthz/details' }, expect: pageDenied(200), mustNotLeakTo: ['anonymous', 'visitor', 'granted'], alsoSecret: ['123456789012'], shows: { admin: '123456789012' } }],
    'POST /session': [{ ask: { method: 'POST', path: '/session', form: { name: 'nobody-at-all', password: 'wrong password', next: '/' } }, expect: open(303, 303) }],
    // A session's own presentation mode (asked to stop, so the matrix's sessions stay unmasked).
    'POST /presentation': [{ ask: { method: 'POST', path: '/presentation', form: { on: '0', back: '/automation' } }, expect: open(401, 303) }],
    // A browser's own display preferences (the system theme: the default, so nothing changes).
    'POST /preferences': [{ ask: { method: 'POST', path: '/preferences', form: { theme: 'system', back: '/automation' } }, expect: open(401, 303) }],
    'GET /favicon.svg': [{ ask: { method: 'GET', path: '/favicon.svg' }, expect: open(200, 200) }],
    'GET /pkg/{bundle}/{file}': [{ ask: { method: 'GET', path: stylesheet }, expect: open(200, 200) }],
    // Signing out ends the session it is sent with: asked last, with sessions of its own.
    'POST /session/end': [{ ask: { method: 'POST', path: '/session/end', form: {} }, expect: open(401, 303) }],
  };

  // Server functions are named by their endpoint (/api/<name>).
  const keyOf = (r: { method: string; path: string; kind: string }) =>
    r.kind === 'server-function' ? `${r.method} ${r.path.replace(/^\/api\//, '')}` : `${r.method} ${r.path}`;
  const listed = routes.map(keyOf);
  const forgotten = listed.filter((k) => !(k in cases));
  expect(forgotten, 'routes without expectations: add them to this matrix').toEqual([]);
  const stale = Object.keys(cases).filter((k) => !listed.includes(k));
  expect(stale, 'expectations for routes the portal no longer has').toEqual([]);
  const pathOf = Object.fromEntries(routes.map((r) => [keyOf(r), r.path]));

  const failures: string[] = [];
  for (const route of Object.keys(cases)) {
    for (const c of cases[route]) {
      for (const who of everyone) {
        let cookie = cookies[who];
        if (route === 'POST /session/end' && who !== 'anonymous') {
          cookie = await sessionOf(who === 'admin' ? tester.name : who === 'granted' ? 'matrix-web' : 'matrix-visitor', who === 'admin' ? tester.password : PASSWORD);
        }
        const ask = c.ask.path.startsWith('/') ? c.ask : { ...c.ask, path: pathOf[route] };
        const answer = await send(ask, cookie);
        const label = `${route} ${ask.path.slice(0, 80)} as ${who}`;
        const wanted = ([] as number[]).concat(c.expect[who]);
        if (!wanted.includes(answer.status)) failures.push(`${label}: ${answer.status}, expected ${wanted.join(' or ')}: ${answer.body.slice(0, 200)}`);
        if (c.mustNotLeakTo?.includes(who)) {
          const secrets = [DESCRIPTION_MARKER, PARAMETER_MARKER, ...(c.alsoSecret ?? [])];
          if (!ask.path.includes(secretRun) && !JSON.stringify(ask.form ?? {}).includes(secretRun)) secrets.push(secretRun);
          for (const s of secrets) if (answer.body.includes(s)) failures.push(`${label}: the answer holds ${s}`);
        }
        const proof = c.shows?.[who];
        if (proof && !answer.body.includes(proof)) failures.push(`${label}: the answer lacks ${proof}`);
        if (answer.status === 401 && !answer.body.includes('Sign in first')) failures.push(`${label}: 401 without a sentence`);
        if (answer.status === 403 && !/You (have no grant|may not)/.test(answer.body)) failures.push(`${label}: 403 without a sentence: ${answer.body.slice(0, 200)}`);
      }
    }
  }
  expect(failures).toEqual([]);
  // The admin's cancel went through; nobody else's did anything to the secret run.
  expect(bash(`aws ssm get-automation-execution --automation-execution-id ${secretRun}`).AutomationExecution.AutomationExecutionStatus).toMatch(/Cancell?ing|Cancelled/);
  // Only the admin's rejection decided the request.
  const decided = await send({ method: 'POST', path: '/api/get_approval', form: { id: waiting } }, cookies.admin);
  expect(JSON.parse(decided.body)).toMatchObject({ status: 'rejected', decided_by: tester.name, comment: 'matrix' });
});
