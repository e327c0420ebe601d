/**
 * Replay end to end: real host, real bash, real Chromium recording into its own IndexedDB. A
 * session with output, a join and a rename is recorded; /replay lists it; the player shows its
 * markers and seeking to one shows the screen of that moment; the exported file imported in
 * another browser context replays the same; the terminal's asciicast passes `asciinema cat`; a
 * page that crashed mid-batch left a recording that replays up to its last batch.
 */
import fs from 'node:fs';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import pty from 'node-pty';
import type { Browser, Page } from 'playwright-core';
import type { OpenedPage } from '../helpers/browser.ts';
import { openPage } from '../helpers/browser.ts';
import type { HostProcess } from '../helpers/processes.ts';
import { startE2eSession, type E2eSession } from '../helpers/e2e-session.ts';
import { startHostProcess } from '../helpers/processes.ts';
import { makeTempDir } from '../helpers/tmp.ts';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { joinAs, screenText, SEE_TIMEOUT_MS, typeInto, waitForScreen, withQuery } from '../helpers/session-page.ts';

let session: E2eSession;
let browser: Browser;
let host: HostProcess;
let owner: OpenedPage;

beforeAll(async () => {
  session = await startE2eSession();
  ({ browser, host } = session);
  owner = await joinAs(browser, host.links.owner, 'Olivia');
});

afterAll(async () => {
  await session?.dispose();
});

const origin = () => new URL(host.links.owner).origin;
const sessionId = () => new URL(host.links.owner).pathname.split('/').pop()!;

/** The recordings table of a page's context, as rows of cell texts. */
async function recordings(page: Page): Promise<{ id: string; cells: string[] }[]> {
  await page.goto(`${origin()}/replay`);
  await page.getByTestId('recordings').waitFor();
  return page.getByTestId('recording').evaluateAll((rows) =>
    rows.map((r) => ({ id: (r as HTMLElement).dataset.id!, cells: [...r.querySelectorAll('td')].map((td) => td.textContent ?? '') }))
  );
}

/** Waits until the recording whose participants include `who` (in this context) matches `re`. */
async function recordingOf(page: Page, who: string, re: RegExp): Promise<string> {
  let rows: { id: string; cells: string[] }[] = [];
  await expect
    .poll(async () => (rows = await recordings(page)).some((r) => r.cells[4].includes(who) && re.test(r.cells.join(' | '))), { timeout: SEE_TIMEOUT_MS, message: `no recording with ${who} matching ${re}` })
    .toBe(true);
  return rows.find((r) => r.cells[4].includes(who) && re.test(r.cells.join(' | ')))!.id;
}

async function openReplay(page: Page, id: string): Promise<void> {
  await page.goto(`${origin()}/replay/${encodeURIComponent(id)}?a11y=1`);
  await page.getByTestId('timeline').waitFor();
  await page.locator('[data-testid="terminal"] .xterm-accessibility-tree').first().waitFor({ state: 'attached', timeout: SEE_TIMEOUT_MS });
}

/** Opens the recording `who` is in (this context's) at its end; true once it shows `text` there. */
async function replayEndShows(page: Page, who: string, text: string): Promise<boolean> {
  const row = (await recordings(page)).find((r) => r.cells[4].includes(who));
  if (!row) return false;
  await openReplay(page, row.id);
  await page.keyboard.press('End');
  return page
    .waitForFunction(([sel, t]) => [...document.querySelectorAll(sel)].some((el) => el.textContent?.includes(t)), ['[data-testid="terminal"] .xterm-accessibility-tree', text] as const, { timeout: 3000 })
    .then(
      () => true,
      () => false
    );
}

/** Retries `check` until it holds (each try is a whole page visit, so no nested polls). */
async function eventually(check: () => Promise<boolean>, what: string, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
}

async function markerKinds(page: Page): Promise<string[]> {
  return page.getByTestId('marker').evaluateAll((ms) => ms.map((m) => (m as HTMLElement).dataset.kind!));
}

/** Drops files (name, text) on the /replay page as a person dragging them from a file manager. */
async function dropFiles(page: Page, files: { name: string; text: string }[]): Promise<void> {
  const dt = await page.evaluateHandle((fs) => {
    const d = new DataTransfer();
    for (const f of fs) d.items.add(new File([f.text], f.name));
    return d;
  }, files);
  await page.getByTestId('drop').dispatchEvent('drop', { dataTransfer: dt });
}

/** Serves `dir` (a segmented export, unzipped) and asciinema-player's bundle on an intercepted
 * origin; true once the player, seeked to the end, shows `text`. */
async function segmentedPlayerShows(b: Browser, dir: string, text: string): Promise<boolean> {
  const dist = path.join(import.meta.dirname, '../../node_modules/asciinema-player/dist/bundle');
  const opened = await openPage(b, 'about:blank');
  try {
    const page = opened.page;
    await page.route('http://player.test/**', (route) => {
      const name = decodeURIComponent(new URL(route.request().url()).pathname.slice(1));
      if (name === '') return route.fulfill({ contentType: 'text/html', body: '<!doctype html><link rel="stylesheet" href="/asciinema-player.css"><div id="p"></div><script src="/asciinema-player.min.js"></script>' });
      const file = name.startsWith('asciinema-player') ? path.join(dist, name) : path.join(dir, name);
      return route.fulfill({ path: path.resolve(file).startsWith(path.resolve(name.startsWith('asciinema-player') ? dist : dir)) ? file : '/nonexistent' });
    });
    await page.goto('http://player.test/');
    await page.evaluate(() => {
      type Ap = { seek(s: number): Promise<void>; getDuration(): number; addEventListener(e: string, f: () => void): void };
      const w = window as unknown as { AsciinemaPlayer: { create(s: object, el: HTMLElement, o: object): Ap }; __ap: Ap; __ready: boolean };
      w.__ap = w.AsciinemaPlayer.create({ url: '/index.json', format: 'segmented' }, document.getElementById('p')!, { preload: true });
      w.__ap.addEventListener('ready', () => (w.__ready = true));
    });
    await page.waitForFunction(() => (window as unknown as { __ready?: boolean }).__ready === true, null, { timeout: SEE_TIMEOUT_MS });
    await page.evaluate(() => {
      const ap = (window as unknown as { __ap: { seek(s: number): Promise<void>; getDuration(): number } }).__ap;
      return ap.seek(ap.getDuration());
    });
    return await page
      .waitForFunction((t) => (document.getElementById('p')?.textContent ?? '').includes(t), text, { timeout: SEE_TIMEOUT_MS })
      .then(
        () => true,
        () => false
      );
  } finally {
    await opened.close();
  }
}

/** asciinema cat in a real PTY (it opens its controlling terminal). */
function asciinemaCat(file: string): Promise<{ out: string; code: number }> {
  return new Promise((resolve) => {
    const p = pty.spawn('asciinema', ['cat', file], { cols: 120, rows: 40, env: { ...process.env, LANG: 'C.UTF-8' } });
    let out = '';
    p.onData((d) => (out += d));
    p.onExit(({ exitCode }) => resolve({ out, code: exitCode }));
  });
}

describe('replay', () => {
  let recId = '';
  let exported = '';

  it('records output, a join and a rename; the player shows the markers; a marker shows its moment', async () => {
    await typeInto(owner.page, 'echo first-$((1+0))\n');
    await waitForScreen(owner.page, 'first-1');
    // more rows than the screen: scrollback for the replay to scroll through after a seek
    await typeInto(owner.page, 'seq -f "row-%g-end" 1 60\n');
    await waitForScreen(owner.page, 'row-60-end');
    const editor = await joinAs(browser, host.links.editor, 'Eddie');
    await typeInto(editor.page, 'echo second-$((2+0))\n');
    await waitForScreen(owner.page, 'second-2');
    await editor.page.getByTestId('name').click();
    await editor.page.getByTestId('name-input').fill('Edwina');
    await editor.page.getByTestId('name-input').press('Enter');
    await expect.poll(() => owner.page.getByTestId('participants').innerText(), { timeout: SEE_TIMEOUT_MS }).toMatch(/Edwina/);
    await typeInto(owner.page, 'echo third-$((3+0))\n');
    await waitForScreen(owner.page, 'third-3');

    // another tab of the owner's browser: same IndexedDB, the live page keeps recording
    const tab = await owner.context.newPage();
    recId = await recordingOf(tab, 'Edwina', new RegExp(sessionId()));
    const row = (await recordings(tab)).find((r) => r.id === recId)!;
    expect(row.cells[4]).toMatch(/Olivia.*Eddie.*Edwina/);
    expect(await tab.getByTestId('storage').innerText()).toMatch(/Storage used/);

    await openReplay(tab, recId);
    await expect.poll(() => markerKinds(tab), { timeout: SEE_TIMEOUT_MS }).toEqual(expect.arrayContaining(['join', 'rename', 'command']));
    // commands are markers with their exit code (bash's integration on the host says so)
    expect(await tab.locator('[data-testid="marker"][data-kind="command"]').first().getAttribute('aria-label')).toMatch(/\$ echo first-\$\(\(1\+0\)\) → exit 0/);
    await tab.locator('[data-testid="marker"][data-kind="rename"][aria-label*="Edwina"]').click();
    const screen = await waitForScreen(tab, 'second-2');
    expect(screen).not.toContain('third-3');
    await tab.keyboard.press('End');
    await waitForScreen(tab, 'third-3');
    await expect.poll(() => tab.getByTestId('people').innerText(), { timeout: SEE_TIMEOUT_MS }).toMatch(/Edwina/);
    // `[` steps back one marker at a time (the third command's own marker shows its output):
    // stepping until the position is at or before Edwina's rename, the screen is from before
    // `third-3`. (Each step is awaited on the position, which `[` always moves back by more than
    // 500 ms; the screen is checked once, after the last step: a11y rows update a while later.)
    const markerCount = await tab.getByTestId('marker').count();
    const renamedAt = Math.round(Number(await tab.locator('[data-testid="marker"][data-kind="rename"][aria-label*="Edwina"]').getAttribute('data-t')));
    const position = async () => Number(await tab.getByRole('slider', { name: 'Position in the recording' }).getAttribute('aria-valuenow'));
    let steps = 0;
    for (; steps < markerCount && (await position()) > renamedAt; steps++) {
      const before = await position();
      await tab.keyboard.press('[');
      await expect.poll(position, { timeout: SEE_TIMEOUT_MS }).toBeLessThan(before);
    }
    await expect.poll(() => screenText(tab), { timeout: SEE_TIMEOUT_MS }).not.toContain('third-3');
    expect(await screenText(tab)).toContain('second-2');
    expect(steps).toBeGreaterThan(0);
    // after those seeks back, the wheel scrolls up through the scrollback: the scrollbar learned
    // its new height once the seek's synchronized-output block ended (viewport-sync.ts)
    await tab.locator('[data-testid="terminal"] .xterm-screen').first().hover();
    await expect
      .poll(
        async () => {
          await tab.mouse.wheel(0, -300);
          return screenText(tab);
        },
        { timeout: SEE_TIMEOUT_MS }
      )
      .toContain('row-1-end');

    const [download] = await Promise.all([tab.waitForEvent('download'), tab.getByTestId('export').click()]);
    exported = (await download.path())!;
    expect(fs.readFileSync(exported, 'utf8').split('\n')[0]).toContain('"format":"live-sessions-recording"');

    const [cast] = await Promise.all([tab.waitForEvent('download'), tab.getByTestId('export-cast').click()]);
    const { out, code } = await asciinemaCat((await cast.path())!);
    expect(code, out).toBe(0);
    expect(out).toContain('second-2');

    // the segmented export plays in asciinema-player 3.17 itself, seeking to the end
    const [seg] = await Promise.all([tab.waitForEvent('download'), tab.getByTestId('export-segmented').click()]);
    const dir = makeTempDir('live-sessions-segmented-');
    execFileSync('unzip', ['-q', (await seg.path())!, '-d', dir]);
    expect(await segmentedPlayerShows(browser, dir, 'third-3')).toBe(true);
    await editor.close();
    await tab.close();
  });

  it('an exported recording imported in another browser context replays the same', async () => {
    expect(exported, 'the first test exported a recording').not.toBe('');
    const other = await openPage(browser, `${origin()}/replay`);
    try {
      await other.page.getByTestId('import').setInputFiles(exported);
      await other.page.getByTestId('import-notice').waitFor({ timeout: SEE_TIMEOUT_MS });
      const [row] = await recordings(other.page);
      expect(row.cells[0]).toMatch(/imported/);
      await openReplay(other.page, row.id);
      await expect.poll(() => markerKinds(other.page), { timeout: SEE_TIMEOUT_MS }).toEqual(expect.arrayContaining(['join', 'rename']));
      await other.page.locator('[data-testid="marker"][data-kind="rename"][aria-label*="Edwina"]').click();
      expect(await waitForScreen(other.page, 'second-2')).not.toContain('third-3');

      // a damaged file is refused with a reason
      await other.page.goto(`${origin()}/replay`);
      await other.page.getByTestId('import').setInputFiles({ name: 'bad.lsrec', mimeType: 'text/plain', buffer: Buffer.from('<script>alert(1)</script>\n') });
      await expect.poll(() => other.page.getByTestId('import-error').innerText(), { timeout: SEE_TIMEOUT_MS }).toContain('not a Live Sessions recording');
      expect(other.errors).toEqual([]);
    } finally {
      await other.close();
    }
  });

  it('a page that crashed between batches leaves a recording that replays up to its last batch', async () => {
    const crashing = await joinAs(browser, host.links.editor, 'Crashy');
    await typeInto(crashing.page, 'echo before-$((4+0))\n');
    await waitForScreen(crashing.page, 'before-4');
    const tab = await crashing.context.newPage();
    // the batch with the output is in once the recording in this context replays it
    await eventually(() => replayEndShows(tab, 'Crashy', 'before-4'), 'the recording to replay before-4', 30_000);
    await typeInto(crashing.page, 'echo after-$((5+0))\n');
    const cdp = await crashing.context.newCDPSession(crashing.page);
    // the renderer dies at once: no pagehide, no last flush; the command itself never answers
    const crashed = crashing.page.waitForEvent('crash', { timeout: SEE_TIMEOUT_MS });
    void cdp.send('Page.crash').catch(() => undefined);
    await crashed;
    expect(await replayEndShows(tab, 'Crashy', 'before-4')).toBe(true);
    expect(tab.isClosed()).toBe(false);
    await crashing.close();
  });

  it('with a tiny storage quota the recording stops and says so, and the session keeps working', async () => {
    const person = await openPage(browser, `${origin()}/replay`);
    try {
      const cdp = await person.context.newCDPSession(person.page);
      await cdp.send('Storage.overrideQuotaForOrigin', { origin: origin(), quotaSize: 256 * 1024 });
      await person.page.goto(withQuery(host.links.editor, { name: 'Tiny', a11y: '1' }));
      await person.page.locator('[data-testid="terminal"] .xterm-accessibility-tree').first().waitFor({ state: 'attached', timeout: SEE_TIMEOUT_MS });
      await typeInto(person.page, 'seq -f "filler-%g-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" 1 20000; echo done-$((6+0))\n');
      await waitForScreen(person.page, 'done-6', undefined, 30_000);
      await expect.poll(() => person.page.getByTestId('recording-status').getAttribute('data-state'), { timeout: SEE_TIMEOUT_MS }).toBe('full');
      expect(await person.page.getByTestId('recording-status').innerText()).toContain('storage is full');
      await typeInto(person.page, 'echo still-$((7+0))\n');
      await waitForScreen(person.page, 'still-7');
    } finally {
      await person.close();
    }
  });

  it('a host record (.cast + audit log) dropped on /replay plays with its authors and command markers; a bad one is refused', async () => {
    const dir = makeTempDir('live-sessions-record-');
    const boxHost = await startHostProcess(session.signaling.url, { cwd: makeTempDir('live-sessions-e2e-cwd-'), shell: '/bin/bash', args: ['--record-dir', dir] });
    const person = await joinAs(browser, boxHost.links.owner, 'Rita');
    try {
      await typeInto(person.page, 'echo boxed-$((8+0)); false\n');
      await waitForScreen(person.page, 'boxed-8');
      await expect.poll(() => fs.readdirSync(dir).some((n) => n.endsWith('.jsonl') && fs.readFileSync(path.join(dir, n), 'utf8').includes('"kind":"command"')), { timeout: SEE_TIMEOUT_MS }).toBe(true);
      await boxHost.stop();
      const files = fs.readdirSync(dir).filter((n) => /\.(cast|jsonl)$/.test(n)).map((name) => ({ name, text: fs.readFileSync(path.join(dir, name), 'utf8') }));
      expect(files.map((f) => path.extname(f.name)).sort()).toEqual(['.cast', '.jsonl']);
      // the page told the server only a placeholder name; the record names the person
      const audit = files.find((f) => f.name.endsWith('.jsonl'))!.text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { kind: string; who?: { name: string } });
      expect(audit.filter((r) => r.kind === 'join').map((r) => r.who?.name)).toEqual(['Rita']);

      const page = person.page;
      await page.goto(`${origin()}/replay`);
      const errorsBefore = person.errors.length;
      await dropFiles(page, files);
      await expect.poll(() => page.getByTestId('import-notice').innerText(), { timeout: SEE_TIMEOUT_MS }).toMatch(/Opened the host record/);
      const row = (await recordings(page)).find((r) => r.id.startsWith('host-'))!;
      expect(row.cells[4]).toContain('Rita');
      await openReplay(page, row.id);
      await expect.poll(() => markerKinds(page), { timeout: SEE_TIMEOUT_MS }).toEqual(expect.arrayContaining(['join', 'command-failed']));
      expect(await page.locator('[data-testid="marker"][data-kind="join"]').first().getAttribute('aria-label')).toMatch(/: Rita joined \(owner\)$/);
      const failed = page.locator('[data-testid="marker"][data-kind="command-failed"]').first();
      expect(await failed.getAttribute('aria-label')).toMatch(/\$ echo boxed-.*; false → exit 1 \(Rita\)/);
      // (markers a moment apart overlap on the track: this one is reached by keyboard, as a user can)
      await failed.press('Enter');
      // (the marker is the audit log's end of the command, on the wall clock; the cast's output is
      // on the monotonic clock: the two can differ by a few ms, so only the command line is sure)
      await waitForScreen(page, 'echo boxed-');

      // a damaged record: the file, the line and why
      await page.goto(`${origin()}/replay`);
      const cast = files.find((f) => f.name.endsWith('.cast'))!;
      await dropFiles(page, [{ name: cast.name, text: cast.text.split('\n')[0] + '\n[1, "o"]\n[2, "o", "x"]\n' }]);
      await expect.poll(() => page.getByTestId('import-error').innerText(), { timeout: SEE_TIMEOUT_MS }).toMatch(/line 2: an event must be \[time, code, data\]/);
      await dropFiles(page, [{ name: 'notes.txt', text: 'hello' }, cast]);
      await expect.poll(() => page.getByTestId('import-error').innerText(), { timeout: SEE_TIMEOUT_MS }).toMatch(/notes.txt is not part of a host record/);
      expect(person.errors.slice(errorsBefore)).toEqual([]);
    } finally {
      await person.close();
      await boxHost.stop();
    }
  });
});
