/**
 * Nothing silently lost on a big burst: 150 MB of output in a real PTY, streamed over real WebRTC
 * to two real Chromium pages. xterm must never discard data ("write data discarded, use flow
 * control…"), and each page's final screen must show the end of the output and the next prompt,
 * soon after the command ends, whatever it skipped on the way.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { OpenedPage } from '../helpers/browser.ts';
import type { HostProcess } from '../helpers/processes.ts';
import { startE2eSession, type E2eSession } from '../helpers/e2e-session.ts';
import { joinAs, screenText, typeInto, waitForScreen } from '../helpers/session-page.ts';

/** How long after the command ends a page may take to show its final screen, ms (generous: 2 shared cores). */
const FINAL_SCREEN_AFTER_END_MS = 10_000;

let session: E2eSession;
let browser: Browser;
let host: HostProcess;
const people: { who: OpenedPage; console: string[] }[] = [];

beforeAll(async () => {
  session = await startE2eSession();
  ({ browser, host } = session);
  for (const [link, name] of [
    [host.links.editor, 'Eddie'],
    [host.links.viewer, 'Vic']
  ] as const) {
    const who = await joinAs(browser, link, name);
    const lines: string[] = [];
    who.page.on('console', (m) => lines.push(m.text()));
    who.page.on('pageerror', (e) => lines.push(e.message));
    people.push({ who, console: lines });
  }
});

afterAll(async () => {
  await session?.dispose();
});

describe('flow control', () => {
  it('shows the end of a 150 MB burst on every page, and xterm discards nothing', async () => {
    const [editor, viewer] = people.map((p) => p.who);
    // The command line has no "DONE-42" in it: only the echo prints it. Then a marker prompt line.
    await typeInto(editor.page, 'yes 0123456789abcdefghijklmnopqrstuvwxyz | head -c 150000000; echo; echo DONE-$((6*7)); echo after-$((1+1))\n');
    const t0 = Date.now();
    await waitForScreen(editor.page, /^after-2$/m, undefined, 120_000);
    const editorMs = Date.now() - t0;
    await waitForScreen(viewer.page, /^after-2$/m, undefined, FINAL_SCREEN_AFTER_END_MS);
    console.log(`final screen: editor ${editorMs} ms, viewer ${Date.now() - t0} ms after Enter`);
    for (const p of [editor, viewer]) {
      const rows = (await screenText(p.page)).split('\n').map((r) => r.trimEnd());
      const done = rows.lastIndexOf('DONE-42');
      // the final screen, in order: the last line of `yes`, DONE-42, after-2, the prompt
      expect(done, rows.join('\n')).toBeGreaterThan(0);
      expect(rows[done - 1]).toMatch(/^(0123456789abcdefghijklmnopqrstuvwxyz|[0-9a-z]*)$/);
      expect(rows[done + 1]).toBe('after-2');
    }
    for (const p of people) {
      expect(p.console.filter((l) => /discarded/i.test(l))).toEqual([]);
      expect(p.who.errors).toEqual([]);
    }
  });
});
