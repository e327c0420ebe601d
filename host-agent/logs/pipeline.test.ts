// The log pipeline's logic without its thread: redaction before anything is kept, numbering per
// source, the filter (and a regex in the real regex thread, with its budget), the history search,
// context and what a new thread after a failure goes on from.
import { afterAll, describe, expect, it } from 'vitest';
import { Pipeline } from './pipeline.ts';
import { RegexWorker } from './regex-worker.ts';

const SECRET = 'AKIA' + 'ZQ3DRSTUVWXY2345';
const regex = new RegexWorker(300);
afterAll(() => regex.dispose());

function pipeline(): Pipeline {
  const p = new Pipeline(regex);
  p.addSource(1, 1 << 20);
  p.addSource(2, 1 << 20);
  return p;
}

describe('Pipeline', () => {
  it('redacts, stamps and numbers every line per source, and hands on what the filter matches', async () => {
    const p = pipeline();
    p.setFilter(2, { text: 'error' });
    const got = await p.ingest(
      [
        { src: 1, raw: ['{"time":"2026-12-01T04:00:00Z","level":"error","msg":"boom"}', 'info fine'] },
        { src: 2, raw: [`level=error msg="key ${SECRET} leaked"`] },
        { src: 9, raw: ['not a source: ignored'] }
      ],
      Date.UTC(2026, 11, 1, 5),
      true
    );
    expect(got.gen).toBe(2);
    expect(got.lines.map((l) => [l.src, l.seq, l.lv])).toEqual([[1, 1, 5], [2, 1, 5]]);
    expect(got.lines[0].t).toBe(Date.UTC(2026, 11, 1, 4));
    expect(got.lines[1].text).toBe('level=error msg="key [REDACTED:aws-access-key] leaked"');
    // kept (redacted) whether matched or not; nobody connected: kept, not matched
    expect(p.line(1, 2)?.text).toBe('info fine');
    expect(p.line(2, 1)?.text).not.toContain(SECRET);
    const quiet = await p.ingest([{ src: 1, raw: ['error later'] }], Date.now(), false);
    expect(quiet.lines).toEqual([]);
    expect(p.line(1, 3)?.text).toBe('error later');
  });

  it('searches the history for the current filter only, and gives context around a line', async () => {
    const p = pipeline();
    await p.ingest([{ src: 1, raw: Array.from({ length: 50 }, (_, i) => `line ${i} ${i % 10 === 0 ? 'hit' : ''}`) }], 1000, false);
    p.setFilter(5, { text: 'hit' });
    expect((await p.search(5, 3))!.map((l) => l.seq)).toEqual([21, 31, 41]);
    expect(await p.search(4, 3)).toBeNull(); // an older filter's search is superseded
    expect(p.context(1, 10, 2, 1)!.map((l) => l.seq)).toEqual([8, 9, 10, 11]);
    expect(p.context(1, 99, 2, 2)).toBeNull();
    expect(p.context(7, 1, 0, 0)).toBeNull();
  });

  it('runs a regex in the regex thread; one over its budget is reported, not hung on', async () => {
    const p = pipeline();
    p.setFilter(1, { regex: ' 5\\d\\d$' });
    const got = await p.ingest([{ src: 1, raw: ['GET /a 200', 'GET /b 500', 'POST /c 503'] }], 1000, true);
    expect(got.lines.map((l) => l.seq)).toEqual([2, 3]);
    p.setFilter(2, { regex: '^(a+)+$' });
    const slow = await p.ingest([{ src: 1, raw: Array.from({ length: 50 }, () => 'a'.repeat(30) + '!') }], 1000, true);
    expect(slow).toMatchObject({ gen: 2, lines: [] });
    expect(slow.slow).toMatch(/took longer than 300 ms/);
  });

  it('goes on numbering from where a source was (a new thread after a failure)', async () => {
    const p = new Pipeline(regex);
    p.addSource(3, 1 << 20, 41);
    const got = await p.ingest([{ src: 3, raw: ['a', 'b'] }], 1000, true);
    expect(got.lines.map((l) => l.seq)).toEqual([42, 43]);
  });
});
