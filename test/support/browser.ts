import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Frame, type Page } from 'playwright-core';

/**
 * Debian's Chromium, headless, through playwright-core (which downloads no browser): the pages' and the
 * playground's browser tests. Every request the page makes is recorded, so a test can assert that only the
 * server (and the test's own partner pages) were asked anything.
 */
export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

export interface Browser {
  context: BrowserContext;
  page: Page;
  requests: { url: string; method: string; headers: Record<string, string> }[];
  consoleErrors: string[];
  close(): Promise<void>;
}

export function requireChromium(what: string): void {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(
      `\n\n*** ${CHROMIUM} is missing: ${what} needs Debian's Chromium. ***\n` +
        `*** Install it: apt-get update && apt-get install -y --no-install-recommends chromium chromium-driver ***\n` +
        `*** (.ci/run does this; playwright-core never downloads a browser.) ***\n`,
    );
  }
}

export async function launchBrowser(what: string, viewport = { width: 1400, height: 900 }): Promise<Browser> {
  requireChromium(what);
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'passerelle-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport });
  const page = context.pages()[0] ?? (await context.newPage());
  const requests: Browser['requests'] = [];
  const consoleErrors: string[] = [];
  context.on('request', (request) => requests.push({ url: request.url(), method: request.method(), headers: request.headers() }));
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(`pageerror: ${error.message}`));
  return {
    context,
    page,
    requests,
    consoleErrors,
    async close() {
      await context.close();
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Polls `read` until `ok` holds of its value (then returns it), or fails with the last value seen. */
export async function until<T>(what: string, read: () => Promise<T>, ok: (value: T) => boolean, timeout = 20_000): Promise<T> {
  const deadline = Date.now() + timeout;
  let value = await read();
  while (!ok(value)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last seen:\n${String(value)}`);
    await new Promise((r) => setTimeout(r, 100));
    value = await read();
  }
  return value;
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

/**
 * axe-core's audit of a page or frame against WCAG 2.0/2.1 A and AA. The engine is evaluated through the
 * DevTools protocol (not a `<script>` tag), so the page's Content-Security-Policy stays enforced as served.
 */
export async function axeViolations(target: Page | Frame): Promise<AxeViolation[]> {
  const source = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  await target.evaluate(source);
  return target.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document, options: unknown): Promise<{ violations: AxeViolation[]; passes: unknown[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    // An audit that checked nothing would pass as well: it must have passed rules (color-contrast, label…).
    if (result.passes.length < 5) throw new Error(`axe passed only ${result.passes.length} rules: did it run?`);
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })) }));
  });
}

/** A PNG of the page for the README, into docs/screenshots/ when PASSERELLE_SCREENSHOTS=1, else the temp folder. */
export async function screenshot(page: Page, name: string): Promise<string> {
  const dir = process.env.PASSERELLE_SCREENSHOTS === '1' ? path.join(__dirname, '../../docs/screenshots') : os.tmpdir();
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: false });
  return file;
}
