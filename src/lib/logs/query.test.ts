import { describe, expect, it } from 'vitest';
import { formatQuery, parseQuery } from './query.ts';

describe('the filter box', () => {
  it('reads text, fields, level, regex and time range, and writes them back', () => {
    const r = parseQuery('timeout service=api id=r-42 level>=warn /fail(ed)?/i from=2026-12-01T04:00:00Z');
    expect(r).toEqual({ filter: { text: 'timeout', fields: [{ key: 'service', value: 'api' }, { key: 'id', value: 'r-42' }], level: 'warn', regex: '(?i)fail(ed)?', from: Date.parse('2026-12-01T04:00:00Z') } });
    if ('filter' in r) expect(parseQuery(formatQuery(r.filter))).toEqual(r);
  });
  it('a plain id is text; quoted values keep their spaces', () => {
    expect(parseQuery('req-7f3a')).toEqual({ filter: { text: 'req-7f3a' } });
    expect(parseQuery('msg="db down"')).toEqual({ filter: { fields: [{ key: 'msg', value: 'db down' }] } });
    expect(parseQuery('')).toEqual({ filter: {} });
  });
  it('says what is wrong', () => {
    expect(parseQuery('/(a/')).toEqual({ error: expect.stringMatching(/^Not a valid regular expression: .*Unterminated group/) });
    expect(parseQuery('level>=loud')).toEqual({ error: expect.stringMatching(/Unknown level "loud"/) });
    expect(parseQuery('from=yesterday')).toEqual({ error: expect.stringMatching(/not a time/) });
  });
});
