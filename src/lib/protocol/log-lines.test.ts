import { describe, expect, it } from 'vitest';
import { LINES_FIXED, LINES_VARINT } from './log-lines.ts';
import { logsProtocol, readLogs, type LogLine, type LogsMessage } from './logs.ts';

const roundTrip = (m: LogsMessage) => readLogs(logsProtocol.write(m).subarray(1));
const body = (m: LogsMessage) => logsProtocol.write(m).slice(1);
const lines = (ls: LogLine[], skipped = 0, history = false): LogsMessage => ({ type: 'lines', gen: 41, lines: ls, skipped, history });

const LINES: LogLine[] = [
  { src: 1, seq: 2, t: 1000, lv: 3, text: '{"msg":"quoted \\"x\\" and \\\\ and \u2028 and ü"}' },
  { src: 1, seq: 3, t: 1001, lv: 3, text: '{"msg":"quoted too"}' },
  { src: 12, seq: 99, t: 1764561600000, lv: 0, text: '' },
  // the shared start never ends inside a surrogate pair
  { src: 12, seq: 100, t: 1764561600000, lv: 6, text: 'a \u{1F600}' },
  { src: 12, seq: 101, t: 1764561600000, lv: 6, text: 'a \u{1F601} b' },
  { src: 12, seq: 102, t: 1764561600000, lv: 6, text: 'a \u{1F601} b' },
  // numbers going back (merged sources, history in time order), and the largest ones
  { src: 3, seq: 7, t: 900, lv: 1, text: 'x' },
  { src: 0xffffffff, seq: Number.MAX_SAFE_INTEGER, t: 8.64e15, lv: 2, text: 'y' },
  { src: 0, seq: 0, t: 0, lv: 0, text: 'y'.repeat(8192) }
];

/** byte 13 as hosts before varints wrote it (fixed-width columns) */
function fixed(m: { gen: number; skipped: number; history: boolean; lines: LogLine[] }, shared: number[], rests: string[]): Uint8Array {
  const text = new TextEncoder().encode(rests.join(''));
  const n = m.lines.length;
  const out = new Uint8Array(1 + 19 + 25 * n + text.length);
  out[0] = LINES_FIXED;
  const v = new DataView(out.buffer, 1);
  v.setFloat64(0, m.gen);
  v.setFloat64(8, m.skipped);
  v.setUint8(16, m.history ? 1 : 0);
  v.setUint16(17, n);
  m.lines.forEach((l, i) => {
    v.setUint32(19 + 4 * i, l.src);
    v.setFloat64(19 + 4 * n + 8 * i, l.seq);
    v.setFloat64(19 + 12 * n + 8 * i, l.t);
    v.setUint8(19 + 20 * n + i, l.lv);
    v.setUint16(19 + 21 * n + 2 * i, shared[i]);
    v.setUint16(19 + 23 * n + 2 * i, rests[i].length);
  });
  out.set(text, 1 + 19 + 25 * n);
  return out;
}

describe('log lines on the wire', () => {
  it('round-trips lines, their numbers as deltas and each text after the start it shares with the line before', () => {
    for (const m of [lines(LINES, 7), lines([], 3, true), lines(LINES.slice(2), 0, true), lines([LINES[7]], Number.MAX_SAFE_INTEGER)]) {
      expect(roundTrip(m)).toEqual(m);
    }
    expect(logsProtocol.write(lines(LINES))[1]).toBe(LINES_VARINT);
  });

  it('takes a log line of the bench in 61 bytes: small numbers a byte each, the text after the start it shares', () => {
    const line = (i: number) => `{"time":"2026-12-01T04:00:00.000Z","level":"info","msg":"GET /api/v1/items/${i} 200","service":"api","request_id":"r-${(i % 9973).toString(36).padStart(4, '0')}","ms":${i % 300}}`;
    const ls = Array.from({ length: 1000 }, (_, i) => ({ src: 1, seq: 500_001 + i, t: 1764561600000, lv: 3, text: line(500_000 + i) }));
    const bytes = logsProtocol.write(lines(ls)).length;
    expect(roundTrip(lines(ls))).toEqual(lines(ls));
    expect(bytes / 1000).toBeLessThan(62);
  });

  it('refuses a line the host should have cut, or numbers that are not whole, when writing', () => {
    expect(() => logsProtocol.write(lines([{ src: 1, seq: 1, t: 1, lv: 0, text: 'y'.repeat(8193) }]))).toThrow(/"text length" must be an integer from 0 to 8192/);
    expect(() => logsProtocol.write(lines([{ src: 1, seq: 1.5, t: 1, lv: 0, text: '' }]))).toThrow(/"seq" must be an integer/);
    expect(() => logsProtocol.write(lines([{ src: 1, seq: 1, t: -1, lv: 0, text: '' }]))).toThrow(/"t" must be an integer/);
  });

  it('refuses lines whose numbers or text do not add up, with a readable message', () => {
    const two = lines([{ src: 1, seq: 1, t: 5, lv: 1, text: 'abc' }, { src: 1, seq: 2, t: 5, lv: 1, text: 'abd' }]);
    // gen 41, skipped 0, history 0, n 2, text bytes 4; rows: src seq t lv shared rest; the text
    expect([...body(two)]).toEqual([LINES_VARINT, 41, 0, 0, 2, 4, 1, 2, 6, 1, 0, 3, 1, 2, 1, 1, 2, 1, ...new TextEncoder().encode('abcd')]);
    const at = { lv: 9, shared: 10, rest: 17 };
    expect(() => readLogs(body(two).subarray(0, 8))).toThrow(/shorter than its text/);
    expect(() => readLogs(body(two).subarray(0, 12))).toThrow(/numbers run into their text/);
    expect(() => readLogs(new Uint8Array([...body(two).subarray(0, 18), 0, ...body(two).subarray(18)]))).toThrow(/numbers end before their text/);
    const lv = body(two);
    lv[at.lv] = 9;
    expect(() => readLogs(lv)).toThrow(/"lv" must be an integer from 0 to 6/);
    const shared = body(two);
    shared[at.shared] = 1; // the first line shares a character of no line
    expect(() => readLogs(shared)).toThrow(/shares more of the line before it/);
    const long = body(two);
    long[at.rest] = 4; // the second line's rest: 4 characters of the 1 left
    expect(() => readLogs(long)).toThrow(/text is shorter than their lengths say/);
    const short = body(two);
    short[at.rest] = 0;
    expect(() => readLogs(short)).toThrow(/text is longer than their lengths say/);
    const bad = body(two);
    bad[bad.length - 1] = 0xff;
    expect(() => readLogs(bad)).toThrow(/not valid UTF-8/);
    // a varint of 9 bytes, one past 2^53 − 1, a line past the largest time, too many lines
    expect(() => readLogs(new Uint8Array([LINES_VARINT, ...Array(8).fill(0xff), 1]))).toThrow(/"gen" is longer than 8 bytes/);
    expect(() => readLogs(new Uint8Array([LINES_VARINT, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10]))).toThrow(/"gen" must be an integer from 0 to 9007199254740991/);
    const late = body(lines([{ src: 1, seq: 1, t: 8.64e15, lv: 0, text: '' }]));
    late[8] += 2; // t's first byte: the delta from 0 is now 2 more
    expect(() => readLogs(late)).toThrow(/"t" must be an integer from 0 to 8640000000000000/);
    expect(() => readLogs(new Uint8Array([LINES_VARINT, 1, 0, 0, 0xe9, 0x07]))).toThrow(/"lines" must be a list of at most 1000/);
  });

  it('still reads fixed-width columns (byte 13: hosts before varints), checked the same way', () => {
    const two = { gen: 3, skipped: 2, history: true, lines: [{ src: 1, seq: 1, t: 5, lv: 1, text: 'abc' }, { src: 4, seq: 9, t: 1764561600000, lv: 0, text: 'abd' }] };
    expect(readLogs(fixed(two, [0, 2], ['abc', 'd']))).toEqual({ type: 'lines', ...two });
    expect(() => readLogs(fixed(two, [0, 2], ['abc', 'd']).subarray(0, 10))).toThrow(/shorter than its header/);
    expect(() => readLogs(fixed(two, [0, 2], ['abc', 'd']).subarray(0, 40))).toThrow(/shorter than their columns/);
    expect(() => readLogs(fixed(two, [1, 2], ['abc', 'd']))).toThrow(/shares more of the line before it/);
    expect(() => readLogs(fixed({ ...two, lines: [{ ...two.lines[0], lv: 9 }] }, [0], ['abc']))).toThrow(/"lv" must be an integer from 0 to 6/);
  });
});
