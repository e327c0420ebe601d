/** Command marks in a terminal, on xterm's real parser (headless: the same parser the page runs). */
import headless from '@xterm/headless';
import { describe, expect, it } from 'vitest';
import type { Command } from '../protocol/commands.ts';
import { CommandMarks } from './command-marks.ts';

const b64 = (s: string) => btoa(String.fromCharCode(...new TextEncoder().encode(s)));
const write = (t: headless.Terminal, s: string) => new Promise<void>((r) => t.write(s, r));
const cmd = (id: number, text: string | null, term = 1): Command => ({ id, term, text, authors: [], cwd: null, start: id, end: id + 1, exit: 0 });

/** What a shell with our integration prints for one command. */
function ran(text: string, out: string, exit = 0): string {
  return `\x1b]133;A\x07$ \x1b]133;B\x07${text}\r\n\x1b]133;C;cmd=${b64(text)}\x07${out}\x1b]133;D;${exit}\x07`;
}

describe('command marks in a page terminal', () => {
  it('marks each command on its prompt line, knows failures, and finds a panel command by matching newest first', async () => {
    const t = new headless.Terminal({ cols: 40, rows: 5, scrollback: 100, allowProposedApi: true });
    const marks = new CommandMarks(t);
    // joined at a prompt: its A mark came before this page did
    await write(t, 'before we joined\r\n$ ls\r\n');
    await write(t, `\x1b]133;C;cmd=${b64('ls')}\x07a\r\nb\r\n\x1b]133;D;0\x07`);
    await write(t, ran('false', '', 1));
    await write(t, ran('ls', Array.from({ length: 20 }, (_, i) => `line ${i}\r\n`).join('')));
    expect(marks.marks.map((m) => [m.text, m.line, m.failed])).toEqual([
      ['ls', 1, false],
      ['false', 4, true],
      ['ls', 5, false]
    ]);
    // the host's list has one more, from before this page joined; and one on another terminal
    const all = [cmd(1, 'make'), cmd(2, 'ls'), cmd(3, 'vim', 2), cmd(4, 'false'), cmd(5, 'ls')];
    expect(all.map((c) => marks.lineOf(c, all))).toEqual([null, 1, null, 4, 5]);
    expect(marks.reveal(all[1], all)).toBe(true);
    expect(t.buffer.active.viewportY).toBe(1);
    expect(t.buffer.active.getLine(1)?.translateToString(true)).toBe('$ ls');
    expect(marks.reveal(all[0], all)).toBe(false);
    marks.dispose();
    await write(t, ran('echo after', ''));
    expect(marks.marks).toEqual([]);
    t.dispose();
  });

  it('a line that leaves the scrollback takes its mark along', async () => {
    const t = new headless.Terminal({ cols: 40, rows: 3, scrollback: 5, allowProposedApi: true });
    const marks = new CommandMarks(t);
    await write(t, ran('old', ''));
    await write(t, 'x\r\n'.repeat(20));
    await write(t, ran('new', ''));
    expect(marks.marks.map((m) => m.text)).toEqual(['new']);
    t.dispose();
  });
});
