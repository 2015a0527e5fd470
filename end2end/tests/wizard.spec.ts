import { test, expect, open, hydrated } from './fixtures';
import { bash, createRunbook, execution, executionsOf } from './aws';
import { AUTOMATION_ROLE, WEB_1, chooseRole, executionId, seedProcedure } from './procedures';

const PROFILE_ROLE = 'arn:aws:iam::123456789012:role/EC2InstanceProfileRole';

test('the seed procedure: choose the runbook and version, Next, fill the inputs, Execute, watch it run', async ({ page }) => {
  const id = await seedProcedure(page);
  const started = execution(id);
  expect(started.DocumentName).toBe('AWS-RestartEC2Instance');
  expect(started.DocumentVersion).toBe('1');
  expect(started.Mode).toBe('Auto');
  expect(started.Parameters.InstanceId).toEqual([WEB_1]);
  expect(started.Parameters.AutomationAssumeRole).toEqual([AUTOMATION_ROLE]);
});

test('the catalog has owner tabs, categories, search, and a page per runbook', async ({ page }) => {
  await open(page, '/automation/execute');
  await page.getByRole('link', { name: 'Owned by me' }).click();
  await expect(page.getByRole('link', { name: 'Owned by me' })).toHaveAttribute('aria-current', 'page');
  const names = page.locator('.catalog-list tbody tr td:first-child');
  // Other tests add runbooks of their own to the shared emulator: look for the seed's by name.
  await page.getByLabel('Search by name').fill('Portal-');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(names).toHaveText(['Portal-BranchByPlatform', 'Portal-PauseForReview', 'Portal-RestartWithHealthCheck']);
  // The tabs keep the search.
  await page.getByRole('link', { name: 'Shared with me' }).click();
  await expect(names).toHaveCount(0);
  await page.getByLabel('Search by name').fill('');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(names).toHaveText(['TeamA-StopTaggedInstances']);
  await page.getByRole('link', { name: 'All documents' }).click();
  await page.getByRole('checkbox', { name: 'Data backup' }).check();
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(names).toHaveText(['AWS-CreateImage']);

  await open(page, '/documents/Portal-RestartWithHealthCheck');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Portal-RestartWithHealthCheck');
  const details = page.getByRole('region', { name: 'Runbook Portal-RestartWithHealthCheck' });
  // The description is Markdown, rendered.
  await expect(details.getByRole('heading', { name: 'Restart an instance safely' })).toBeVisible();
  await expect(details.locator('.markdown strong')).toHaveText('running');
  await expect(details.locator('.versions li')).toHaveCount(3);
  await expect(details.locator('.versions li').nth(1)).toContainText('2 (Default)');
  await expect(details.getByRole('cell', { name: 'WarmUp', exact: true })).toBeVisible();
});

test('the role picker narrows the roles as you type, works by keyboard, and says which ones SSM can assume', async ({ page }) => {
  await open(page, `/automation/execute/AWS-RestartEC2Instance?p.InstanceId=${WEB_1}`);
  const field = page.getByLabel(/^AutomationAssumeRole/);
  if (!hydrated(page)) {
    // Without JavaScript: a select whose choices say whether SSM can assume each role.
    await expect(field.locator('option', { hasText: 'EC2InstanceProfileRole' })).toHaveText(/cannot assume it \(trust policy\)/);
    await expect(field.locator('option', { hasText: 'AmazonSSMAutomationRole' })).toHaveText(/Systems Manager can assume it/);
    await field.selectOption(PROFILE_ROLE);
    await page.getByRole('button', { name: 'Update link and preview' }).click();
    await expect(page).toHaveURL(/p\.AutomationAssumeRole=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2FEC2InstanceProfileRole/);
    await expect(page.getByRole('alert').filter({ hasText: 'Systems Manager cannot assume EC2InstanceProfileRole' })).toBeVisible();
    return;
  }
  await expect(field).toHaveAttribute('role', 'combobox');
  await field.fill('ssm');
  const options = page.getByRole('option');
  await expect(options).toHaveText([/AmazonSSMAutomationRole/, /SSMAutomationReadOnlyRole/]);
  await field.press('ArrowDown');
  await expect(field).toHaveAttribute('aria-activedescendant', /-1$/);
  await field.press('Enter');
  await expect(field).toHaveValue('arn:aws:iam::123456789012:role/SSMAutomationReadOnlyRole');
  await expect(page.getByRole('listbox', { name: 'IAM roles' })).toBeHidden();
  await field.fill('EC2Instance');
  await expect(options).toHaveCount(1);
  await expect(options.first()).toContainText('SSM cannot assume');
  await field.press('Enter');
  await expect(page.getByRole('alert').filter({ hasText: 'Systems Manager cannot assume EC2InstanceProfileRole' })).toBeVisible();
  await field.press('Escape');
});

test('mistakes are shown field by field, while typing or after Execute, and nothing starts', async ({ page }) => {
  const before = executionsOf('Portal-PauseForReview').length;
  await open(page, '/automation/execute/Portal-PauseForReview');
  const reviewer = page.getByLabel(/^Reviewer/);
  await reviewer.fill('Ann!');
  if (hydrated(page)) {
    await expect(page.locator('#error-p-Reviewer')).toHaveText(/does not match the pattern/);
    await expect(reviewer).toHaveAttribute('aria-invalid', 'true');
    await reviewer.fill('ann');
    await expect(page.locator('#error-p-Reviewer')).toBeHidden();
    await reviewer.fill('Ann!');
  }
  await page.getByRole('button', { name: 'Execute' }).click();
  await expect(page.locator('#error-p-Reviewer')).toHaveText(/"Ann!" does not match the pattern/);
  await expect(page.locator('#error-p-InstanceId')).toHaveText('InstanceId is required: enter a value.');
  if (!hydrated(page)) {
    // The server sent the form back as it was filled in, with what is wrong.
    await expect(page.getByRole('alert').filter({ hasText: 'Some fields need attention: nothing was started.' })).toBeVisible();
    await expect(reviewer).toHaveValue('Ann!');
  }
  expect(executionsOf('Portal-PauseForReview').length).toBe(before);
});

test('a runbook\'s pattern cannot hang the form: one that backtracks without end is checked at once', async ({ page }, info) => {
  // Anyone who can share a runbook writes its allowedPattern. This one takes a backtracking
  // engine 2^40 steps on the value below; the portal's engine (regex_lite, on the server, which
  // checks the form as it is typed) is linear.
  const name = createRunbook(info, 'Shared-EvilPattern', {
    schemaVersion: '0.3',
    parameters: { Word: { type: 'String', allowedPattern: '^(a+)+$' } },
    mainSteps: [{ name: 'wait', action: 'aws:sleep', inputs: { Duration: 'PT1S' } }],
  });
  await open(page, `/automation/execute/${name}`);
  const word = page.getByLabel(/^Word/);
  await word.fill(`${'a'.repeat(40)}!`);
  if (hydrated(page)) {
    await expect(page.locator('#error-p-Word')).toHaveText(/does not match the pattern/, { timeout: 5_000 });
  }
  await page.getByRole('button', { name: 'Execute' }).click();
  await expect(page.locator('#error-p-Word')).toHaveText(/does not match the pattern/, { timeout: 5_000 });
  expect(executionsOf(name)).toEqual([]);
});

test('when AWS refuses the start, the form says why and keeps what was filled in', async ({ page }) => {
  await open(page, `/automation/execute/AWS-RestartEC2Instance?p.InstanceId=${WEB_1}`);
  await chooseRole(page, 'EC2InstanceProfileRole', PROFILE_ROLE);
  await page.getByRole('button', { name: 'Execute' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'The defined assume role is unable to be assumed.' })).toContainText('Nothing was started.');
  await expect(page).toHaveURL(/\/automation\/execute\/AWS-RestartEC2Instance/);
  await expect(page.getByLabel(/^InstanceId/)).toHaveValue(WEB_1);
  await expect(page.getByLabel(/^AutomationAssumeRole/)).toHaveValue(PROFILE_ROLE);
});

test('rate control by tag: the link fills in the form, and the run has a child per tagged instance', async ({ page }) => {
  const query = new URLSearchParams({
    mode: 'rate-control', 'target-parameter': 'InstanceId', targets: 'tags', 'tag-key': 'Team', 'tag-value': 'web',
    concurrency: '1', errors: '0', 'p.AutomationAssumeRole': AUTOMATION_ROLE,
  });
  await open(page, `/automation/execute/AWS-StartEC2Instance?${query}`);
  await expect(page.getByRole('radio', { name: /Rate control/ })).toBeChecked();
  await expect(page.getByRole('heading', { name: 'Rate control' })).toBeVisible();
  await expect(page.getByLabel('Tag key')).toHaveValue('Team');
  await expect(page.getByRole('heading', { name: 'Target accounts and Regions' })).toBeHidden();
  await page.getByRole('button', { name: 'Execute' }).click();
  const id = await executionId(page);
  await expect(page.locator('tbody[data-step="i-1234567890abcdef0"]')).toBeVisible();
  const parent = execution(id);
  expect(parent.TargetParameterName).toBe('InstanceId');
  expect(parent.Targets).toEqual([{ Key: 'tag:Team', Values: ['web'] }]);
  expect(parent.MaxConcurrency).toBe('1');
  expect(parent.MaxErrors).toBe('0');
});

test('multi-account and Region, chosen on the page, starts a cross-account run', async ({ page }) => {
  await open(page, `/automation/execute/AWS-StartEC2Instance?p.AutomationAssumeRole=${encodeURIComponent(AUTOMATION_ROLE)}`);
  await page.getByRole('radio', { name: /Multi-account and Region/ }).check();
  await expect(page.getByRole('heading', { name: 'Target accounts and Regions' })).toBeVisible();
  await page.getByLabel('Parameter', { exact: true }).selectOption('InstanceId');
  // AWS-StartEC2Instance takes a list of instances: one per line.
  await page.getByLabel(/^InstanceId/).fill(WEB_1);
  await page.getByLabel('Accounts and organizational units (OUs)').fill('123456789012');
  await page.getByLabel('AWS Regions').fill('us-east-1');
  await page.getByRole('button', { name: 'Execute' }).click();
  const id = await executionId(page);
  const parent = execution(id);
  expect(parent.TargetLocations).toEqual([{ Accounts: ['123456789012'], Regions: ['us-east-1'] }]);
  expect(parent.Targets).toEqual([{ Key: 'ParameterValues', Values: [WEB_1] }]);
  await expect(page.locator('tbody[data-step="123456789012:us-east-1"]')).toBeVisible();
});

test('manual execution waits for each step', async ({ page }) => {
  await open(page, `/automation/execute/AWS-StopEC2Instance?mode=manual&p.InstanceId=${WEB_1}`);
  await expect(page.getByRole('radio', { name: /Manual execution/ })).toBeChecked();
  await page.getByRole('button', { name: 'Execute' }).click();
  const id = await executionId(page);
  await expect(page.locator('[data-field="status"]')).toHaveText('Waiting');
  expect(execution(id).Mode).toBe('Interactive');
});

test('the Linux CLI equivalent, run with the AWS CLI, starts the same execution as the form', async ({ page }) => {
  const query = new URLSearchParams({ version: '2', 'p.InstanceId': WEB_1, 'p.WarmUp': 'PT2S', 'p.AutomationAssumeRole': AUTOMATION_ROLE });
  await open(page, `/automation/execute/Portal-RestartWithHealthCheck?${query}`);
  const command = hydrated(page)
    ? page.locator('code[data-command="start"]')
    : page.locator('section[data-shell="unix"] pre').first();
  await expect(command).toContainText('aws ssm start-automation-execution');
  const text = (await command.textContent())!;
  expect(text).toContain('--document-version "2"');
  const fromCli = bash(text).AutomationExecutionId;
  await page.getByRole('button', { name: 'Execute' }).click();
  const fromForm = await executionId(page);
  const [a, b] = [execution(fromCli), execution(fromForm)];
  for (const field of ['DocumentName', 'DocumentVersion', 'Mode', 'Parameters']) {
    expect(a[field], field).toEqual(b[field]);
  }
  expect(a.Parameters.WarmUp).toEqual(['PT2S']);
});

test('the CLI equivalent follows the form in each shell', async ({ page }) => {
  await open(page, `/automation/execute/AWS-RestartEC2Instance?p.InstanceId=${WEB_1}`);
  if (!hydrated(page)) {
    await expect(page.locator('section[data-shell="windows"] pre').first()).toContainText('aws ssm start-automation-execution ^');
    await expect(page.locator('section[data-shell="powershell"] pre').first()).toContainText('-Parameter @{"InstanceId"="i-1234567890abcdef0"}');
    return;
  }
  const command = page.locator('code[data-command="start"]');
  await expect(command).toContainText('--parameters "InstanceId=i-1234567890abcdef0"');
  await page.getByRole('radio', { name: /Manual execution/ }).check();
  await expect(command).toContainText('--mode "Interactive"');
  await page.getByRole('tab', { name: 'PowerShell' }).click();
  await expect(command).toContainText('Start-SSMAutomationExecution `');
  await expect(command).toContainText('-Mode "Interactive"');
  await page.getByRole('tab', { name: 'Windows' }).click();
  await expect(command).toContainText('--document-name "AWS-RestartEC2Instance" ^');
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.getByRole('button', { name: 'Copy' }).click();
  await expect(page.getByRole('button', { name: 'Copied' })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(await command.textContent());
  await expect(page.locator('code[data-command="describe"]')).toHaveText(
    'aws ssm describe-automation-executions --filters "Key=DocumentNamePrefix,Values=AWS-RestartEC2Instance"',
  );
});
