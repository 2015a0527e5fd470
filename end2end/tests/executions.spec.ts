import { test, expect, open, untilText } from './fixtures';
import type { Page } from '@playwright/test';
import { createRunbook, execution, start } from './aws';

const PORTAL_ARN = 'arn:aws:sts::123456789012:assumed-role/Administrator/Admin';

const PAUSED = {
  schemaVersion: '0.3',
  parameters: { Item: { type: 'String', default: 'one' } },
  mainSteps: [
    { name: 'hold', action: 'aws:pause', inputs: {} },
    { name: 'settle', action: 'aws:sleep', inputs: { Duration: 'PT1S' } },
  ],
};

const APPROVAL = {
  schemaVersion: '0.3',
  parameters: { Approvers: { type: 'StringList' } },
  mainSteps: [
    { name: 'approve', action: 'aws:approve', inputs: { Approvers: '{{ Approvers }}', MinRequiredApprovals: 1, Message: 'Go?' } },
    { name: 'settle', action: 'aws:sleep', inputs: { Duration: 'PT1S' } },
  ],
};

/** Waits for the execution's status: live when hydrated, by reloading without JavaScript. */
async function untilStatus(page: Page, status: string) {
  await untilText(page, page.locator('[data-field="status"]'), status);
}

test('the executions list: newest first, filters, and child automations on request', async ({ page }, info) => {
  const name = createRunbook(info, 'ListCheck', PAUSED);
  const first = start(`aws ssm start-automation-execution --document-name ${name}`);
  const second = start(`aws ssm start-automation-execution --document-name ${name} --parameters Item=two`);
  const parent = start(
    `aws ssm start-automation-execution --document-name ${name} --target-parameter-name Item --targets Key=ParameterValues,Values=a,b`,
  );
  await open(page, '/automation');
  await expect(page.getByRole('link', { name: 'Execute automation' })).toBeVisible();
  await page.getByLabel('Document name prefix').fill(name);
  await page.getByRole('button', { name: 'Apply' }).click();
  const rows = page.locator('table.executions tbody tr');
  await expect(rows).toHaveCount(3);
  await expect(rows.nth(0)).toHaveAttribute('data-execution', parent);
  await expect(rows.nth(1)).toHaveAttribute('data-execution', second);
  await expect(rows.nth(2)).toHaveAttribute('data-execution', first);
  await expect(rows.nth(2)).toContainText(name);
  await expect(rows.nth(2)).toContainText(PORTAL_ARN);

  // Rate control dispatches one child first; more follow only once it has ended (it waits here).
  await page.getByLabel('Show child automations').check();
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(rows).toHaveCount(4);
  await expect(page).toHaveURL(/children=on/);

  await page.getByLabel('Status').selectOption('Success');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(rows).toHaveCount(0);
  await expect(page.getByText('No executions match.')).toBeVisible();

  // Waiting: the two single runs and the child; the parent itself is in progress.
  await page.getByLabel('Status').selectOption('Waiting');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(rows).toHaveCount(3);
  await rows.first().getByRole('link').click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Execution');
});

test('a manual execution runs step by step from its page, then completes', async ({ page }, info) => {
  // Each project works on an instance of its own.
  const instance = info.project.name === 'hydrated' ? 'i-0123456789abcdef1' : 'i-0fedcba9876543210';
  const id = start(
    `aws ssm start-automation-execution --document-name AWS-RestartEC2Instance --mode Interactive --parameters InstanceId=${instance}`,
  );
  await open(page, `/automation/executions/${id}`);
  await expect(page.locator('[data-field="status"]')).toHaveText('Waiting');
  const controls = page.getByRole('region', { name: 'Controls' });
  await expect(controls).toContainText('Next step: stopInstances');
  await controls.getByRole('button', { name: 'Execute this step' }).click();
  await expect(page).toHaveURL(new RegExp(`/automation/executions/${id}$`));
  await untilText(page, controls, 'Next step: startInstances');
  await expect(page.locator('[data-step="stopInstances"]')).toContainText('Success');
  await controls.getByRole('button', { name: 'Execute this step' }).click();
  await untilText(page, page.locator('[data-step="startInstances"]'), 'Success');
  await controls.getByRole('button', { name: 'Complete and view results' }).click();
  await untilStatus(page, 'Success');
  await expect(page.getByRole('region', { name: 'Controls' })).toHaveCount(0);
});

test('a paused execution resumes, and a running one cancels', async ({ page }, info) => {
  const name = createRunbook(info, 'Hold', PAUSED);
  const resumed = start(`aws ssm start-automation-execution --document-name ${name}`);
  await open(page, `/automation/executions/${resumed}`);
  await expect(page.locator('[data-field="status"]')).toHaveText('Waiting');
  await page.getByRole('button', { name: 'Resume' }).click();
  await untilStatus(page, 'Success');

  const cancelled = start(`aws ssm start-automation-execution --document-name ${name}`);
  await open(page, `/automation/executions/${cancelled}`);
  await page.getByRole('button', { name: 'Cancel execution' }).click();
  await untilStatus(page, 'Cancelled');
  expect(execution(cancelled).StepExecutions[0].StepStatus).toBe('Cancelled');
});

test('an approver approves with a comment, or rejects, from the page', async ({ page }, info) => {
  const name = createRunbook(info, 'NeedsApproval', APPROVAL);
  const approved = start(`aws ssm start-automation-execution --document-name ${name} --parameters Approvers=${PORTAL_ARN}`);
  await open(page, `/automation/executions/${approved}`);
  const controls = page.getByRole('region', { name: 'Controls' });
  await expect(controls.getByRole('heading')).toHaveText('Approval for step approve');
  await controls.getByLabel('Comment (optional)').fill('Looks good');
  await controls.getByRole('button', { name: 'Approve' }).click();
  await untilStatus(page, 'Success');
  const decisions = JSON.parse(execution(approved).StepExecutions[0].Outputs.ApproverDecisions[0]);
  expect(decisions).toEqual([{ Approver: PORTAL_ARN, Decision: 'Approved', Comment: 'Looks good' }]);

  const rejected = start(`aws ssm start-automation-execution --document-name ${name} --parameters Approvers=${PORTAL_ARN}`);
  await open(page, `/automation/executions/${rejected}`);
  await controls.getByLabel('Comment (optional)').fill('Not today');
  await controls.getByRole('button', { name: 'Reject' }).click();
  await untilStatus(page, 'Failed');
  await expect(page.getByRole('alert').first()).toContainText('with comment: Not today');
});

test('a control AWS refuses is explained on the page', async ({ page }, info) => {
  const name = createRunbook(info, 'NeedsApproval', APPROVAL);
  const id = start(
    `aws ssm start-automation-execution --document-name ${name} --parameters Approvers=arn:aws:iam::123456789012:user/SomeoneElse`,
  );
  await open(page, `/automation/executions/${id}`);
  await page.getByRole('region', { name: 'Controls' }).getByRole('button', { name: 'Approve' }).click();
  await expect(page.getByRole('alert').first()).toContainText('is not an approver of this automation step');
  await expect(page.locator('[data-field="status"]')).toHaveText('Waiting');
});
