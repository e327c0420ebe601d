import { describe, expect, it } from 'vitest';
import { XTERM_PIECE_BYTES, XTERM_WINDOW_BYTES, XtermFeed, type FeedTarget } from './xterm-feed.ts';

/** A terminal that parses only when told to, in order, like xterm's write queue. */
function slowTerminal() {
  const pending: { text: string; parsed: () => void }[] = [];
  const screen: string[] = [];
  const t: FeedTarget & { inHand(): number; parseOne(): void; parseAll(): void; screen: string[] } = {
    cols: 80,
    rows: 24,
    write(data, parsed) {
      pending.push({ text: typeof data === 'string' ? data : new TextDecoder().decode(data), parsed });
    },
    reset() {
      screen.length = 0;
    },
    resize(cols, rows) {
      Object.assign(t, { cols, rows });
    },
    inHand: () => pending.reduce((n, p) => n + p.text.length, 0),
    parseOne() {
      const p = pending.shift()!;
      screen.push(p.text);
      p.parsed();
    },
    parseAll() {
      while (pending.length) t.parseOne();
    },
    screen
  };
  return t;
}
const chunk = (c: string, n = 16 * 1024) => new TextEncoder().encode(c.repeat(n));

describe('XtermFeed', () => {
  it('hands xterm at most its window and the rest as xterm parses, in order, each done once', () => {
    const t = slowTerminal();
    const feed = new XtermFeed(t);
    let done = 0;
    for (let i = 0; i < 40; i++) feed.write(chunk(String.fromCharCode(65 + (i % 26))), () => done++);
    expect(t.inHand()).toBeLessThanOrEqual(XTERM_WINDOW_BYTES);
    expect(feed.backlog).toBe(40 * 16 * 1024);
    t.parseAll();
    while (feed.backlog) t.parseAll();
    expect(done).toBe(40);
    const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJKLMN';
    expect(t.screen.join('')).toBe([...letters].map((c) => c.repeat(16 * 1024)).join(''));
  });

  it('hands a big chunk in pieces: a snapshot waits for a piece or two, not the chunk; the chunk is done once', () => {
    const t = slowTerminal();
    const feed = new XtermFeed(t);
    let done = 0;
    feed.write(chunk('y', 64 * 1024), () => done++);
    expect(t.inHand()).toBeLessThanOrEqual(XTERM_WINDOW_BYTES);
    t.parseOne();
    expect(done).toBe(0); // only its first piece is parsed
    feed.reset('SNAPSHOT', 80, 24);
    expect(done).toBe(1); // the rest was dropped for the snapshot
    t.parseAll();
    t.parseAll();
    expect(t.screen.at(-1)).toBe('SNAPSHOT');
    expect(t.screen.slice(0, -1).join('').length).toBeLessThanOrEqual(XTERM_WINDOW_BYTES + XTERM_PIECE_BYTES);
    expect(done).toBe(1);
    expect(feed.backlog).toBe(0);
  });

  it('a snapshot replaces what is queued: dropped writes are done, the screen resets after xterm parsed what it held', () => {
    const t = slowTerminal();
    let skipped = 0;
    const feed = new XtermFeed(t, () => skipped++);
    let done = 0;
    for (let i = 0; i < 40; i++) feed.write(chunk('x'), () => done++);
    const held = t.inHand();
    feed.reset('SNAPSHOT', 100, 30);
    expect(skipped).toBe(1);
    expect(feed.backlog).toBe(held); // only what xterm already had
    feed.write(chunk('after', 1), () => done++);
    t.parseOne(); // xterm finishes a write it held: the reset still waits for the rest
    expect(t.screen).not.toContain('SNAPSHOT');
    t.parseAll();
    t.parseAll();
    expect(t.screen).toEqual(['SNAPSHOT', 'after']);
    expect([t.cols, t.rows]).toEqual([100, 30]);
    expect(done).toBe(41);
  });

  it('resets at once when xterm holds nothing, and reports a skip only when asked or when it dropped output', () => {
    const t = slowTerminal();
    let skipped = 0;
    const feed = new XtermFeed(t, () => skipped++);
    feed.reset('first', 80, 24);
    expect(skipped).toBe(0);
    t.parseAll();
    feed.reset('second', 80, 24, true);
    t.parseAll();
    expect(skipped).toBe(1);
    expect(t.screen).toEqual(['second']);
  });
});
