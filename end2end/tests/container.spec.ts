import { execFileSync, spawnSync } from 'node:child_process';
import type { TestInfo } from '@playwright/test';
import { test, expect, hydrated } from './fixtures';
import { emulatorEndpoint } from '../playwright.config';
import { seedProcedure } from './procedures';

// The portal's image, as an operator runs it: `make container-test` (and `make e2e`) package the
// binary under test into the Dockerfile's runtime stage (scripts/container-image --prebuilt); each
// project starts a container of its own on an empty named volume, on the host's network, using the
// suite's emulator so the AWS CLI sees what it starts.
test.describe.configure({ mode: 'serial' });

const image = process.env.PORTAL_TEST_IMAGE ?? 'localhost/runbook-portal:test';
const bin = process.env.PORTAL_BIN ?? '../target/release/runbook-portal';
const dataDir = '/var/lib/runbook-portal/data';

/** Each project's container listens on a port of its own. */
function portOf(info: TestInfo): number {
  return Number(process.env.PORTAL_PORT ?? 3100) + 80 + (info.project.name === 'no-js' ? 1 : 0);
}

test.use({
  storageState: { cookies: [], origins: [] },
  baseURL: async ({}, use, info) => use(`http://127.0.0.1:${portOf(info)}`),
});

/** podman as it works on these machines (no systemd: cgroupfs; runc). */
function podman(...args: string[]): string {
  return execFileSync('podman', ['--runtime', 'runc', '--cgroup-manager=cgroupfs', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** podman's exit status and output, for commands expected to fail. */
function podmanStatus(...args: string[]) {
  const run = spawnSync('podman', ['--runtime', 'runc', '--cgroup-manager=cgroupfs', ...args], { encoding: 'utf8' });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

/**
 * What `path` in the container holds, read with `podman cp` (the image has no shell, no cat, no
 * stat): the entries of its tar stream, as `tar -tv --numeric-owner` lists them, and `path`'s text.
 */
function fromContainer(path: string): { listing: string; text: string } {
  const tar = execFileSync('podman', ['--runtime', 'runc', '--cgroup-manager=cgroupfs', 'cp', `${name}:${path}`, '-']);
  return {
    listing: execFileSync('tar', ['-tv', '--numeric-owner', '-f', '-'], { input: tar, encoding: 'utf8' }),
    text: execFileSync('tar', ['-xO', '-f', '-'], { input: tar, encoding: 'utf8' }),
  };
}

/** The owner and mode of `path`'s first tar entry: `10001/10001 drwx------`. */
function ownerAndMode(path: string): string {
  const [mode, owner] = fromContainer(path).listing.split('\n')[0].split(/\s+/);
  return `${owner} ${mode}`;
}

let name = '';
let password = '';
let startedAt = 0;

test.beforeAll(async ({}, info) => {
  test.setTimeout(120_000);
  const port = portOf(info);
  expect(podmanStatus('image', 'exists', image).status, `no image ${image}: make it with \`make container-test-image\` (scripts/container-image --prebuilt <binary>)`).toBe(0);
  name = `runbook-portal-e2e-${port}`;
  podmanStatus('rm', '--force', '--time', '0', name);
  podmanStatus('volume', 'rm', '--force', name);
  podman('volume', 'create', name);
  // Until the binary answers /livez, its image's health check asks /healthz instead.
  const live = execFileSync(bin, ['routes'], { encoding: 'utf8' }).includes('"/livez"');
  const health = live ? [] : ['--health-cmd', `["runbook-portal", "probe", "http://127.0.0.1:${port}/healthz"]`];
  startedAt = Date.now();
  podman(
    'run', '--detach', '--name', name, '--network=host',
    '--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=1024:1024',
    '--volume', `${name}:${dataDir}`,
    '--env', `RUNBOOK_PORTAL_LISTEN=127.0.0.1:${port}`,
    '--env', `RUNBOOK_PORTAL_EMULATOR_URL=${emulatorEndpoint}`,
    ...health, image,
  );
  // The image's own HEALTHCHECK, run as podman runs it.
  await expect.poll(() => podmanStatus('healthcheck', 'run', name).status, { timeout: 60_000, intervals: [250] }).toBe(0);
  console.log(`container ${name}: healthy ${Date.now() - startedAt} ms after podman run`);
  password = fromContainer(`${dataDir}/initial-admin-password`).text.trim();
});

test.afterAll(() => {
  podmanStatus('rm', '--force', '--time', '0', name);
  podmanStatus('volume', 'rm', '--force', name);
});

test('starts on an empty volume as UID 10001, which owns it, and keeps the first password out of its log', async ({ page }) => {
  test.skip(!hydrated(page), 'about the server: once is enough');
  const [inspected] = JSON.parse(podman('image', 'inspect', image));
  expect(inspected.Config.User).toBe('10001:10001');
  expect(inspected.Config.ExposedPorts).toHaveProperty(['3000/tcp']);
  // Kept only in the docker format (scripts/container-image builds with --format docker).
  expect(inspected.Healthcheck.Test).toEqual(['CMD', 'runbook-portal', 'probe']);
  // The process runs as the image's user (10001 in its /etc/passwd).
  expect(podman('top', name, 'user').split('\n').slice(1).map((l) => l.trim())).toEqual(['portal']);
  // The volume was empty: the image's directory gave it its owner and mode.
  expect(ownerAndMode(dataDir)).toBe('10001/10001 drwx------');
  expect(ownerAndMode(`${dataDir}/initial-admin-password`)).toBe('10001/10001 -rw-------');
  // Nothing to run but the portal: no shell for a foothold.
  expect(podmanStatus('exec', name, 'sh', '-c', 'true').status).not.toBe(0);
  expect(password).toMatch(/^\S{16,}$/);
  const log = podman('logs', name);
  expect(log).toContain(`${dataDir}/initial-admin-password`);
  expect(log).not.toContain(password);
  // The probe says why when nothing answers.
  const down = podmanStatus('exec', name, 'runbook-portal', 'probe', 'http://127.0.0.1:9/livez');
  expect(down.status).toBe(1);
  expect(down.output).toContain('http://127.0.0.1:9/livez did not answer');
});

test('the seed procedure, signed in as the first admin', async ({ page }) => {
  test.setTimeout(90_000);
  await page.goto('/login');
  await page.getByLabel('User name').fill('admin');
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/automation$/);
  await seedProcedure(page);
});

test('stops on SIGTERM at once, exits 0, and is removed with its volume', async ({ page }) => {
  test.skip(!hydrated(page), 'about the server: once is enough');
  test.setTimeout(60_000);
  const stopping = Date.now();
  // Past 30 s podman would send SIGKILL: the exit status tells.
  podman('stop', '--time', '30', name);
  const stopped = Date.now() - stopping;
  console.log(`container ${name}: stopped ${stopped} ms after SIGTERM`);
  expect(podman('inspect', '--format', '{{.State.ExitCode}}', name)).toBe('0');
  expect(stopped).toBeLessThan(10_000);
  podman('rm', name);
  podman('volume', 'rm', name);
  expect(podmanStatus('container', 'exists', name).status).toBe(1);
  expect(podmanStatus('volume', 'exists', name).status).toBe(1);
});
