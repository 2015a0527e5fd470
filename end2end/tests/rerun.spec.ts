import { test, expect, open, hydrated, sessionCookie } from './fixtures';
import { portals } from '../playwright.config';
import { bash, createRunbook, execution, start } from './aws';
import { executionId } from './procedures';

/** Each target sleeps a moment; ApiToken is secret by its name (the portal's default patterns). */
const RERUNNABLE = {
  schemaVersion: '0.3',
  parameters: {
    Item: { type: 'String' },
    Notes: { type: 'StringList', default: ['none'] },
    Echo: { type: 'String', default: '' },
    ApiToken: { type: 'String' },
  },
  mainSteps: [{ name: 'work', action: 'aws:sleep', inputs: { Duration: 'PT1M' } }],
};

function tagsOf(id: string): Record<string, string> {
  const list = bash(`aws ssm list-tags-for-resource --resource-type Automation --resource-id ${id}`).TagList;
  return Object.fromEntries(list.map((t: any) => [t.Key, t.Value]));
}

test('Rerun opens the form as the run was started, secrets left empty, and starts it again with one value changed', async ({ page }, info) => {
  test.setTimeout(90_000);
  const name = createRunbook(info, 'Rerunnable', RERUNNABLE);
  const first = start(
    `aws ssm start-automation-execution --document-name ${name} --document-version 1 ` +
      `--target-parameter-name Item --targets Key=ParameterValues,Values=a,b --max-concurrency 25% --max-errors 1 ` +
      `--parameters '{"Notes":["x","y"],"ApiToken":["first-run-token"],"Echo":["said first-run-token"]}' ` +
      `--alarm-configuration 'Alarms=[{Name=cpu-high}]' --tags Key=Team,Value=web`,
  );
  await open(page, `/automation/executions/${first}`);
  await page.getByRole('link', { name: 'Rerun', exact: true }).click();

  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Execute automation: ${name}`);
  if (hydrated(page)) await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  expect(page.url()).not.toContain('first-run-token');
  await expect(page.getByRole('radio', { name: /Rate control/ })).toBeChecked();
  await expect(page.getByLabel('Parameter', { exact: true })).toHaveValue('Item');
  await expect(page.getByLabel(/^Item/)).toHaveValue('a,b');
  await expect(page.getByRole('textbox', { name: 'Concurrency', exact: true })).toHaveValue('25');
  await expect(page.locator('input[name="concurrency-unit"][value="percent"]')).toBeChecked();
  await expect(page.locator('#field-errors')).toHaveValue('1');
  await expect(page.getByLabel('Alarm name')).toHaveValue('cpu-high');
  await expect(page.getByLabel(/^Tags, one Key=Value/)).toHaveValue('Team=web');
  await expect(page.getByLabel(/^Notes/)).toHaveValue('x\ny');
  // A secret is typed again: it never comes back from the run.
  await expect(page.getByLabel(/^ApiToken/)).toHaveValue('');
  // So is a parameter that repeats it.
  await expect(page.getByLabel(/^Echo/)).toHaveValue('');
  expect(await page.content()).not.toContain('first-run-token');

  // One changed value: a third target.
  await page.getByLabel(/^Item/).fill('a,b,c');
  await page.getByLabel(/^ApiToken/).fill('second-run-token');
  await page.getByRole('button', { name: 'Execute' }).click();
  const second = await executionId(page);
  expect(second).not.toBe(first);

  const again = execution(second);
  expect(again.DocumentName).toBe(name);
  expect(again.DocumentVersion).toBe('1');
  expect(again.TargetParameterName).toBe('Item');
  expect(again.Targets).toEqual([{ Key: 'ParameterValues', Values: ['a', 'b', 'c'] }]);
  expect(again.MaxConcurrency).toBe('25%');
  expect(again.MaxErrors).toBe('1');
  expect(again.AlarmConfiguration.Alarms).toEqual([{ Name: 'cpu-high' }]);
  expect(again.Parameters.Notes).toEqual(['x', 'y']);
  expect(again.Parameters.ApiToken).toEqual(['second-run-token']);
  expect(tagsOf(second)).toMatchObject({ Team: 'web', 'portal:user': 'tester' });

  // A child is one target of its parent's run: it has no Rerun, and asking for one says why.
  const child = bash(`aws ssm describe-automation-executions --filters Key=ParentExecutionId,Values=${first}`).AutomationExecutionMetadataList[0];
  await open(page, `/automation/executions/${child.AutomationExecutionId}`);
  await expect(page.getByRole('link', { name: 'Rerun', exact: true })).toHaveCount(0);
  const refused = await fetch(`${portals.emulator}/automation/executions/${child.AutomationExecutionId}/rerun`, { headers: await sessionCookie(page), redirect: 'manual' });
  expect(refused.status).toBe(400);
  expect(await refused.text()).toContain(`one target of execution ${first}: rerun that execution instead`);
});

test('the executions list offers Rerun in each row\'s menu', async ({ page }, info) => {
  const name = createRunbook(info, 'Rerunnable', RERUNNABLE);
  const id = start(`aws ssm start-automation-execution --document-name ${name} --parameters '{"Item":["solo"],"ApiToken":["t"]}'`);
  await open(page, `/automation?prefix=${name}`);
  const row = page.locator(`tr[data-execution="${id}"]`);
  await row.getByText('Actions').click();
  await row.getByRole('link', { name: 'Rerun execution' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Execute automation: ${name}`);
  await expect(page.getByRole('radio', { name: /Simple execution/ })).toBeChecked();
  await expect(page.getByLabel(/^Item/)).toHaveValue('solo');
  await expect(page.getByLabel(/^ApiToken/)).toHaveValue('');
});
