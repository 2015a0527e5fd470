import { test, expect, open, hydrated } from './fixtures';
import { bash, createRunbook, execution } from './aws';
import type { Page } from '@playwright/test';

// Text from runbooks (descriptions, parameter declarations), from parameter values and from
// execution outputs is shown as text: nothing in it runs, links to scripts are dropped, and no
// element of it lands in the page.

const CORPUS = [
  `<script>window.__xss = 'script'</script>`,
  `<img src=x onerror="window.__xss = 'img'">`,
  `"><svg onload="window.__xss = 'svg'">`,
  `</textarea><script>window.__xss = 'textarea'</script>`,
  `'><iframe src="javascript:window.__xss='iframe'"></iframe>`,
  `<a href="javascript:window.__xss = 'anchor'">anchor</a>`,
  `[markdown link](javascript:window.__xss='markdown')`,
  `<div style="background:url(javascript:window.__xss='style')">styled</div>`,
  `{{constructor.constructor('window.__xss = "template"')()}}`,
];
const PAYLOAD = CORPUS.join(' ');

/** Nothing of the corpus ran or became an element; its text is on the page as text. */
async function inert(page: Page, visible: string) {
  expect(await page.evaluate(() => (window as any).__xss)).toBeUndefined();
  await expect(page.locator('img[src="x"], svg[onload], iframe, a[href^="javascript"], [onerror], [onload], div[style]')).toHaveCount(0);
  await expect(page.locator('body')).toContainText(visible);
}

test('an XSS corpus in a runbook, its parameters and its outputs is rendered inert', async ({ page }, info) => {
  const name = `Xss-Corpus-${info.project.name}`;
  createRunbook(info, 'Xss-Corpus', {
    schemaVersion: '0.3',
    description: `# Corpus\n\n${CORPUS.join('\n\n')}`,
    parameters: {
      Payload: { type: 'String', description: PAYLOAD, default: CORPUS[1] },
      Choice: { type: 'String', description: 'One of the corpus', allowedValues: CORPUS.slice(0, 3), default: CORPUS[0] },
    },
    // The step reads the runbook's own description back: an output made of the corpus.
    mainSteps: [
      {
        name: 'echo',
        action: 'aws:executeAwsApi',
        inputs: { Service: 'ssm', Api: 'DescribeDocument', Name: name },
        outputs: [{ Name: 'Said', Selector: '$.Document.Description', Type: 'String' }],
      },
    ],
    outputs: ['echo.Said'],
  });
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });

  await open(page, `/documents/${name}`);
  await inert(page, `<img src=x onerror="window.__xss = 'img'">`);
  // The Markdown link to a script is text or a link to nowhere, never a javascript: link.
  await expect(page.getByText('markdown link').first()).toBeVisible();

  await open(page, `/automation/execute/${name}?p.Payload=${encodeURIComponent(PAYLOAD)}`);
  await inert(page, `"><svg onload="window.__xss = 'svg'">`);
  await expect(page.getByLabel(/^Payload/)).toHaveValue(PAYLOAD);
  // The CLI equivalent quotes the values for the shell, as text.
  await expect(page.locator('body')).toContainText('aws ssm start-automation-execution');

  const input = JSON.stringify({ DocumentName: name, Parameters: { Payload: [PAYLOAD], Choice: [CORPUS[2]] } }).replace(/'/g, "'\\''");
  const id = bash(`aws ssm start-automation-execution --cli-input-json '${input}'`).AutomationExecutionId;
  await expect.poll(() => execution(id).AutomationExecutionStatus, { timeout: 20_000 }).toBe('Success');
  expect(execution(id).Outputs['echo.Said'][0]).toContain(CORPUS[0]);
  await open(page, `/automation/executions/${id}`);
  // Step outputs and inputs are in a disclosure: open them all.
  for (const more of await page.locator('details').all()) await more.evaluate((d) => ((d as HTMLDetailsElement).open = true));
  await inert(page, `</textarea><script>window.__xss = 'textarea'</script>`);
  await expect(page.locator('body')).toContainText(`{{constructor.constructor('window.__xss = "template"')()}}`);

  // And the executions list, where the runbook's name and statuses show.
  await open(page, `/automation?prefix=${name}`);
  expect(await page.evaluate(() => (window as any).__xss)).toBeUndefined();
  expect(dialogs).toEqual([]);
  if (hydrated(page)) {
    // Hydration re-rendered the same text without running it.
    await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  }
});
