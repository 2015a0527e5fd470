import type { TestInfo } from '@playwright/test';
import { expect } from './fixtures';
import { addUser, clientAs } from './people';
import { createRunbook, execution, start } from './aws';

// Every page of the portal, with what it needs to show something: an execution that ran (and a
// step of it), and an approval request waiting.

const ROLE = 'arn:aws:iam::123456789012:role/AmazonSSMAutomationRole';
const PASSWORD = 'a walked-through password';

/** The pages of one walkthrough: every route, with the wizard's modes and the catalog's tabs. */
export async function everyPage(info: TestInfo, tag: string): Promise<string[]> {
  const name = createRunbook(info, 'Walk', {
    schemaVersion: '0.3',
    description: 'Waits, then reads a document',
    parameters: { Note: { type: 'String', default: 'checked' } },
    mainSteps: [
      { name: 'wait', action: 'aws:sleep', inputs: { Duration: 'PT1S' } },
      { name: 'read', action: 'aws:executeAwsApi', inputs: { Service: 'ssm', Api: 'DescribeDocument', Name: 'AWS-RestartEC2Instance' }, outputs: [{ Name: 'Said', Selector: '$.Document.Description', Type: 'String' }] },
    ],
  });
  const id = start(`aws ssm start-automation-execution --document-name ${name}`);
  await expect.poll(() => execution(id).AutomationExecutionStatus, { timeout: 20_000 }).toBe('Success');
  const step = execution(id).StepExecutions[1].StepExecutionId;
  // A run still going, with its controls: Manual mode waits for its next step.
  const waiting = start(`aws ssm start-automation-execution --document-name ${name} --mode Interactive`);
  await expect.poll(() => execution(waiting).AutomationExecutionStatus, { timeout: 20_000 }).toBe('Waiting');
  // An approval request, asked by someone under the four-eyes grant.
  const requester = `walk-prod-${info.project.name}-${tag}`;
  addUser(requester, PASSWORD, ['prod']);
  const prod = createRunbook(info, 'Prod-WalkCheck', { schemaVersion: '0.3', assumeRole: '{{ AutomationAssumeRole }}', parameters: { AutomationAssumeRole: { type: 'String', default: '' } }, mainSteps: [{ name: 'settle', action: 'aws:sleep', inputs: { Duration: 'PT1S' } }] });
  const asker = await clientAs(requester, PASSWORD);
  const asked = await asker.post('/api/start_automation', { form: { document: prod, 'p.AutomationAssumeRole': ROLE }, maxRedirects: 0 });
  expect(asked.status(), await asked.text()).toBe(200);
  const request = (await asked.json()) as string;
  return [
    '/automation',
    '/automation/execute',
    '/automation/execute?tab=owned',
    '/automation/execute/AWS-RestartEC2Instance',
    '/automation/execute/AWS-RestartEC2Instance?mode=rate-control',
    '/automation/execute/AWS-RestartEC2Instance?mode=multi-account',
    '/automation/execute/AWS-RestartEC2Instance?mode=manual',
    `/automation/executions/${id}`,
    `/automation/executions/${id}/steps/${step}`,
    `/automation/executions/${waiting}`,
    '/documents/AWS-RestartEC2Instance',
    '/automation/approvals',
    `/automation/approvals/${request}`,
    '/automation/schedules',
    '/audit',
    '/notifications',
    '/notifications/deliveries',
    '/no-such-page',
  ];
}
