/**
 * Screenshots of the session screen over the fake session, to look at the UI without a network:
 * `node test/ui/screenshot.ts OUT_DIR` (run it inside scripts/netns.sh like the tests, or anywhere
 * Chromium starts). One PNG per case: an owner at 1280×720, an owner at 800×600 whose terminal is
 * bigger than the window (the size notice), a viewer, and the search bar with its match count.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launchBrowser } from '../helpers/browser.ts';
import { startFakeUi } from './server.ts';

const out = process.argv[2] ?? 'test-results/screenshots';
mkdirSync(out, { recursive: true });
const ui = await startFakeUi();
const browser = await launchBrowser();
try {
  const shot = async (name: string, query: string, size: { width: number; height: number }, act?: (p: import('playwright-core').Page) => Promise<void>) => {
    const page = await browser.newPage({ viewport: size });
    await page.goto(`${ui.url}${query}`);
    await page.locator('[data-testid="terminal"] .xterm').first().waitFor();
    await act?.(page);
    await page.waitForTimeout(300); // a frame or two for xterm's renderer: this is a picture, not a test
    await page.screenshot({ path: join(out, `${name}.png`) });
    await page.close();
    console.log(join(out, `${name}.png`));
  };
  await shot('owner-1280x720', '', { width: 1280, height: 720 });
  await shot('owner-800x600-cut-off', '', { width: 800, height: 600 }, async (p) => {
    await p.evaluate(() => (window as unknown as { __fakeSession: { resize(id: number, c: number, r: number): void } }).__fakeSession.resize(1, 160, 50));
  });
  await shot('viewer-800x600-cut-off', '?role=viewer&size=200x60', { width: 800, height: 600 });
  await shot('search-count', '', { width: 1280, height: 720 }, async (p) => {
    await p.getByTestId('terminal').first().click();
    for (let i = 0; i < 3; i++) await p.keyboard.type(`grep needle ${i}\r`);
    await p.keyboard.press('Control+Shift+F');
    await p.getByRole('searchbox').fill('needle');
  });
} finally {
  await browser.close();
  await ui.close();
}
