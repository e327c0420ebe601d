import { describe, expect, it } from 'vitest';
import { Terminal } from '@xterm/headless';
import { EchoPredictor, MIN_DUE_MS, type ScreenView } from './echo-predictor.ts';

/** A real (headless) xterm as the screen: what the host's echo does to it is what a page's does. */
function screen(cols = 40, rows = 5) {
  const term = new Terminal({ cols, rows, allowProposedApi: true });
  const view: ScreenView = {
    get cols() {
      return term.cols;
    },
    get cursorX() {
      return term.buffer.active.cursorX;
    },
    get cursorY() {
      return term.buffer.active.baseY + term.buffer.active.cursorY;
    },
    get altScreen() {
      return term.buffer.active.type === 'alternate';
    },
    cell: (x, y) => term.buffer.active.getLine(y)?.getCell(x)?.getChars() ?? ''
  };
  const write = (s: string) => new Promise<void>((r) => term.write(s, r));
  return { term, view, write };
}

function setup(rtt: number | null = 80) {
  let now = 0;
  const p = new EchoPredictor(() => now);
  p.setCanType(true);
  p.setRtt(rtt);
  const s = screen();
  /** the host's echo arrives and is parsed */
  const echo = async (data: string) => {
    await s.write(data);
    p.parsed(s.view);
  };
  const type = (data: string) => p.input(data, s.view);
  const shown = () => p.shown.map((x) => x.ch).join('');
  return { p, s, echo, type, shown, advance: (ms: number) => (now += ms) };
}

describe('EchoPredictor', () => {
  it('shows keys at once at a marked prompt and drops each one as its echo confirms it', async () => {
    const { p, echo, type, shown } = setup();
    await echo('$ ');
    p.mark('prompt');
    type('l');
    type('s');
    expect(shown()).toBe('ls');
    expect(p.shown.map((x) => [x.x, x.y])).toEqual([[2, 0], [3, 0]]);
    await echo('l');
    expect(shown()).toBe('s');
    await echo('s');
    expect(shown()).toBe('');
    expect(p.stats).toEqual({ confirmed: 2, wrong: 0 });
  });

  it('keeps a new epoch hidden until the host confirms one of its keys (mosh)', async () => {
    const { echo, type, shown } = setup();
    await echo('$ ');
    type('e');
    type('c');
    expect(shown()).toBe('');
    await echo('e');
    // confirmed: the rest of the epoch shows, and later keys show at once
    expect(shown()).toBe('c');
    type('h');
    expect(shown()).toBe('ch');
    await echo('ch');
    expect(shown()).toBe('');
  });

  it('takes everything back when the echo contradicts a prediction', async () => {
    const { p, echo, type, shown } = setup();
    await echo('$ ');
    p.mark('prompt');
    type('a');
    type('b');
    await echo('X');
    expect(shown()).toBe('');
    expect(p.pending).toHaveLength(0);
    expect(p.stats.wrong).toBe(2);
  });

  it('takes back a prediction the echo never confirms (a password prompt), and never shows one there', async () => {
    const { p, echo, type, shown, advance } = setup();
    await echo('Password: ');
    type('s');
    type('e');
    expect(shown()).toBe('');
    advance(MIN_DUE_MS + 1);
    p.tick();
    expect(p.pending).toHaveLength(0);
    type('c');
    expect(shown()).toBe('');
  });

  it('a backspace takes back the last prediction; the erased echo passing by is not a misprediction', async () => {
    const { p, echo, type, shown } = setup();
    await echo('$ ');
    p.mark('prompt');
    type('a');
    type('b');
    type('\x7f');
    type('c');
    expect(shown()).toBe('ac');
    await echo('ab');
    expect(shown()).toBe('c');
    await echo('\b \bc');
    expect(shown()).toBe('');
    expect(p.stats).toEqual({ confirmed: 2, wrong: 0 });
  });

  it('after a cursor move predicts nothing until the screen caught up, then only tentatively', async () => {
    const { p, echo, type, shown } = setup();
    await echo('$ ab');
    p.mark('prompt');
    type('c');
    type('\x1b[D');
    type('x');
    expect(shown()).toBe('c');
    expect(p.pending).toHaveLength(1);
    await echo('c\b');
    // the cursor sits on "c" now: the rest of the line is not empty, so nothing is predicted there
    type('x');
    expect(p.pending).toHaveLength(0);
  });

  it('predicts nothing on the alternate screen and drops what is pending when a program switches to it', async () => {
    const { p, echo, type, shown } = setup();
    await echo('$ ');
    p.mark('prompt');
    type('v');
    await echo('\x1b[?1049h');
    expect(shown()).toBe('');
    type('j');
    expect(p.pending).toHaveLength(0);
  });

  it('predicts nothing while a command runs (between OSC 133 C and the next prompt)', async () => {
    const { p, echo, type } = setup();
    await echo('$ ');
    p.mark('running');
    type('y');
    expect(p.pending).toHaveLength(0);
    p.mark('prompt');
    type('y');
    expect(p.pending).toHaveLength(1);
  });

  it('is off below 30 ms round trip, with no measured round trip, and for viewers', async () => {
    for (const rtt of [null, 5, 29.9]) {
      const { p, echo, type } = setup(rtt);
      await echo('$ ');
      p.mark('prompt');
      type('a');
      expect(p.active).toBe(false);
      expect(p.pending).toHaveLength(0);
    }
    const { p, echo, type } = setup(30);
    await echo('$ ');
    p.mark('prompt');
    type('a');
    expect(p.shown).toHaveLength(1);
    p.setCanType(false);
    expect(p.pending).toHaveLength(0);
    type('b');
    expect(p.pending).toHaveLength(0);
  });

  it('stops at the right margin and where the line is not empty', async () => {
    const { p, echo, type } = setup();
    await echo('$ ' + 'x'.repeat(36));
    p.mark('prompt');
    type('a');
    expect(p.pending).toHaveLength(1);
    type('b');
    expect(p.pending).toHaveLength(1);
  });

  it('confirms across Enter: the echo of the line and the newline come together', async () => {
    const { p, echo, type, shown } = setup();
    await echo('$ ');
    p.mark('prompt');
    type('l');
    type('s');
    type('\r');
    expect(shown()).toBe('ls');
    type('x'); // typed ahead before the echo: no position known
    expect(p.pending).toHaveLength(2);
    await echo('ls\r\nfile\r\n$ ');
    expect(shown()).toBe('');
    expect(p.stats.confirmed).toBe(2);
  });
});
