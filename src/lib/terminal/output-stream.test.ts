import { describe, expect, it } from 'vitest';
import { ACK_EVERY_BYTES } from '../protocol/terminal.ts';
import { OutputStream } from './output-stream.ts';

function recorder() {
  const log: string[] = [];
  const sink = {
    reset: (s: string) => void log.push(`reset:${s}`),
    write: (d: Uint8Array) => void log.push(new TextDecoder().decode(d)),
    resize: () => {}
  };
  return { log, sink };
}
const b = (s: string) => new TextEncoder().encode(s);

describe('OutputStream', () => {
  it('waits for a snapshot, then applies chunks in order and skips duplicates', () => {
    const { log, sink } = recorder();
    const s = new OutputStream(sink, () => {});
    expect(s.resumeFrom()).toBeUndefined();
    s.output(1, b('early'));
    s.snapshot(3, 'screen', 80, 24);
    s.output(3, b('dup'));
    s.output(4, b('a'));
    s.output(5, b('b'));
    s.output(5, b('b-again'));
    expect(log).toEqual(['reset:screen', 'a', 'b']);
    expect(s.resumeFrom()).toBe(6);
  });
  it('asks once to resume at a gap and ignores frames until the missing one arrives', () => {
    const { log, sink } = recorder();
    const asked: number[] = [];
    const s = new OutputStream(sink, (from) => asked.push(from));
    s.snapshot(0, '', 80, 24);
    s.output(1, b('1'));
    s.output(3, b('3'));
    s.output(4, b('4'));
    expect(asked).toEqual([2]);
    s.output(2, b('2'));
    s.output(3, b('3'));
    expect(log).toEqual(['reset:', '1', '2', '3']);
  });
  it('acknowledges each snapshot, and parsed output every ACK_EVERY_BYTES (not before it is parsed)', () => {
    const parsed: (() => void)[] = [];
    const sink = { reset: () => {}, write: (_d: Uint8Array, done: () => void) => void parsed.push(done), resize: () => {} };
    const acks: number[] = [];
    const s = new OutputStream(sink, () => {}, (seq) => acks.push(seq));
    s.snapshot(10, 'screen', 80, 24);
    expect(acks).toEqual([10]);
    const quarter = new Uint8Array(ACK_EVERY_BYTES / 4);
    for (let seq = 11; seq <= 20; seq++) s.output(seq, quarter);
    expect(acks).toEqual([10]);
    for (const done of parsed) done();
    expect(acks).toEqual([10, 14, 18]);
  });
  it('tells the sink when a snapshot skips output it never showed', () => {
    const skips: boolean[] = [];
    const sink = { reset: (_s: string, _c: number, _r: number, skipped?: boolean) => void skips.push(!!skipped), write: () => {}, resize: () => {} };
    const s = new OutputStream(sink, () => {});
    s.snapshot(5, 'first', 80, 24);
    s.output(6, b('x'));
    s.snapshot(6, 'same point', 80, 24);
    s.snapshot(40, 'later', 80, 24);
    expect(skips).toEqual([false, false, true]);
  });
});
