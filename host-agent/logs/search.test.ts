import { afterAll, describe, expect, it } from 'vitest';
import { compileFilter } from '../../src/lib/logs/match.ts';
import { History } from './history.ts';
import { RegexWorker, SlowRegexError } from './regex-worker.ts';
import { searchHistory } from './search.ts';

const worker = new RegexWorker(300);
afterAll(() => worker.dispose());

function history(src: number, texts: string[], t0: number, bytes = 1 << 20): History {
  const h = new History(bytes);
  texts.forEach((text, i) => h.push({ src, seq: i + 1, t: t0 + i * 10, lv: 3, text }));
  return h;
}

describe('searchHistory', () => {
  it('takes the newest matches of every source, merged by time', async () => {
    const a = history(1, Array.from({ length: 10_000 }, (_, i) => `a ${i} ${i % 1000 === 0 ? 'hit' : ''}`), 0);
    const b = history(2, ['b hit early', 'b miss', 'b hit late'], 65_000);
    const found = await searchHistory([a, b], { test: compileFilter({ text: 'hit' }), max: 5, current: () => true });
    // a's hits are at t = 0, 10 000, … 90 000; b's at 65 000 and 65 020: the newest five, by time
    expect(found!.map((l) => `${l.src}:${l.seq}`)).toEqual(['2:1', '2:3', '1:7001', '1:8001', '1:9001']);
  });

  it('runs a regex in the thread, and gives up when the filter changed', async () => {
    const h = history(1, ['GET /a 200', 'GET /b 500', 'POST /c 503'], 0);
    expect((await searchHistory([h], { test: () => true, regex: { pattern: ' 5\\d\\d$', worker }, max: 10, current: () => true }))!.map((l) => l.seq)).toEqual([2, 3]);
    expect(await searchHistory([h], { test: () => true, max: 10, current: () => false })).toBeNull();
    const evil = history(1, Array.from({ length: 50 }, () => 'a'.repeat(30) + '!'), 0);
    await expect(searchHistory([evil], { test: () => true, regex: { pattern: '^(a+)+$', worker }, max: 10, current: () => true })).rejects.toBeInstanceOf(SlowRegexError);
  });

  it('keeps a history within its bytes, and finds a line by number', () => {
    const h = history(1, Array.from({ length: 20_000 }, (_, i) => `line ${i}`.padEnd(100, '.')), 0, 1 << 20);
    expect(h.bytes).toBeLessThanOrEqual(1 << 20);
    expect(h.get(20_000)?.text.startsWith('line 19999')).toBe(true);
    expect(h.get(1)).toBeUndefined(); // the oldest went
    expect(h.range(19_998, 20_005).map((l) => l.seq)).toEqual([19_998, 19_999, 20_000]);
  });
});
