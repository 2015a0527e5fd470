import { test, expect, open, hydrated } from './fixtures';
import { portals } from '../playwright.config';
import { createRunbook, execution, start } from './aws';

const HELD = {
  schemaVersion: '0.3',
  mainSteps: [{ name: 'hold', action: 'aws:pause', inputs: {} }],
};

test('a page of another site cannot post a control to the portal', async ({ page }, info) => {
  const name = createRunbook(info, 'Held', HELD);
  const id = start(`aws ssm start-automation-execution --document-name ${name}`);
  // A page from elsewhere (here: no origin at all) with a form aimed at the portal.
  await page.setContent(`
    <form method="post" action="${portals.emulator}/api/control_execution">
      <input type="hidden" name="id" value="${id}">
      <button name="control" value="Cancel">Win a prize</button>
    </form>`);
  const [response] = await Promise.all([
    page.waitForResponse(`${portals.emulator}/api/control_execution`),
    page.getByRole('button', { name: 'Win a prize' }).click(),
  ]);
  expect(response.status()).toBe(403);
  await expect(page.locator('body')).toContainText('Changes can only be made from the portal\'s own pages');
  await new Promise((r) => setTimeout(r, 500));
  expect(execution(id).AutomationExecutionStatus).toBe('Waiting');

  // The same control from the portal's own page goes through.
  await open(page, `/automation/executions/${id}`);
  await page.getByRole('button', { name: 'Cancel execution' }).click();
  await expect.poll(() => execution(id).AutomationExecutionStatus, { timeout: 10_000 }).toMatch(/Cancell?ing|Cancelled/);
});

test('pages carry a script policy that hydration works under, and framing is refused', async ({ page, pageErrors }) => {
  const response = await open(page, '/automation');
  const headers = response!.headers();
  const policy = headers['content-security-policy'];
  expect(policy).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9_-]{16,}' 'wasm-unsafe-eval'/);
  expect(policy).toContain("frame-ancestors 'none'");
  expect(policy).not.toContain('unsafe-inline');
  expect(headers['x-content-type-options']).toBe('nosniff');
  expect(headers['referrer-policy']).toBe('same-origin');
  expect(headers['x-frame-options']).toBe('DENY');
  // Each response gets its own nonce.
  const again = await page.request.get('/automation');
  expect(again.headers()['content-security-policy']).not.toBe(policy);
  if (!hydrated(page)) return;
  // Hydrated under the policy (open waited for it), with no violation logged (the fixture checks)…
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  expect(pageErrors).toEqual([]);
  // …while a script slipped into the page does not run, and the browser reports it.
  const ran = await page.evaluate(() => {
    (window as any).__injected = false;
    const s = document.createElement('script');
    s.textContent = 'window.__injected = true';
    document.body.appendChild(s);
    return (window as any).__injected;
  });
  expect(ran).toBe(false);
  await expect.poll(() => pageErrors.filter((e) => e.includes('Content Security Policy')).length).toBe(1);
  pageErrors.splice(0, pageErrors.length, ...pageErrors.filter((e) => !e.includes('Content Security Policy')));
});
