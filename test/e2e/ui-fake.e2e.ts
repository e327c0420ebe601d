/**
 * The session UI over the fake session (no network): test/ui/ served by its own Vite dev server
 * on a free port (the fake is not part of the product build), driven in Debian's Chromium.
 */
import { describe, it, expect } from 'vitest';
import type { Page } from 'playwright-core';
import { useFakeUiBrowser } from '../helpers/fake-ui-browser.ts';

const { open } = useFakeUiBrowser();

function inputsSent(page: Page): Promise<number> {
  return page.evaluate(() => (window as unknown as { __fakeSession: { inputs: unknown[] } }).__fakeSession.inputs.length);
}

describe('session UI over the fake session', () => {
  it('shows terminals, participants and the role; an owner types into the shell', async () => {
    const page = await open('');
    try {
      expect(await page.getByTestId('terminal').count()).toBe(2); // both tabs stay mounted
      await expect.poll(() => page.getByTestId('terminal').first().locator('.xterm').isVisible()).toBe(true);
      const people = page.getByTestId('participants');
      expect(await people.locator('li').count()).toBe(4);
      expect(await people.innerText()).toContain('(you)');
      expect((await page.getByTestId('role').innerText()).trim()).toBe('owner');
      expect(await page.getByTestId('new-terminal').getAttribute('title')).toBe('New terminal (Ctrl+Shift+T)');

      await page.locator('.xterm-helper-textarea').first().focus();
      await page.keyboard.type('echo hi');
      await expect.poll(() => inputsSent(page)).toBeGreaterThan(0);
    } finally {
      await page.close();
    }
  });

  it('tells a viewer that typing is disabled and sends nothing', async () => {
    const page = await open('?role=viewer');
    try {
      expect((await page.getByTestId('role').innerText()).trim()).toBe('viewer');
      expect(await page.getByText('View only', { exact: true }).isVisible()).toBe(true);
      expect(await page.getByTestId('new-terminal').count()).toBe(0);

      // xterm turns a key into input while the key goes down: once the page has seen the last
      // key come up, every keystroke before it has been handled (or dropped).
      await page.evaluate(() => {
        const w = window as unknown as { keysUp: string[] };
        w.keysUp = [];
        addEventListener('keyup', (e) => w.keysUp.push(e.key), true);
      });
      await page.locator('.xterm-helper-textarea').first().focus();
      await page.keyboard.type('touch /tmp/should-not-exist');
      await page.keyboard.press('Enter');
      const toast = page.getByTestId('terminal-toast').first();
      await toast.waitFor();
      expect(await toast.innerText()).toBe('You are a viewer — typing is disabled');
      await expect.poll(() => page.evaluate(() => (window as unknown as { keysUp: string[] }).keysUp.at(-1))).toBe('Enter');
      expect(await inputsSent(page)).toBe(0);
    } finally {
      await page.close();
    }
  });

  it('puts the terminal text into the page in screen-reader mode', async () => {
    const page = await open('?a11y=1');
    try {
      const tree = page.getByTestId('terminal').first().locator('.xterm-accessibility-tree');
      await expect.poll(() => tree.innerText(), { timeout: 5000 }).toContain('Welcome to the fake session (terminal 1).');
      expect(await page.getByTestId('a11y-toggle').isChecked()).toBe(true);
    } finally {
      await page.close();
    }
  });

  it('keeps the settings one click away on a narrow window, labelled, and closes them with Escape', async () => {
    const page = await open('', { viewport: { width: 800, height: 600 } });
    try {
      const toggle = page.getByTestId('settings-toggle');
      const screenReader = page.getByLabel('Screen reader mode');
      expect(await screenReader.isVisible()).toBe(false);
      await toggle.click();
      await expect.poll(() => screenReader.isVisible()).toBe(true);
      expect(await page.getByLabel('Programs may set my clipboard').isVisible()).toBe(true);
      expect(await toggle.getAttribute('aria-expanded')).toBe('true');
      await page.keyboard.press('Escape');
      await expect.poll(() => screenReader.isVisible()).toBe(false);
    } finally {
      await page.close();
    }
  });
});
