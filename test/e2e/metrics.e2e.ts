/**
 * Live metrics in Chromium, from a real host agent sampling this box: the panel shows its charts
 * (uPlot canvases) filling with samples, and a command typed in the shared terminal appears as a
 * marker on the time axis, named by its text.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { HostProcess } from '../helpers/processes.ts';
import { startE2eSession, type E2eSession } from '../helpers/e2e-session.ts';
import { joinAs, SEE_TIMEOUT_MS, typeInto, waitForScreen } from '../helpers/session-page.ts';

let session: E2eSession;
let browser: Browser;
let host: HostProcess;

beforeAll(async () => {
  session = await startE2eSession();
  ({ browser, host } = session);
});
afterAll(async () => {
  await session?.dispose();
});

describe('metrics panel', () => {
  it('shows live charts with a marker for a command typed in the terminal', async () => {
    const { page, errors } = await joinAs(browser, host.links.editor, 'Ada');
    await page.getByTestId('open-metrics').click();
    const panel = page.getByTestId('metrics');
    await expect.poll(() => panel.getByTestId('metrics-chart').locator('canvas').count(), { timeout: SEE_TIMEOUT_MS }).toBe(4);
    // the charts fill: the caption's latest CPU value is a percentage from a real sample
    await expect.poll(() => panel.getByTestId('metrics-chart').first().innerText(), { timeout: SEE_TIMEOUT_MS }).toMatch(/CPU busy \d+%/);
    await expect.poll(() => panel.getByTestId('metrics-top').locator('tbody tr').count(), { timeout: SEE_TIMEOUT_MS }).toBeGreaterThan(0);

    await page.getByRole('button', { name: 'Close metrics' }).click();
    await typeInto(page, 'echo marker-$((6*7))\n');
    await waitForScreen(page, /^marker-42/m);
    await page.getByTestId('open-metrics').click();
    const marker = panel.getByTestId('metrics-chart').first().locator('[data-testid="metrics-marker"][data-kind="command"]');
    await expect.poll(() => marker.evaluateAll((els) => els.map((e) => e.getAttribute('title'))), { timeout: SEE_TIMEOUT_MS }).toContain('echo marker-$((6*7))');
    // placed inside the plot, not at its edge by default
    const box = await marker.last().boundingBox();
    const plot = await panel.getByTestId('metrics-chart').first().locator('.u-over').boundingBox();
    expect(box!.x).toBeGreaterThan(plot!.x);
    expect(box!.x).toBeLessThanOrEqual(plot!.x + plot!.width);
    expect(errors).toEqual([]);
  });
});
