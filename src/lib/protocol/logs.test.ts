import { describe, expect, it } from 'vitest';
import { CAP } from './frames.ts';
import { logsProtocol, MAX_FILTER_CHARS, readLogs, type LogsMessage } from './logs.ts';

const roundTrip = (m: LogsMessage) => readLogs(logsProtocol.write(m).subarray(1));

describe('logs protocol', () => {
  it('round-trips every direction', () => {
    const line = { src: 1, seq: 2, t: 1000, lv: 3, text: 'hello' };
    const msgs: LogsMessage[] = [
      { type: 'filter', gen: 3, filter: { text: 'x', level: 'warn', fields: [{ key: 'id', value: 'r1' }] }, by: { id: 'p', name: 'Ann', role: 'editor' }, time: 5 },
      { type: 'lines', gen: 3, lines: [line], skipped: 4, history: false },
      { type: 'set-filter', req: 1, filter: { regex: 'a+b' } },
      { type: 'add-source', req: 2, kind: 'cmd', spec: 'journalctl -f' },
      { type: 'get-context', req: 3, src: 1, seq: 2, before: 5, after: 5 },
      { type: 'pins', pins: [{ src: 1, seq: 2, line, note: '', by: { id: 'p', name: 'Ann', role: 'owner' } }] }
    ];
    for (const m of msgs) expect(roundTrip(m)).toEqual(m);
    expect(logsProtocol.write(msgs[0])[0]).toBe(CAP.LOGS);
  });

  it('packs lines in columns, each text after the start it shares with the line before, and reads them back', () => {
    const lines = [
      { src: 1, seq: 2, t: 1000, lv: 3, text: '{"msg":"quoted \\"x\\" and \\\\ and \u2028 and ü"}' },
      { src: 1, seq: 3, t: 1001, lv: 3, text: '{"msg":"quoted too"}' },
      { src: 12, seq: 99, t: 1764561600000, lv: 0, text: '' },
      // the shared start never ends inside a surrogate pair
      { src: 12, seq: 100, t: 1764561600000, lv: 6, text: 'a \u{1F600}' },
      { src: 12, seq: 101, t: 1764561600000, lv: 6, text: 'a \u{1F601} b' },
      { src: 12, seq: 102, t: 1764561600000, lv: 6, text: 'a \u{1F601} b' }
    ];
    for (const [ls, skipped, history] of [[lines, 7, false], [[], 3, true], [lines.slice(2), 0, true]] as const) {
      const m: LogsMessage = { type: 'lines', gen: 41, lines: [...ls], skipped, history };
      expect(roundTrip(m)).toEqual(m);
    }
    const json = logsProtocol.write({ type: 'lines', gen: 1, lines: lines.slice(0, 2), skipped: 0, history: false });
    // the second line is sent as its 9 characters after `{"msg":"quoted `: smaller than the text
    expect(json.length).toBeLessThan(2 + 19 + 2 * 25 + new TextEncoder().encode(lines[0].text + lines[1].text).length);
  });

  it('still reads lines as JSON objects (byte 2: hosts before the packed lines)', () => {
    const m: LogsMessage = { type: 'lines', gen: 3, lines: [{ src: 1, seq: 2, t: 1000, lv: 3, text: 'hello' }], skipped: 4, history: false };
    const { type: _, ...fields } = m;
    const body = new Uint8Array([2, ...new TextEncoder().encode(JSON.stringify(fields))]);
    expect(readLogs(body)).toEqual(m);
  });

  it('refuses packed lines whose columns or text do not add up', () => {
    const good = logsProtocol.write({ type: 'lines', gen: 1, lines: [{ src: 1, seq: 1, t: 5, lv: 1, text: 'abc' }, { src: 1, seq: 2, t: 5, lv: 1, text: 'abd' }], skipped: 0, history: false });
    const body = () => good.slice(1);
    const at = { lv: 1 + 19 + 2 * 20, shared: 1 + 19 + 2 * 21, rest: 1 + 19 + 2 * 23 };
    expect(() => readLogs(body().subarray(0, 10))).toThrow(/shorter than its header/);
    expect(() => readLogs(body().subarray(0, 40))).toThrow(/shorter than their columns/);
    const lv = body();
    lv[at.lv] = 9;
    expect(() => readLogs(lv)).toThrow(/"lv" must be an integer from 0 to 6/);
    const shared = body();
    shared[at.shared + 1] = 1; // the first line shares a character of no line
    expect(() => readLogs(shared)).toThrow(/shares more of the line before it/);
    const long = body();
    long[at.rest + 3] = 4; // the second line's rest: 4 characters of the 2 left
    expect(() => readLogs(long)).toThrow(/text is shorter than their lengths say/);
    expect(() => readLogs(new Uint8Array([...body(), 0x41]))).toThrow(/text is longer than their lengths say/);
    expect(() => readLogs(new Uint8Array([...body(), 0xff]))).toThrow(/not valid UTF-8/);
  });

  it('refuses oversized or malformed parts with a readable message', () => {
    expect(() => roundTrip({ type: 'set-filter', req: 1, filter: { text: 'x'.repeat(MAX_FILTER_CHARS + 1) } })).toThrow(/"text" is longer than 500/);
    expect(() => roundTrip({ type: 'get-context', req: 1, src: 1, seq: 1, before: 1000, after: 0 })).toThrow(/"before" must be an integer from 0 to 100/);
    expect(() => roundTrip({ type: 'set-filter', req: 1, filter: { level: 'loud' as 'info' } })).toThrow(/"level" must be one of/);
    // a pattern is the host's command line only: a page adds a file or a command
    expect(() => roundTrip({ type: 'add-source', req: 1, kind: 'glob' as 'file', spec: '/*' })).toThrow(/"kind" must be one of file, cmd/);
  });

  it('lets only editors and owners change shared state, with a sentence for viewers', () => {
    expect(logsProtocol.rules['add-source'].from).not.toContain('viewer');
    expect(logsProtocol.rules['add-source'].denied).toMatch(/Viewers cannot add log sources/);
    expect(logsProtocol.rules['set-filter'].from).not.toContain('viewer');
    expect(logsProtocol.rules['get-context'].from).toContain('viewer');
    expect(logsProtocol.rules.lines.lane).toBe('bulk');
  });
});
