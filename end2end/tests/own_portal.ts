import { spawn, execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from '@playwright/test';
import { Processes } from './processes';
import { expect, hydrated } from './fixtures';
import { signIn } from './people';
import { emulatorEndpoint } from '../playwright.config';

// A portal of a test's own (its own data directory, grants and configuration) on the suite's
// emulator, the people who use it, and a real SMTP server to tell them by.

const bin = process.env.PORTAL_BIN ?? '../target/release/runbook-portal';
export const PASSWORD = 'a notified password';

/** How a test's SMTP server is secured: STARTTLS or TLS from the first byte, with its certificate. */
export interface SmtpTls {
  mode: 'starttls' | 'tls';
  cert: string;
  key: string;
}

/** The test's SMTP server; answers the file its messages are written to. */
export async function smtp(processes: Processes, port: number, dir: string, tls?: SmtpTls): Promise<string> {
  const messages = join(dir, `mail-${port}.jsonl`);
  const secured = tls ? [tls.mode, tls.cert, tls.key] : [];
  const child = spawn('python3', ['receivers/smtp_receiver.py', String(port), messages, 'portal-mail', 'mail-password', ...secured], { stdio: ['ignore', 'pipe', 'inherit'] });
  processes.add(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d) => String(d).includes('ready') && resolve());
    child.on('exit', (code) => reject(new Error(`the SMTP receiver stopped (${code}): is aiosmtpd installed (scripts/setup --test)?`)));
  });
  return messages;
}

/**
 * A certificate authority of the test's own and a certificate it signed for `localhost`, as an
 * internal CA would; answers the files.
 */
export function internalCertificate(dir: string): { ca: string; cert: string; key: string } {
  const file = (name: string) => join(dir, name);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });
  openssl('req', '-x509', ...ec, '-keyout', file('ca.key'), '-out', file('ca.pem'), '-days', '2', '-subj', '/CN=Runbook Portal test CA');
  openssl('req', ...ec, '-keyout', file('smtp.key'), '-out', file('smtp.csr'), '-subj', '/CN=localhost');
  writeFileSync(file('smtp.ext'), 'subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n');
  openssl('x509', '-req', '-in', file('smtp.csr'), '-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-CAcreateserial', '-out', file('smtp.pem'), '-days', '2', '-extfile', file('smtp.ext'));
  return { ca: file('ca.pem'), cert: file('smtp.pem'), key: file('smtp.key') };
}

export function mail(file: string): any[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line));
}

/**
 * A portal of the test's own on `port`, adding these accounts; answers its address. `database`
 * (a PostgreSQL URL) is shared by replicas; without it each has a SQLite file in `dir`.
 */
export async function portal(
  processes: Processes,
  port: number,
  dir: string,
  grants: string,
  config: string,
  users: string[][],
  database?: string,
): Promise<string> {
  const data = join(dir, `data-${port}`);
  const db = database ? ['--database-url', database] : [];
  for (const [name, group] of users) {
    execFileSync(bin, ['users', 'add', name, '--group', group, '--password-stdin', '--data-dir', data, ...db], { input: `${PASSWORD}\n` });
  }
  processes.add(
    spawn(bin, ['serve', '--listen', `127.0.0.1:${port}`, '--data-dir', data, '--emulator-url', emulatorEndpoint, '--grants', grants, '--config', config, ...db], { stdio: 'ignore' }),
  );
  const base = `http://127.0.0.1:${port}`;
  await expect.poll(() => fetch(`${base}/healthz`).then((r) => r.status, () => 0), { timeout: 30_000 }).toBe(200);
  return base;
}

/** `name` signed in on a browser of their own (in `timezoneId`, when given), at `path`. */
export async function person(browser: Browser, base: string, name: string, path: string, timezoneId?: string): Promise<Page> {
  const context = await browser.newContext({ baseURL: base, javaScriptEnabled: hydrated(browser as never), timezoneId });
  const page = await context.newPage();
  await page.goto(`/login?next=${encodeURIComponent(path)}`);
  await signIn(page, name, PASSWORD);
  await expect(page).toHaveURL(new RegExp(`${path}$`));
  if (hydrated(page)) await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  return page;
}

