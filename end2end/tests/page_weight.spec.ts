import { readFileSync, writeFileSync } from 'node:fs';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { test, expect, hydrated } from './fixtures';
import { everyPage } from './walkthrough';
import { BUDGET, bundleFetched, byKind, coldContext, firstLoad, gzipBytes, load, rawGet } from './page_weight';
import { portals, signedIn } from '../playwright.config';

// What each page weighs on a first load with a cold cache, gzip, against the budget; that a second
// visit takes the bundle from the cache; and that going to another page fetches only its chunks.
// Sizes are stable, unlike times: the times are `make bench`'s (the last test here, PAGE_TIMES=1).

const cookieHeader = async (context: import('@playwright/test').BrowserContext) =>
  (await context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');

test('the bundle is cached for good and sent precompressed in the encoding asked for', async ({ page: own }) => {
  test.skip(!hydrated(own), 'HTTP only: once is enough');
  const html = await (await fetch(`${portals.emulator}/login`)).text();
  const dir = /href="(\/pkg\/[0-9a-f]{16})\/runbook-portal\.css"/.exec(html)?.[1];
  expect(dir, 'the page links the stylesheet in the directory of the bundle').toBeTruthy();
  const wasm = `${portals.emulator}${dir}/runbook-portal.wasm`;
  const asked: [string, string | undefined][] = [
    ['gzip, deflate, br, zstd', 'br'],
    ['gzip', 'gzip'],
    ['br;q=0, gzip;q=0.5', 'gzip'],
    ['', undefined],
    ['identity', undefined],
    // Refusing every coding there is gets the file as it is rather than a broken page.
    ['*;q=0', undefined],
  ];
  const sizes: Record<string, number> = {};
  const decoded: Record<string, Buffer> = {};
  const decode = { br: brotliDecompressSync, gzip: gunzipSync, identity: (b: Buffer) => b };
  for (const [accept, coding] of asked) {
    const answer = await rawGet(wasm, accept ? { 'accept-encoding': accept } : {});
    expect(answer.status, `${wasm} with Accept-Encoding "${accept}"`).toBe(200);
    expect(answer.headers['content-encoding'], `encoding for "${accept}"`).toBe(coding);
    expect(answer.headers['content-type']).toBe('application/wasm');
    expect(answer.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(answer.headers['vary']).toMatch(/accept-encoding/i);
    sizes[coding ?? 'identity'] = answer.bytes;
    decoded[coding ?? 'identity'] = decode[(coding ?? 'identity') as keyof typeof decode](answer.body);
  }
  // Each precompressed copy is the module itself once decoded.
  expect(decoded.br.equals(decoded.identity), 'the Brotli copy decodes to the module').toBe(true);
  expect(decoded.gzip.equals(decoded.identity), 'the gzip copy decodes to the module').toBe(true);
  expect(sizes.br, 'Brotli is smaller than gzip').toBeLessThan(sizes.gzip);
  expect(sizes.gzip, 'gzip is smaller than the module').toBeLessThan(sizes.identity);
  // A copy is not a file of its own, nor the bundle's description, nor a bundle that is not this
  // one (asked signed in: the description is outside /pkg/, behind the sign-in).
  const cookie = (JSON.parse(readFileSync(signedIn, 'utf8')).cookies as { name: string; value: string }[]).map((c) => `${c.name}=${c.value}`).join('; ');
  for (const path of [`${dir}/runbook-portal.wasm.br`, `${dir}/runbook-portal.wasm.gz`, '/bundle.json', '/pkg/0000000000000000/runbook-portal.wasm']) {
    expect((await rawGet(`${portals.emulator}${path}`, { cookie })).status, path).toBe(404);
  }
  // Outside the bundle, a file keeps its name and is revalidated.
  const icon = await rawGet(`${portals.emulator}/favicon.svg`, {});
  expect(icon.headers['cache-control']).toBe('no-cache');
  expect((await rawGet(`${portals.emulator}/favicon.svg`, { 'if-none-match': String(icon.headers.etag) })).status).toBe(304);
});

test.describe('page weight', () => {
  test.describe.configure({ timeout: 240_000 });
  test.beforeEach(({ page }) => {
    test.skip(!hydrated(page), 'the bundle is what is weighed: without JavaScript a page is its HTML and stylesheet');
  });

  test(`every page's first load is within ${BUDGET} bytes gzip`, async ({ browser }, info) => {
    const paths = ['/login', ...(await everyPage(info, 'weight'))];
    const rows: string[] = [];
    const over: string[] = [];
    const report: Record<string, Record<string, number>> = {};
    const errors: string[] = [];
    for (const path of paths) {
      const context = await coldContext(browser, portals.emulator, path === '/login' ? { cookies: [], origins: [] } : signedIn, {}, errors);
      const page = await context.newPage();
      const loaded = await load(page, path);
      const cookie = await cookieHeader(context);
      const first = firstLoad(loaded);
      const gzip = byKind(await Promise.all(first.map(async (f) => ({ kind: f.kind, bytes: await gzipBytes(f.url, cookie) }))));
      const wire = byKind(first.map((f) => ({ kind: f.kind, bytes: f.transferred })));
      await context.close();
      expect(first.some((f) => f.kind === 'wasm'), `${path} loaded a module`).toBe(true);
      report[path] = { ...Object.fromEntries(Object.entries(gzip).map(([k, v]) => [`gzip_${k}`, v])), transferred: wire.total, files: first.length };
      rows.push(
        `${path.padEnd(62)} gzip ${String(gzip.total).padStart(7)} B (html ${gzip.html}, js ${gzip.js}, wasm ${gzip.wasm}, css ${gzip.css}); ` +
          `transferred ${wire.total} B in ${first.length} files`,
      );
      if (gzip.total > BUDGET) over.push(`${path}: ${gzip.total} B`);
    }
    console.log(rows.join('\n'));
    const heaviest = Math.max(...Object.values(report).map((r) => r.gzip_total));
    console.log(`heaviest first load ${heaviest} B gzip; the budget is ${BUDGET} B`);
    writeFileSync(info.outputPath('page-weight.json'), JSON.stringify(report, null, 2));
    expect(over, `pages over the budget of ${BUDGET} B gzip`).toEqual([]);
    expect(errors, 'the pages logged errors').toEqual([]);
  });

  test('a second visit takes the bundle from the cache', async ({ browser }) => {
    const context = await coldContext(browser, portals.emulator, signedIn);
    const page = await context.newPage();
    const first = await load(page, '/automation/execute');
    const bundle = firstLoad(first).filter((f) => f.kind !== 'html');
    expect(bundle.length, 'the first visit fetched the bundle').toBeGreaterThan(2);
    expect(bundle.every((f) => f.transferred > 0), 'the first visit fetched the bundle from the server').toBe(true);
    const again = await load(page, '/automation/execute');
    // The icon keeps its name, so it is revalidated (a 304); the bundle is not asked for at all.
    const fetchedAgain = firstLoad(again).filter((f) => new URL(f.url).pathname.startsWith('/pkg/') && f.transferred > 0);
    expect(fetchedAgain.map((f) => f.url), 'fetched again on the second visit').toEqual([]);
    expect(firstLoad(again).find((f) => f.kind === 'html')?.transferred, 'the page itself is new').toBeGreaterThan(0);
    await context.close();
  });

  test('going to another page fetches only the chunks of its islands, prefetched when they lead on', async ({ browser }) => {
    const errors: string[] = [];
    const context = await coldContext(browser, portals.emulator, signedIn, {}, errors);
    const page = await context.newPage();
    const list = await load(page, '/automation');
    const catalogList = async () => (await bundleFetched(page)).filter((f) => /\/split_catalog_list_loader_[0-9]+\.wasm$/.test(f.path));
    // Nobody has used the page yet: the network is left alone.
    await page.waitForTimeout(1500);
    expect(await catalogList(), 'the next page fetched before anyone used the page').toEqual([]);
    // The pointer moves towards the link: the catalog's island is prefetched before the click.
    await page.getByRole('link', { name: 'Execute automation' }).first().hover();
    await expect.poll(async () => (await catalogList()).length, 'the next page prefetched once someone is at the page').toBe(1);
    expect((await catalogList())[0].startTime, 'prefetched once the list was interactive').toBeGreaterThan(list.interactive);
    await page.getByRole('link', { name: 'Execute automation' }).first().click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Execute automation');
    await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
    // A page load: what it asked for of the bundle came from the cache, the prefetched island too.
    const bundle = await bundleFetched(page);
    const files = bundle.map((f) => f.path.replace(/^\/pkg\/[0-9a-f]{16}\//, ''));
    for (const main of ['runbook-portal.js', 'runbook-portal.wasm']) expect(files, `${main} asked for`).toContain(main);
    expect(files.filter((f) => /^split_catalog_list_loader_[0-9]+\.wasm$/.test(f)).length, 'the catalog\'s island').toBeGreaterThan(0);
    const overTheWire = bundle.filter((f) => f.transferSize > 0).map((f) => f.path);
    expect(overTheWire.filter((p) => !/\/(split|chunk)_[^/]*\.wasm$/.test(p)), 'fetched again besides chunks').toEqual([]);
    expect(overTheWire.filter((p) => /split_catalog_list_loader/.test(p)), 'the prefetched island fetched again').toEqual([]);
    expect(errors, 'the pages logged errors').toEqual([]);
    await context.close();
  });

  test('the catalog prefetches the form, which then opens without fetching it again', async ({ browser }) => {
    const errors: string[] = [];
    const context = await coldContext(browser, portals.emulator, signedIn, {}, errors);
    const page = await context.newPage();
    const name = 'AWS-RestartEC2Instance';
    await load(page, `/automation/execute?tab=all&q=${name}`);
    // The form's chunk as this page fetched it: bytes over the wire, 0 from the cache.
    const form = async () =>
      (await bundleFetched(page)).filter((f) => /\/split_form_checks_loader_[0-9]+\.wasm$/.test(f.path)).map((f) => f.transferSize);
    await page.waitForTimeout(1500);
    expect(await form(), 'the form fetched before anyone used the catalog').toEqual([]);
    await page.getByRole('link', { name, exact: true }).hover();
    await expect.poll(async () => (await form()).length, 'the form prefetched once someone is at the catalog').toBe(1);
    expect((await form())[0], 'the prefetch came over the network').toBeGreaterThan(0);
    await page.getByRole('link', { name, exact: true }).click();
    // Next is the form's own submission, a page load: the form's chunk comes from the cache.
    await page.getByRole('button', { name: 'Next' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Execute automation: ${name}`);
    await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
    const taken = await form();
    expect(taken.length, 'the form\'s chunk asked for').toBeGreaterThan(0);
    expect(taken.every((bytes) => bytes === 0), 'the form taken from the cache').toBe(true);
    expect(errors, 'the pages logged errors').toEqual([]);
    await context.close();
  });
});

// `make bench` (PAGE_TIMES=1): each page's first load on a slow phone, as DevTools simulates one:
// a phone's screen (412 × 823), the CPU 4× slower and the "Fast 3G" network (562.5 ms round
// trips, 1.44 Mbit/s down). Figures, not a pass or fail: time to interactive (hydrated), largest
// contentful paint, layout shift and what shifted.
test('times of a first load on a slow phone', async ({ browser, page: own }, info) => {
  test.skip(!hydrated(own) || !process.env.PAGE_TIMES, 'a benchmark: `make bench` runs it');
  test.setTimeout(900_000);
  const paths = ['/login', ...(await everyPage(info, 'times'))];
  for (const path of paths) {
    const phone = { viewport: { width: 412, height: 823 }, deviceScaleFactor: 1.75, isMobile: true, hasTouch: true };
    const context = await coldContext(browser, portals.emulator, path === '/login' ? { cookies: [], origins: [] } : signedIn, phone);
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 562.5,
      downloadThroughput: (1.6e6 / 8) * 0.9,
      uploadThroughput: (750e3 / 8) * 0.9,
    });
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
    const loaded = await load(page, path, 120_000);
    const bytes = firstLoad(loaded).reduce((sum, f) => sum + f.transferred, 0);
    console.log(
      `${path.padEnd(62)} interactive ${String(Math.round(loaded.interactive)).padStart(6)} ms  LCP ${String(Math.round(loaded.largestPaint)).padStart(6)} ms  ` +
        `CLS ${loaded.layoutShift.toFixed(3)}  ${bytes} B` +
        (loaded.shifted.length ? `\n    shifted: ${loaded.shifted.join(' | ')}` : ''),
    );
    await context.close();
  }
});
