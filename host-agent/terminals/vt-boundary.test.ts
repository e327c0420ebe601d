import { describe, expect, it } from 'vitest';
import { VtBoundary } from './vt-boundary.ts';

const b = (s: string) => Buffer.from(s, 'utf8');

describe('VtBoundary', () => {
  it('is clean after plain text and complete sequences', () => {
    const v = new VtBoundary();
    expect(v.feed(b('hello\r\n'))).toBe(true);
    expect(v.feed(b('\x1b[31mred\x1b[0m'))).toBe(true);
    expect(v.feed(b('\x1b]0;title\x07'))).toBe(true);
    expect(v.feed(b('\x1b]8;;http://x\x1b\\link'))).toBe(true);
    expect(v.feed(b('\x1b(B\x1b7\x1b8'))).toBe(true);
    expect(v.feed(b('\x1bP1$r0m\x1b\\'))).toBe(true);
  });

  it('is not clean inside an escape sequence split across chunks', () => {
    const v = new VtBoundary();
    expect(v.feed(b('a\x1b'))).toBe(false);
    expect(v.feed(b('[3'))).toBe(false);
    expect(v.feed(b('1m'))).toBe(true);
    expect(v.feed(b('\x1b]2;long tit'))).toBe(false);
    expect(v.feed(b('le\x1b'))).toBe(false);
    expect(v.feed(b('\\'))).toBe(true);
    expect(v.feed(b('\x1b(')) ).toBe(false);
    expect(v.feed(b('0'))).toBe(true);
  });

  it('is not clean inside a UTF-8 character split across chunks', () => {
    const v = new VtBoundary();
    const euro = b('€'); // 3 bytes
    expect(v.feed(euro.subarray(0, 1))).toBe(false);
    expect(v.feed(euro.subarray(1, 2))).toBe(false);
    expect(v.feed(euro.subarray(2))).toBe(true);
    const emoji = b('😀'); // 4 bytes
    expect(v.feed(emoji.subarray(0, 3))).toBe(false);
    expect(v.feed(emoji.subarray(3))).toBe(true);
  });

  it('CAN aborts a sequence and reset() returns to ground', () => {
    const v = new VtBoundary();
    expect(v.feed(b('\x1b[1;2'))).toBe(false);
    expect(v.feed(b('\x18'))).toBe(true);
    v.feed(b('\x1b]0;x'));
    expect(v.clean).toBe(false);
    v.reset();
    expect(v.clean).toBe(true);
  });

  it('sees an escape, CAN or a UTF-8 lead byte at any place of a long plain run', () => {
    const run = 'x'.repeat(5000);
    const v = new VtBoundary();
    expect(v.feed(b(run + '\x1b[3;'))).toBe(false);
    expect(v.feed(b('m' + run))).toBe(true);
    expect(v.feed(b(run + '\x1b]0;t' + run))).toBe(false);
    expect(v.feed(b(run + '\x18' + run))).toBe(true);
    expect(v.feed(Buffer.concat([b(run), Buffer.from('€').subarray(0, 2)]))).toBe(false);
    expect(v.feed(Buffer.from('€').subarray(2))).toBe(true);
  });
});
