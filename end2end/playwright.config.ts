import { defineConfig } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The release binary under test (the Makefile passes the one it built).
const bin = process.env.PORTAL_BIN ?? '../target/release/runbook-portal';
const port = Number(process.env.PORTAL_PORT ?? 3100);
const data = process.env.PORTAL_E2E_DATA ?? mkdtempSync(join(tmpdir(), 'runbook-portal-e2e-'));
// Workers load this file again: they must see the same directory.
process.env.PORTAL_E2E_DATA = data;

/** Cookies of the signed-in tester, written by the sign-in project. */
export const signedIn = join(data, 'signed-in.json');

/** A standalone emulator the portal and the AWS CLI share. */
export const emulatorEndpoint = `http://127.0.0.1:${port + 2}`;

/** The portal's data directories (the tests manage accounts in them with the CLI). */
export const dataDirs = { emulator: `${data}/emulator`, aws: `${data}/aws` };

/** Everything the portal on the shared emulator logs (its own modules at debug level). */
export const portalLog = `${data}/portal.log`;

/** The account the browser tests sign in with (an administrator). */
export const tester = { name: 'tester', password: 'correct horse battery staple' };

export const portals = {
  /** The portal on the shared emulator. */
  emulator: `http://127.0.0.1:${port}`,
  /** The portal pointed at an AWS endpoint that does not answer. */
  unreachableAws: `http://127.0.0.1:${port + 1}`,
};

export default defineConfig({
  testDir: './tests',
  forbidOnly: true,
  retries: 0,
  workers: 2,
  reporter: [['list']],
  use: {
    baseURL: portals.emulator,
    launchOptions: {
      executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
    trace: 'retain-on-failure',
  },
  // Every spec runs twice: hydrated, and as a browser without JavaScript sees the portal.
  projects: [
    // Signs in once; the browser projects start from its cookies.
    { name: 'sign-in', testMatch: /sign-in\.setup\.ts/ },
    { name: 'hydrated', use: { javaScriptEnabled: true, storageState: signedIn }, dependencies: ['sign-in'] },
    { name: 'no-js', use: { javaScriptEnabled: false, storageState: signedIn }, dependencies: ['sign-in'] },
  ],
  webServer: [
    {
      command: `${bin} emulator --listen 127.0.0.1:${port + 2} --time-scale 60`,
      url: `${emulatorEndpoint}/_emulator/health`,
      reuseExistingServer: false,
      timeout: 30_000,
    },
    {
      command: `echo '${tester.password}' | ${bin} users add ${tester.name} --group admins --password-stdin --data-dir ${data}/emulator && exec ${bin} serve --listen 127.0.0.1:${port} --data-dir ${data}/emulator --emulator-url ${emulatorEndpoint} > ${portalLog} 2>&1`,
      env: { RUST_LOG: 'info,runbook_portal=debug,app=debug,accounts=debug,grants=debug,backend=debug,tower_http=debug' },
      url: `${portals.emulator}/healthz`,
      reuseExistingServer: false,
      timeout: 30_000,
    },
    {
      command: `${bin} serve --backend aws --listen 127.0.0.1:${port + 1} --data-dir ${data}/aws`,
      env: {
        // Nothing listens on the discard port: every AWS call fails at once.
        AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
        AWS_ACCESS_KEY_ID: 'AKIDUNREACHABLE',
        AWS_SECRET_ACCESS_KEY: 'unreachable',
        AWS_REGION: 'eu-west-1',
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_MAX_ATTEMPTS: '1',
      },
      url: `${portals.unreachableAws}/favicon.svg`,
      reuseExistingServer: false,
      timeout: 30_000,
    },
  ],
});
