import { readFileSync } from 'node:fs';
import { test, expect, open, hydrated, markPage, untilText } from './fixtures';
import { createRunbook, execution, start } from './aws';

/** A wait (5 s at the emulator's time scale), then a step with an output. */
function stepped(name: string) {
  return {
    schemaVersion: '0.3',
    description: 'Said back',
    parameters: {},
    mainSteps: [
      { name: 'wait', action: 'aws:sleep', inputs: { Duration: 'PT5M' } },
      {
        name: 'read',
        action: 'aws:executeAwsApi',
        inputs: { Service: 'ssm', Api: 'DescribeDocument', Name: name },
        outputs: [{ Name: 'Said', Selector: '$.Document.Description', Type: 'String' }],
      },
    ],
  };
}

test('a step has its own page: live while it runs, then its outputs to copy and download as JSON', async ({ page }, info) => {
  const name = `Stepped-${info.project.name}`;
  createRunbook(info, 'Stepped', stepped(name));
  const id = start(`aws ssm start-automation-execution --document-name ${name}`);
  await open(page, `/automation/executions/${id}`);
  const waitStep = execution(id).StepExecutions.find((s: any) => s.StepName === 'wait');
  // From the execution's page, by the step's id.
  await page.locator('tbody[data-step="wait"]').getByRole('link', { name: waitStep.StepExecutionId }).click();
  await expect(page).toHaveURL(new RegExp(`/automation/executions/${id}/steps/${waitStep.StepExecutionId}$`));
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Step wait');
  await expect(page.locator('dt:text-is("Action") + dd')).toHaveText('aws:sleep');
  await expect(page.locator('section', { has: page.getByRole('heading', { name: 'Inputs', exact: true }) })).toContainText('PT5M');
  if (hydrated(page)) {
    // The link was a page load: the step's page follows the run from here on.
    await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
    await markPage(page);
    await expect(page.locator('[data-field="duration"]')).toHaveText(/running for \d+ s/);
  }
  await untilText(page, page.locator('[data-field="status"]'), 'Success');
  await expect(page.locator('[data-field="duration"]')).toHaveText(/^took (\d+ min )?\d+ s$/);

  // The step with outputs.
  await expect.poll(() => execution(id).AutomationExecutionStatus, { timeout: 20_000 }).toBe('Success');
  const readStep = execution(id).StepExecutions.find((s: any) => s.StepName === 'read');
  await open(page, `/automation/executions/${id}/steps/${readStep.StepExecutionId}`);
  await expect(page.locator('[data-field="outputs"]')).toContainText('Said back');
  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Download outputs (JSON)' }).click();
  const file = await (await download).path();
  const outputs = JSON.parse(readFileSync(file, 'utf8'));
  expect(outputs).toEqual(execution(id).StepExecutions.find((s: any) => s.StepName === 'read').Outputs);
  if (hydrated(page)) {
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    await page.getByRole('button', { name: 'Copy outputs (JSON)' }).click();
    await expect(page.getByRole('button', { name: 'Copied' })).toBeVisible();
    expect(JSON.parse(await page.evaluate(() => navigator.clipboard.readText()))).toEqual(outputs);
  }
  // A step the execution does not have says so.
  await open(page, `/automation/executions/${id}/steps/not-a-step`);
  await expect(page.getByRole('alert')).toContainText('has no step not-a-step');
});
