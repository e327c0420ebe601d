/**
 * Screenshots of the environment panel over the fake session, to look at it:
 * `node test/ui/env-shots.ts DIR` writes snapshot.png and diff.png (and viewer.png) into DIR.
 */
import { join } from 'node:path';
import { launchBrowser } from '../helpers/browser.ts';
import { startFakeUi } from './server.ts';

const dir = process.argv[2] ?? '.';
const ui = await startFakeUi();
const browser = await launchBrowser();
try {
  for (const role of ['owner', 'viewer']) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${ui.url}?role=${role}`);
    await page.getByTestId('open-environment').click();
    await page.getByTestId('snapshot').waitFor();
    if (role === 'viewer') {
      await page.screenshot({ path: join(dir, 'viewer.png') });
      continue;
    }
    await page.screenshot({ path: join(dir, 'snapshot.png') });
    await page.getByTestId('compare-from').first().check();
    await page.getByTestId('snapshot-diff').waitFor();
    await page.screenshot({ path: join(dir, 'diff.png') });
  }
} finally {
  await browser.close();
  await ui.close();
}
