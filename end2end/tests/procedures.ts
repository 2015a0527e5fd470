import type { Page } from '@playwright/test';
import { expect, open, hydrated } from './fixtures';

/** Hydrated, waits for the page a click led to to hydrate (a slow proxy, a loaded machine). */
async function settled(page: Page) {
  if (hydrated(page)) await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
}

/** The seed's instance and the automation role the AWS guide's procedure uses. */
export const WEB_1 = 'i-1234567890abcdef0';
/** Instances of the seed that only the TLS proxy's procedure restarts (db-1, jump-1). */
export const DB_1 = 'i-0c0ffee0000000001';
export const JUMP_1 = 'i-0c0ffee0000000002';
export const AUTOMATION_ROLE = 'arn:aws:iam::123456789012:role/AmazonSSMAutomationRole';

/** Chooses the AutomationAssumeRole: typed into the combobox when hydrated, selected otherwise. */
export async function chooseRole(page: Page, name: string, arn: string) {
  const field = page.getByLabel(/^AutomationAssumeRole/);
  if (hydrated(page)) {
    await field.fill(name);
    await expect(page.getByRole('listbox', { name: 'IAM roles' })).toBeVisible();
    await page.getByRole('option', { name: new RegExp(`^${name}`) }).click();
    await expect(field).toHaveValue(arn);
  } else {
    await field.selectOption(arn);
  }
}

/** The execution id from the execution page's address. */
export async function executionId(page: Page): Promise<string> {
  await expect(page).toHaveURL(/\/automation\/executions\/[0-9a-f-]{36}$/);
  return page.url().split('/').pop()!;
}

/**
 * The AWS guide's console procedure on the seed: choose AWS-RestartEC2Instance and its version,
 * Next, fill the inputs, Execute; answers the execution's id once its page shows it running.
 * `base` is the portal's address when it is not the suite's (behind a proxy); `instance` the
 * instance to restart.
 */
export async function seedProcedure(page: Page, base = '', instance = WEB_1): Promise<string> {
  await open(page, `${base}/automation`);
  await page.getByRole('link', { name: 'Execute automation' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Execute automation');
  await settled(page);
  await page.getByLabel('Search by name').fill('Restart');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await settled(page);
  await page.getByRole('link', { name: 'AWS-RestartEC2Instance' }).click();
  await settled(page);
  const details = page.getByRole('region', { name: 'Runbook AWS-RestartEC2Instance' });
  await expect(details.getByRole('cell', { name: 'stopInstances' })).toBeVisible();
  const version = page.getByLabel('Document version');
  await expect(version.locator('option')).toHaveText([
    'Default version at runtime',
    'Latest version at runtime',
    '1 (Default)',
  ]);
  await page.getByRole('button', { name: 'Next' }).click();

  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Execute automation: AWS-RestartEC2Instance');
  await settled(page);
  await expect(page.getByRole('radio', { name: /Simple execution/ })).toBeChecked();
  // The runbook takes a list of instances (StringList): one per line.
  await page.getByLabel(/^InstanceId/).fill(instance);
  await chooseRole(page, 'AmazonSSMAutomationRole', AUTOMATION_ROLE);
  if (hydrated(page)) {
    await expect(page.getByText('Systems Manager can assume AmazonSSMAutomationRole')).toBeVisible();
  }
  await page.getByRole('button', { name: 'Execute' }).click();

  const id = await executionId(page);
  await expect(page.getByRole('heading', { level: 1 })).toContainText(id);
  await expect(page.locator('[data-field="status"]')).toHaveText(/InProgress|Success/);
  await expect(page.locator('tbody[data-step="stopInstances"]')).toBeVisible();
  return id;
}
