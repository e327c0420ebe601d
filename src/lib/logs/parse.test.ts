import { describe, expect, it } from 'vitest';
import { compileFilter } from './match.ts';
import { parseLine, parseLogfmt, stampOf, timeOf } from './parse.ts';

describe('parseLine', () => {
  it('reads JSON lines: time, level, message, service, ids and nested fields', () => {
    const p = parseLine('{"time":"2026-12-01T04:00:00.123Z","level":"warn","msg":"slow query","service":{"name":"api"},"request_id":"r-17","traceId":"abc123","ms":812}');
    expect(p).toMatchObject({ format: 'json', time: Date.parse('2026-12-01T04:00:00.123Z'), level: 'warn', message: 'slow query', service: 'api', requestId: 'r-17', traceId: 'abc123' });
    expect(p.fields).toMatchObject({ 'service.name': 'api', ms: '812' });
  });

  it('reads pino numbers and epoch milliseconds', () => {
    expect(parseLine('{"level":50,"time":1764561600000,"msg":"boom"}')).toMatchObject({ level: 'error', time: 1764561600000, message: 'boom' });
  });

  it('reads logfmt with quoted values', () => {
    const p = parseLine('ts=2026-12-01T04:00:00Z level=ERROR msg="db \\"main\\" down" svc=billing req_id=r-9 user=ann');
    expect(p).toMatchObject({ format: 'logfmt', level: 'error', message: 'db "main" down', service: 'billing', requestId: 'r-9', time: Date.parse('2026-12-01T04:00:00Z') });
    expect(p.fields.user).toBe('ann');
    expect(parseLogfmt('just words = here')).toBeNull();
  });

  it('finds a leading timestamp and a level word in plain lines', () => {
    expect(parseLine('2026-12-01 04:00:01,250 ERROR worker crashed')).toMatchObject({ format: 'text', level: 'error', time: Date.parse('2026-12-01T04:00:01.250') });
    expect(parseLine('nothing to see')).toMatchObject({ level: null, time: null });
  });

  it('survives broken JSON', () => {
    expect(parseLine('{"level":"info", oops').format).not.toBe('json');
  });
});

describe('stampOf', () => {
  it("gives parseLine's time and level, also where its shortcut cannot be taken", () => {
    const lines = [
      '{"time":"2026-12-01T04:00:00.123Z","level":"warn","msg":"x"}',
      '{"level":50,"time":1764561600000}',
      '{"Level":"ERROR","Timestamp":"2026-12-01T04:00:00Z"}', // other case: pick's second loop
      '{"log":{"level":"debug"},"@timestamp":"2026-12-01T04:00:00Z"}', // nested log.level
      '{"log.level":"error","ts":1764561600}', // a dotted key as such
      '{"log":{"level":"debug"},"levelname":"error"}', // the nested key comes first in LEVEL_KEYS
      '{"level":"","severity":"fatal","time":{"s":1},"ts":"1764561600000"}', // empty and object values skipped
      '{"level":null,"lvl":"info","t":[1]}',
      '{"time":"2026-12-01T04:00:00Z"}',
      '{"level":"info", oops',
      '{"msg":"a=b c=d"}',
      '[1,2]',
      'ts=2026-12-01T04:00:00Z level=ERROR msg="db down"',
      'Level=Warn Time=2026-12-01T04:00:00Z',
      '2026-12-01 04:00:01,250 ERROR worker crashed',
      'a = b',
      'nothing to see',
      ''
    ];
    for (const l of lines) {
      const p = parseLine(l);
      expect(stampOf(l), l).toEqual({ time: p.time, level: p.level });
    }
    expect(stampOf('{"Level":"ERROR"}').level).toBe('error');
  });
});

describe('compileFilter', () => {
  const line = (text: string, lv = 3, src = 1) => ({ src, seq: 1, t: 1000, lv, text });
  it('matches a request id exactly, not a longer one', () => {
    const test = compileFilter({ fields: [{ key: 'id', value: 'r-1' }] });
    expect(test(line('{"request_id":"r-1"}'))).toBe(true);
    expect(test(line('{"request_id":"r-10"}'))).toBe(false);
    expect(test(line('level=info trace_id=r-1 msg=x'))).toBe(true);
  });
  it('text is smart case; level is a minimum; sources and time bound', () => {
    expect(compileFilter({ text: 'timeout' })(line('Connection TIMEOUT'))).toBe(true);
    expect(compileFilter({ text: 'Timeout' })(line('Connection TIMEOUT'))).toBe(false);
    expect(compileFilter({ level: 'warn' })(line('x', 3))).toBe(false);
    expect(compileFilter({ level: 'warn' })(line('x', 5))).toBe(true);
    expect(compileFilter({ sources: [2] })(line('x'))).toBe(false);
    expect(compileFilter({ from: 2000 })(line('x'))).toBe(false);
  });
});

describe('timeOf', () => {
  it('gives each timestamp its own time, the same one read twice in a row or after another', () => {
    const cases: [string, number | null][] = [
      ['2026-12-01T04:00:00.000Z', Date.parse('2026-12-01T04:00:00.000Z')],
      ['2026-12-01T04:00:00,5Z', Date.parse('2026-12-01T04:00:00.5Z')],
      ['1764561600', 1764561600000],
      ['', null],
      ['soon', null]
    ];
    for (const order of [cases, [...cases].reverse()]) {
      for (const [text, t] of order) {
        expect(timeOf(text)).toBe(t);
        expect(timeOf(text)).toBe(t);
      }
    }
  });
});
