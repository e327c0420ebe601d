/**
 * The environment panel over the fake session (no network): an owner takes a checkpoint and exports
 * a snapshot; a viewer sees the snapshots but has no checkpoint control.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useFakeUiBrowser } from '../helpers/fake-ui-browser.ts';

const fake = useFakeUiBrowser();

async function openEnvironment(role: string): Promise<Page> {
  return fake.open(`?role=${role}`, {
    viewport: { width: 1280, height: 800 },
    acceptDownloads: true,
    ready: async (page) => {
      await page.getByTestId('open-environment').click();
      await page.getByTestId('environment').getByTestId('snapshot').waitFor();
    }
  });
}

describe('environment panel', () => {
  it('lets an owner take a checkpoint, shows redaction markers, and exports JSON and Markdown', async () => {
    const page = await openEnvironment('owner');
    try {
      const env = page.getByTestId('environment');
      expect(await env.getByTestId('snapshot-item').count()).toBe(2);
      expect(await env.getByTestId('section-env').getByTestId('redacted').count()).toBe(2);
      await env.getByTestId('checkpoint-label').fill('after deploy');
      await env.getByTestId('take-checkpoint').click();
      await expect.poll(() => env.getByTestId('snapshot-item').count()).toBe(3);
      expect(await env.getByTestId('snapshot-item').last().innerText()).toContain('after deploy');

      const [json] = await Promise.all([page.waitForEvent('download'), env.getByTestId('export-json').click()]);
      expect(json.suggestedFilename()).toBe('environment-3-after-deploy.json');
      expect(JSON.parse(readFileSync((await json.path())!, 'utf8')).info.label).toBe('after deploy');
      const [md] = await Promise.all([page.waitForEvent('download'), env.getByTestId('export-md').click()]);
      expect(readFileSync((await md.path())!, 'utf8')).toMatch(/^# Environment snapshot 3: after deploy/);
      await env.getByTestId('close-environment').click();
      expect(await page.getByTestId('environment').count()).toBe(0);
    } finally {
      await page.close();
    }
  });

  it('shows a viewer the snapshots and their diff, without a checkpoint control', async () => {
    const page = await openEnvironment('viewer');
    try {
      const env = page.getByTestId('environment');
      expect(await env.getByTestId('take-checkpoint').count()).toBe(0);
      await env.locator('[data-testid="snapshot-item"][data-snapshot-id="1"] [data-testid="compare-from"]').check();
      const diff = env.getByTestId('snapshot-diff');
      await diff.waitFor();
      expect(await diff.getByTestId('diff-port-opened').innerText()).toContain('8000');
      expect(await diff.getByTestId('diff-file-dirtied').innerText()).toContain('config/app.yaml');
      // Escape closes it, as a click beside it does
      await page.keyboard.press('Escape');
      await expect.poll(() => page.getByTestId('environment').count()).toBe(0);
      await page.getByTestId('open-environment').click();
      // the click beside it must land on the backdrop, so wait for the panel to be drawn first
      await page.getByTestId('environment').waitFor();
      await page.mouse.click(5, 5);
      await expect.poll(() => page.getByTestId('environment').count()).toBe(0);
    } finally {
      await page.close();
    }
  });
});
