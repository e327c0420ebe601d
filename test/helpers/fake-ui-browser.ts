/**
 * One fake session UI (test/ui/, no network) and one Chromium for a test file: registers its own
 * beforeAll/afterAll, and `open` loads a query in a fresh context once the page has drawn.
 */
import { afterAll, beforeAll } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from './browser.ts';
import { startFakeUi, type FakeUi } from '../ui/server.ts';

export interface OpenOptions {
  viewport?: { width: number; height: number };
  /** let the page read and write the clipboard */
  clipboard?: boolean;
  acceptDownloads?: boolean;
  /** what to wait for before handing the page over (default: the first terminal) */
  ready?: (page: Page) => Promise<unknown>;
}

export function useFakeUiBrowser(): { open(query: string, o?: OpenOptions): Promise<Page> } {
  let ui: FakeUi | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    ui = await startFakeUi();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await ui?.close();
  });
  return {
    async open(query, o = {}) {
      const context = await browser!.newContext({ viewport: o.viewport ?? { width: 1280, height: 720 }, acceptDownloads: o.acceptDownloads ?? false });
      if (o.clipboard) await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(ui!.url).origin });
      const page = await context.newPage();
      await page.goto(`${ui!.url}${query}`);
      await (o.ready ?? ((p) => p.locator('[data-testid="terminal"] .xterm').first().waitFor()))(page);
      return page;
    }
  };
}
