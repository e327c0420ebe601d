/**
 * Live metrics in Chromium, from a real host agent sampling this box: the panel shows its charts
 * (uPlot canvases) filling with samples, and a command typed in the shared terminal and a
 * checkpoint appear as markers on the time axis, named by what they were. With tracing on, the
 * page shows the session's trace id, the one whose spans the receiver gets.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startOtlpReceiver } from '../helpers/otlp-receiver.ts';
import { startHostProcess, waitForHostEvent, type HostProcess } from '../helpers/processes.ts';
import { startE2eSession, type E2eSession } from '../helpers/e2e-session.ts';
import { joinAs, SEE_TIMEOUT_MS, typeInto, waitForScreen } from '../helpers/session-page.ts';
import { until } from '../helpers/wait.ts';

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
  it('shows live charts with markers for a command typed in the terminal and a checkpoint', async () => {
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
    // a checkpoint taken from the environment panel is a marker too
    await page.getByRole('button', { name: 'Close metrics' }).click();
    await page.getByTestId('open-environment').click();
    await page.getByTestId('checkpoint-label').fill('before restart');
    await page.getByTestId('take-checkpoint').click();
    await page.getByTestId('close-environment').click();
    await page.getByTestId('open-metrics').click();
    const checkpoint = panel.getByTestId('metrics-chart').first().locator('[data-testid="metrics-marker"][data-kind="checkpoint"]');
    await expect.poll(() => checkpoint.evaluateAll((els) => els.map((e) => e.getAttribute('title'))), { timeout: SEE_TIMEOUT_MS }).toContain('checkpoint: before restart');
    // placed inside the plot, not at its edge by default
    const box = await marker.last().boundingBox();
    const plot = await panel.getByTestId('metrics-chart').first().locator('.u-over').boundingBox();
    expect(box!.x).toBeGreaterThan(plot!.x);
    expect(box!.x).toBeLessThanOrEqual(plot!.x + plot!.width);
    expect(errors).toEqual([]);
  });

  it("shows the session's trace id when the host exports spans, and copies it", async () => {
    const rx = await startOtlpReceiver();
    try {
      const traced = await startHostProcess(session.signaling.url, { shell: '/bin/bash', args: ['--otlp', rx.url] });
      const { traceId } = (await waitForHostEvent(traced, (e) => e.event === 'trace')) as { traceId: string };
      const { page, errors } = await joinAs(browser, traced.links.viewer, 'Vic');
      await expect.poll(() => page.getByTestId('trace-id').textContent(), { timeout: SEE_TIMEOUT_MS }).toBe(traceId);
      await page.getByRole('button', { name: 'Copy the trace id' }).click();
      await expect.poll(() => page.getByTestId('trace').getByRole('status').textContent(), { timeout: SEE_TIMEOUT_MS }).toBe('copied');
      // the id on the page is the trace the receiver gets, with the viewer's presence in it
      await traced.stop();
      await until(() => rx.spans.some((s) => s.name === 'live-sessions session'), 'the session span', SEE_TIMEOUT_MS);
      expect(new Set(rx.spans.map((s) => s.traceId))).toEqual(new Set([traceId]));
      expect(rx.spans.find((s) => s.name === 'participant viewer')?.attributes['live_sessions.author.name']).toBe('Vic');
      expect(errors.filter((e) => !/host agent stopped|ended/i.test(e))).toEqual([]);
    } finally {
      await rx.close();
    }
  });
});
