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
