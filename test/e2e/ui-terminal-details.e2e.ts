/**
 * Small things a new user hit, over the fake session (no network; test/ui/): focus comes back to
 * the terminal after renaming yourself, a viewer's Ctrl+C copies a selection, search counts its
 * matches, and closing a terminal whose shell still runs asks first.
 */
import { describe, it, expect } from 'vitest';
import type { Page } from 'playwright-core';
import { useFakeUiBrowser } from '../helpers/fake-ui-browser.ts';

const fake = useFakeUiBrowser();
const open = (query: string): Promise<Page> => fake.open(query, { clipboard: true });

const inputs = (page: Page) => page.evaluate(() => (window as unknown as { __fakeSession: { inputs: { data: string }[] } }).__fakeSession.inputs.map((i) => i.data).join(''));

describe('terminal details', () => {
  it('gives the keyboard back to the terminal after renaming yourself', async () => {
    const page = await open('');
    try {
      await page.getByTestId('terminal').first().click();
      await page.getByTestId('name').click();
      await page.getByTestId('name-input').fill('Zed');
      await page.keyboard.press('Enter');
      await expect.poll(() => page.getByTestId('name').innerText()).toContain('Zed');
      await page.keyboard.type('after-rename');
      await expect.poll(() => inputs(page)).toContain('after-rename');
    } finally {
      await page.context().close();
    }
  });

  it("copies a viewer's selection on Ctrl+C instead of saying typing is disabled", async () => {
    const page = await open('?role=viewer');
    try {
      const term = page.getByTestId('terminal').first();
      await term.locator('.xterm-screen').dblclick({ position: { x: 40, y: 8 } }); // the first word, "Welcome"
      await page.keyboard.press('Control+c');
      const toast = term.getByTestId('terminal-toast');
      await expect.poll(() => toast.innerText()).toBe('Copied');
      expect(await page.evaluate(() => navigator.clipboard.readText())).toBe('Welcome');
      expect(await inputs(page)).toBe('');
    } finally {
      await page.context().close();
    }
  });

  it('counts the matches of a search', async () => {
    const page = await open('');
    try {
      await page.getByTestId('terminal').first().click();
      for (let i = 0; i < 3; i++) await page.keyboard.type(`needle ${i}\r`);
      await expect.poll(() => inputs(page)).toContain('needle 2\r');
      await page.keyboard.press('Control+Shift+F');
      await page.getByRole('searchbox', { name: 'Find in terminal' }).fill('fake shell: needle');
      // each command echoes its line and the fake prints "fake shell: needle N": 3 matches
      const count = async () => (await page.getByTestId('search-count').allInnerTexts()).join('|').trim();
      await expect.poll(count).toMatch(/^[1-3] of 3$/);
      await page.getByRole('searchbox', { name: 'Find in terminal' }).fill('no such text');
      await expect.poll(count).toBe('No matches');
    } finally {
      await page.context().close();
    }
  });

  it('asks before closing a terminal whose shell still runs', async () => {
    const page = await open('');
    try {
      const messages: string[] = [];
      let answer = false;
      page.on('dialog', (d) => {
        messages.push(d.message());
        void (answer ? d.accept() : d.dismiss());
      });
      const before = await page.getByTestId('terminal').count();
      const close = page.getByRole('button', { name: /^Close / }).first();
      await close.click();
      expect(messages[0]).toMatch(/still running; closing ends it .* for everyone/);
      expect(await page.getByTestId('terminal').count()).toBe(before);
      answer = true;
      await close.click();
      await expect.poll(() => page.getByTestId('terminal').count()).toBe(before - 1);
    } finally {
      await page.context().close();
    }
  });

  it('shows the shared size, says when the window shows only part of it, and fits it to my window', async () => {
    const page = await open('');
    try {
      const size = page.getByTestId('terminal-size').first();
      // the page fitted the terminal to its pane (data-fits: what fits) before another editor resizes it
      const fitsPane = () => page.getByTestId('terminal').first().getAttribute('data-fits');
      await expect.poll(fitsPane).toMatch(/^\d+×\d+$/);
      await expect.poll(() => size.innerText()).toBe(await fitsPane());
      const fitted = await size.innerText();
      // another editor makes it bigger than this window: part of it is out of view
      await page.evaluate(() => (window as unknown as { __fakeSession: { resize(id: number, c: number, r: number): void } }).__fakeSession.resize(1, 400, 150));
      await expect.poll(() => size.innerText()).toContain('Your window shows part of this terminal');
      expect(await size.innerText()).toContain('400×150');
      await page.getByTestId('fit-window').first().click();
      await expect.poll(() => size.innerText()).toBe(fitted);
      expect(await page.getByTestId('fit-window').count()).toBe(0);
    } finally {
      await page.context().close();
    }
  });
});
