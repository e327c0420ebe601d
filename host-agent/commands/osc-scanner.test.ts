import { describe, expect, it } from 'vitest';
import { OscScanner, parseMark } from './osc-scanner.ts';

const enc = new TextEncoder();
const b64 = (s: string) => btoa(String.fromCharCode(...enc.encode(s)));

describe('OSC 133 / OSC 7 scanner', () => {
  it('finds every mark, ended by BEL or ST, also split across chunks', () => {
    const stream = `\x1b]133;A\x07$ \x1b]133;B\x07ls -la\r\n\x1b]133;C;cmd=${b64('ls -la ✓')}\x1b\\out\r\n\x1b]133;D;2\x07\x1b]7;file://box/tmp/a%20b\x07`;
    const bytes = enc.encode(stream);
    for (const cut of [1, 3, 7, 20, bytes.length]) {
      const s = new OscScanner();
      const marks = [];
      for (let at = 0; at < bytes.length; at += cut) marks.push(...s.scan(bytes.subarray(at, at + cut)));
      expect(marks, `chunks of ${cut}`).toEqual([
        { kind: 'prompt' },
        { kind: 'input' },
        { kind: 'exec', text: 'ls -la ✓' },
        { kind: 'done', exit: 2 },
        { kind: 'cwd', path: '/tmp/a b' }
      ]);
    }
  });

  it('ignores other sequences and text, and bounds a runaway OSC', () => {
    const s = new OscScanner();
    expect(s.scan(enc.encode('\x1b[1;31mred\x1b[0m \x1b]0;title\x07 \x1b]8;;http://x\x07link'))).toEqual([]);
    const long = `\x1b]133;C;cmd=${'A'.repeat(100_000)}\x07`;
    expect(s.scan(enc.encode(long))).toEqual([{ kind: 'exec', text: null }]);
    expect(parseMark('133;D')).toEqual({ kind: 'done', exit: null });
    expect(parseMark('133;Z')).toBeNull();
    expect(parseMark('7;not a url')).toBeNull();
  });

  it('finds marks between long runs of text and at the very edges of chunks', () => {
    const text = 'y\n'.repeat(50_000);
    const stream = enc.encode(`${text}\x1b]133;C;cmd=${b64('yes')}\x07${text}\x1b]133;D;0\x07${text}\x1b`);
    const s = new OscScanner();
    const marks = [];
    // cut right before and right after each ESC, and in big pieces
    for (let at = 0; at < stream.length; ) {
      const esc = stream.indexOf(0x1b, at + 1);
      const end = esc < 0 ? stream.length : esc + (at % 2);
      marks.push(...s.scan(stream.subarray(at, end)));
      at = end;
    }
    expect(marks).toEqual([
      { kind: 'exec', text: 'yes' },
      { kind: 'done', exit: 0 }
    ]);
    // the trailing ESC is remembered: the next chunk completes the sequence
    expect(s.scan(enc.encode(']133;A\x07'))).toEqual([{ kind: 'prompt' }]);
  });
});
