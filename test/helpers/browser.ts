// Real Chromium for e2e tests and benchmarks: Debian's /usr/bin/chromium driven by playwright-core.
// Playwright talks to it over a pipe (no debugging port) and gives it a fresh temporary profile.
// WebRTC between pages needs a non-loopback interface: run inside scripts/netns.sh.
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.LIVE_SESSIONS_CHROMIUM ?? '/usr/bin/chromium';

/** Flags: root needs --no-sandbox; the rest keep Chromium from talking to the outside world. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync'
];

/** How long Chromium gets to start, ms. */
export const LAUNCH_TIMEOUT_MS = 30_000;

export async function launchBrowser(opts: { args?: string[]; executablePath?: string } = {}): Promise<Browser> {
  try {
    return await chromium.launch({
      // (a NatLab wrapper runs it inside a network namespace)
      executablePath: opts.executablePath ?? CHROMIUM_PATH,
      args: [...CHROMIUM_ARGS, ...(opts.args ?? [])],
      headless: true,
      timeout: LAUNCH_TIMEOUT_MS
    });
  } catch (err) {
    throw new Error(
      `Could not start Chromium at ${CHROMIUM_PATH} (run 'bash scripts/setup.sh --test' as root to install it): ${(err as Error).message}`
    );
  }
}

export interface OpenedPage {
  page: Page;
  context: BrowserContext;
  /** console.error messages and uncaught page errors, in order */
  errors: string[];
  /** closes the page's own context (its storage goes with it) */
  close(): Promise<void>;
}

/**
 * Opens `url` in a new browser context — a separate "person": own localStorage, own IndexedDB —
 * and collects the console errors and uncaught exceptions of the page. `init` runs in the page
 * before any of its own scripts.
 */
export async function openPage(browser: Browser, url: string, init?: () => void): Promise<OpenedPage> {
  const context = await browser.newContext();
  if (init) await context.addInitScript(init);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  page.on('pageerror', (err) => errors.push(`uncaught: ${err.message}`));
  try {
    await page.goto(url);
  } catch (err) {
    await context.close();
    throw err;
  }
  return { page, context, errors, close: () => context.close() };
}
