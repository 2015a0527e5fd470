import { request as httpRequest } from 'node:http';
import type { Browser, BrowserContextOptions, Page } from '@playwright/test';
import { expect } from './fixtures';

/** What no page's first load may pass, gzip: HTML, scripts, modules and styles. */
export const BUDGET = 250_000;

/** One resource a page load fetched, as the browser's Resource Timing saw it. */
export interface Fetched {
  url: string;
  kind: 'html' | 'js' | 'wasm' | 'css' | 'other';
  /** Bytes over the wire, headers included; 0 when it came from the cache. */
  transferred: number;
  /** Milliseconds after navigation the request started. */
  startTime: number;
}

/** A page's load: what it fetched until interactive, and when things happened. */
export interface Load {
  path: string;
  fetched: Fetched[];
  /** Milliseconds from navigation until the page was interactive (hydrated). */
  interactive: number;
  /** Largest contentful paint, milliseconds. */
  largestPaint: number;
  /** Cumulative layout shift until interactive. */
  layoutShift: number;
  /** What moved, for the largest shifts: the elements' tags and classes. */
  shifted: string[];
}

function kindOf(url: string, initiator: string): Fetched['kind'] {
  const path = new URL(url).pathname;
  if (initiator === 'navigation') return 'html';
  if (path.endsWith('.js')) return 'js';
  if (path.endsWith('.wasm')) return 'wasm';
  if (path.endsWith('.css')) return 'css';
  return 'other';
}

/** Records paints and shifts from the very start of the page, before any script of its own. */
const OBSERVE = () => {
  const seen = ((window as any).__weights = { lcp: 0, cls: 0, hydrated: 0, shifted: [] as string[] });
  const describe = (node: Node | null) => {
    const element = node as Element | null;
    if (!element?.tagName) return '?';
    return [element.tagName.toLowerCase(), element.id && `#${element.id}`, element.className && typeof element.className === 'string' && `.${element.className.trim().split(/\s+/).join('.')}`].filter(Boolean).join('');
  };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) seen.lcp = e.startTime;
  }).observe({ type: 'largest-contentful-paint', buffered: true });
  new PerformanceObserver((list) => {
    for (const e of list.getEntries() as any[]) {
      if (e.hadRecentInput) continue;
      seen.cls += e.value;
      if (e.value > 0.01) seen.shifted.push(`${e.value.toFixed(3)}: ${(e.sources ?? []).map((s: any) => describe(s.node)).join(', ')}`);
    }
  }).observe({ type: 'layout-shift', buffered: true });
  new MutationObserver(() => {
    if (!seen.hydrated && document.body?.dataset.hydrated === 'true') seen.hydrated = performance.now();
  }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-hydrated'] });
};

/**
 * Loads `path` in `page` and waits until it is interactive (at most `timeout` ms: hydration waits
 * for the browser to be idle, and a throttled phone is slow) and the network is quiet.
 */
export async function load(page: Page, path: string, timeout = 20_000): Promise<Load> {
  await page.goto(path, { timeout });
  // A sweep of sign-in pages would pass for the wrong reason.
  if (path !== '/login') expect(new URL(page.url()).pathname, `${path} needs a signed-in browser`).not.toBe('/login');
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true', { timeout });
  await page.waitForLoadState('networkidle', { timeout: 10_000 }).catch(() => undefined);
  const seen = await page.evaluate(() => {
    const entries = [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')] as PerformanceResourceTiming[];
    return {
      entries: entries.map((e) => ({ url: e.name, initiator: e.initiatorType, transferred: e.transferSize, startTime: e.startTime })),
      weights: (window as any).__weights as { lcp: number; cls: number; hydrated: number; shifted: string[] },
    };
  });
  const fetched = seen.entries
    // What the page's own scripts ask for once it runs (server functions, live status) is not
    // the page's weight.
    .filter((e) => !new URL(e.url).pathname.startsWith('/api/'))
    .map((e) => ({ url: e.url, kind: kindOf(e.url, e.initiator), transferred: e.transferred, startTime: e.startTime }));
  return { path, fetched, interactive: seen.weights.hydrated, largestPaint: seen.weights.lcp, layoutShift: seen.weights.cls, shifted: seen.weights.shifted };
}

/**
 * A browser context with a cold cache, signed in with `storageState` (or not), observing loads.
 * What its pages throw or log as errors goes to `errors` (the suite's own check watches only the
 * test's page).
 */
export async function coldContext(browser: Browser, base: string, storageState: BrowserContextOptions['storageState'], options: BrowserContextOptions = {}, errors: string[] = []) {
  const context = await browser.newContext({ ...options, baseURL: base, storageState, javaScriptEnabled: true });
  await context.addInitScript(OBSERVE);
  context.on('page', (page) => {
    page.on('pageerror', (e) => errors.push(`${page.url()}: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' && !(m.text().startsWith('Failed to load resource') && m.location().url === page.url())) errors.push(`${page.url()}: ${m.text()}`);
    });
  });
  return context;
}

/** The resources fetched before the page was interactive: its first load. */
export function firstLoad(l: Load): Fetched[] {
  // A file asked for twice (the hydration script checks a chunk came, the chunks' loader then
  // reads it from the cache) is one file.
  const seen = new Set<string>();
  return l.fetched
    .filter((f) => f.kind === 'html' || f.startTime <= l.interactive)
    .filter((f) => {
      if (seen.has(f.url)) return false;
      seen.add(f.url);
      return true;
    });
}

/** An answer as it came over the wire: status, headers and the body's size, not decoded. */
export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  bytes: number;
  /** The body as sent, still encoded. */
  body: Buffer;
}

/** GETs `url` with these headers, without decoding the body. */
export function rawGet(url: string, headers: Record<string, string>): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, bytes: body.length, body });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * The bundle's files this page has fetched so far, as its Resource Timing saw them: path, when the
 * request started (ms after navigation) and bytes over the wire (0 from the cache).
 */
export function bundleFetched(page: Page): Promise<{ path: string; startTime: number; transferSize: number }[]> {
  return page.evaluate(() =>
    (performance.getEntriesByType('resource') as PerformanceResourceTiming[])
      .filter((e) => new URL(e.name).pathname.startsWith('/pkg/'))
      .map((e) => ({ path: new URL(e.name).pathname, startTime: e.startTime, transferSize: e.transferSize })),
  );
}

/** The body of `url` as sent to a client that accepts gzip only: its size in bytes. */
export async function gzipBytes(url: string, cookie: string): Promise<number> {
  return (await rawGet(url, { 'accept-encoding': 'gzip', cookie })).bytes;
}

/** Bytes per kind of a set of fetched resources. */
export function byKind(fetched: { kind: Fetched['kind']; bytes: number }[]): Record<Fetched['kind'] | 'total', number> {
  const sums = { html: 0, js: 0, wasm: 0, css: 0, other: 0, total: 0 };
  for (const f of fetched) {
    sums[f.kind] += f.bytes;
    sums.total += f.bytes;
  }
  return sums;
}
