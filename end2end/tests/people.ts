import { execFileSync } from 'node:child_process';
import { request as newRequest, type APIRequestContext, type Page } from '@playwright/test';
import { dataDirs, portals } from '../playwright.config';

const bin = process.env.PORTAL_BIN ?? '../target/release/runbook-portal';

/** Adds an account with the CLI, as an administrator would on the server. */
export function addUser(name: string, password: string, groups: string[]) {
  execFileSync(
    bin,
    ['users', 'add', name, ...groups.flatMap((g) => ['--group', g]), '--password-stdin', '--data-dir', dataDirs.emulator],
    { input: `${password}\n` },
  );
}

/** Signs in through the sign-in page the browser is on. */
export async function signIn(page: Page, name: string, password: string) {
  await page.getByLabel('User name').fill(name);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** An HTTP client signed in as `name` (none signed in without a name), as a script would be. */
export async function clientAs(name?: string, password?: string): Promise<APIRequestContext> {
  // Inside a test, a new context takes the project's options, the tester's cookies among them:
  // this client is someone else, so it starts with none (a sign-in would end the tester's session).
  const client = await newRequest.newContext({ baseURL: portals.emulator, storageState: { cookies: [], origins: [] } });
  if (name) {
    const answer = await client.post('/session', { form: { name, password: password ?? '', next: '/automation' }, maxRedirects: 0 });
    if (answer.headers().location !== '/automation') throw new Error(`${name} could not sign in`);
  }
  return client;
}
