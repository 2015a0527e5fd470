import { execFileSync } from 'node:child_process';
import type { TestInfo } from '@playwright/test';
import { emulatorEndpoint } from '../playwright.config';

/** Environment for the AWS CLI against the emulator the portal uses. */
export const awsEnv = {
  ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_'))),
  AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  AWS_DEFAULT_REGION: 'us-east-1',
  AWS_ENDPOINT_URL: emulatorEndpoint,
  AWS_CONFIG_FILE: '/dev/null',
  AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
  AWS_PAGER: '',
};

/** Runs a command line as written for bash, with `aws` being the AWS CLI; answers its JSON output. */
export function bash(command: string): any {
  const script = `aws() { python3 -m awscli --output json "$@"; }\n${command}`;
  const out = execFileSync('bash', ['-c', script], { env: awsEnv, encoding: 'utf8', timeout: 60_000 });
  return out.trim() ? JSON.parse(out) : {};
}

/** `aws ssm get-automation-execution` for `id`. */
export function execution(id: string): any {
  return bash(`aws ssm get-automation-execution --automation-execution-id ${id}`).AutomationExecution;
}

/** Executions of `document` so far. */
export function executionsOf(document: string): any[] {
  return bash(
    `aws ssm describe-automation-executions --filters "Key=DocumentNamePrefix,Values=${document}"`,
  ).AutomationExecutionMetadataList;
}

/** A runbook of this test's own (one per project, as projects run side by side). */
export function createRunbook(info: TestInfo, stem: string, content: object): string {
  const name = `${stem}-${info.project.name}`;
  const existing = bash(`aws ssm list-documents --filters "Key=Name,Values=${name}"`).DocumentIdentifiers;
  if (!existing.some((d: any) => d.Name === name)) {
    const json = JSON.stringify(content).replace(/'/g, "'\\''");
    bash(`aws ssm create-document --name ${name} --document-type Automation --document-format JSON --content '${json}'`);
  }
  return name;
}

/** Runs a start-automation-execution command line; answers the execution id. */
export function start(command: string): string {
  return bash(command).AutomationExecutionId;
}
