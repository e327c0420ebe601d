/**
 * A filter over the sources' histories: each source is searched from its newest line back until
 * it has `max` matches (or its history ends), a block at a time with a turn of the event loop
 * between blocks, so a search through 100 MB never holds the host's loop for long. The cheap part
 * of the filter runs here; a regex runs on the survivors in the regex thread. The result is the
 * newest `max` matches of all sources, oldest first (merged by time).
 */
import { setImmediate as yieldLoop } from 'node:timers/promises';
import type { LogLine } from '../../src/lib/protocol/logs.ts';
import type { LineTest } from '../../src/lib/logs/match.ts';
import type { History } from './history.ts';
import { REGEX_BATCH, type RegexWorker } from './regex-worker.ts';

export interface Search {
  test: LineTest;
  regex?: { pattern: string; worker: Pick<RegexWorker, 'match'> };
  max: number;
  /** false once the filter changed or the host stops: the search gives up (null) */
  current: () => boolean;
}

/** Rejects with SlowRegexError when the regex is over its budget. */
export async function searchHistory(histories: History[], s: Search): Promise<LogLine[] | null> {
  const found: LogLine[] = [];
  for (const history of histories) {
    let mine = 0;
    for (const block of history.blocksNewestFirst()) {
      let cands: LogLine[] = [];
      for (let i = block.length - 1; i >= 0; i--) if (s.test(block[i])) cands.push(block[i]);
      if (s.regex) {
        const kept: LogLine[] = [];
        for (let i = 0; i < cands.length && mine + kept.length < s.max; i += REGEX_BATCH) {
          const batch = cands.slice(i, i + REGEX_BATCH);
          const hits = await s.regex.worker.match(s.regex.pattern, batch.map((l) => l.text));
          if (!s.current()) return null;
          for (const h of hits) kept.push(batch[h]);
        }
        cands = kept;
      }
      for (const l of cands) {
        if (mine >= s.max) break;
        found.push(l);
        mine++;
      }
      if (mine >= s.max) break;
      await yieldLoop();
      if (!s.current()) return null;
    }
  }
  found.sort((a, b) => a.t - b.t || a.src - b.src || a.seq - b.seq);
  return found.slice(-s.max);
}
