/**
 * The session UI over the fake session (no network): serves the already built app (`build/`,
 * from `npx vite build`) on a free port and drives Debian's Chromium.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';

const BUILD = path.resolve('build');
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.json': 'application/json'
};

/** A static server with the SPA fallback the signaling server also has (200.html). */
function serveBuild(): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const rel = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    let file = path.join(BUILD, rel);
    if (!file.startsWith(BUILD + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      file = path.join(BUILD, '200.html');
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

let server: http.Server;
let browser: Browser;
let base: string;

beforeAll(async () => {
  if (!fs.existsSync(path.join(BUILD, '200.html'))) {
    throw new Error('build/200.html is missing: run `npx vite build` before the e2e tests.');
  }
  server = await serveBuild();
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']
  });
});

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => server?.close(r));
});

async function open(query: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  await page.goto(`${base}/dev/fake${query}`);
  await page.locator('[data-testid="terminal"] .xterm').first().waitFor();
  return page;
}

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

      await page.locator('.xterm-helper-textarea').first().focus();
      await page.keyboard.type('touch /tmp/should-not-exist');
      await page.keyboard.press('Enter');
      const toast = page.getByTestId('terminal-toast').first();
      await toast.waitFor();
      expect(await toast.innerText()).toBe('You are a viewer — typing is disabled');
      await page.waitForTimeout(200); // anything sent would be recorded synchronously; give it a moment anyway
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
});
