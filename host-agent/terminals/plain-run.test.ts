import { describe, expect, it } from 'vitest';
import { linesToKeep, plainLineFeeds, PlainHold } from './plain-run.ts';

const enc = new TextEncoder();
const dec = new TextDecoder();

describe('plain runs', () => {
  it('counts the line feeds of printable ASCII, CR and LF, and refuses anything else', () => {
    expect(plainLineFeeds(enc.encode('abc\r\ndef\n\r\n'))).toBe(3);
    expect(plainLineFeeds(enc.encode(''))).toBe(0);
    for (const other of ['a\tb', 'a\x1b[0m', 'caf\u00e9', 'bell\x07', 'del\x7f', 'bs\b', 'can\x18']) expect(plainLineFeeds(enc.encode(other))).toBe(-1);
    expect(linesToKeep(24, 1000)).toBe(1048);
  });

  it('drops the front up to the last CR that still has the lines kept after it, across chunks', () => {
    const hold = new PlainHold();
    const parts = ['l1\r\nl2\r\n', 'l3\r', '\nl4\r\nprogress 1\rprogress 2\r\nl6\r\n'];
    parts.forEach((p, i) => hold.push(i + 1, enc.encode(p), plainLineFeeds(enc.encode(p))));
    expect(hold.lineFeeds).toBe(6);
    // keeping 3 lines: the cut is the CR of "l4\r\n", the last with 3 line feeds after it
    const dropped = hold.trim(3);
    const rest = hold.take();
    const kept = rest.map((c) => dec.decode(c.data)).join('');
    expect(kept).toBe('\r\nprogress 1\rprogress 2\r\nl6\r\n');
    expect(dropped + kept.length).toBe(parts.join('').length);
    expect(rest.map((c) => c.seq)).toEqual([3]);
    expect(hold.length).toBe(0);
  });

  it('keeps everything when fewer line feeds than asked follow any CR', () => {
    const hold = new PlainHold();
    hold.push(1, enc.encode('a\r\nb\r\n'), 2);
    expect(hold.trim(3)).toBe(0);
    expect(hold.trim(2)).toBe(1); // 'a': its CR has 2 line feeds after it
    hold.push(2, enc.encode('no carriage return\nat all\n'), 2);
    // the CRs have 4 and 3 line feeds after them: keeping 3 cuts at the later one
    expect(hold.trim(3)).toBe(3);
    expect(hold.bytes).toBe('\r\nno carriage return\nat all\n'.length);
    expect(hold.lineFeeds).toBe(3);
  });
});
