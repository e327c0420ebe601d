/**
 * What the host's main thread (pipeline-client.ts) and the log pipeline's thread
 * (pipeline-thread.ts) say to each other: raw lines go in batches (one message per turn of the
 * main loop, not one per line) and every batch is acknowledged with its matches, so the main
 * side always knows how many lines are in flight. Requests carry a number their reply repeats.
 */
import type { LogFilter, LogLine } from '../../src/lib/protocol/logs.ts';
import type { RawBatch } from './pipeline.ts';

export type ToPipeline =
  | { type: 'source'; src: number; historyBytes: number; seq: number }
  | { type: 'filter'; gen: number; filter: LogFilter }
  /** `n` = the lines in all batches, `chars` their characters; `live` = someone is connected (else nothing is matched) */
  | { type: 'lines'; batches: RawBatch[]; n: number; chars: number; live: boolean }
  | { type: 'search'; req: number; gen: number; max: number }
  | { type: 'context'; req: number; src: number; seq: number; before: number; after: number };

export type FromPipeline =
  /** loaded and listening (start-up does not count against anything) */
  | { type: 'ready' }
  /** a `lines` message done: `n` lines (`chars` characters) out of flight, the filter of `gen` matched `lines`
   * (as columns: a list of strings and one moved buffer cross threads for a fraction of what a
   * list of objects costs to clone) */
  | { type: 'ingested'; n: number; chars: number; gen: number; lines: LineColumns; slow?: string }
  /** a request's answer: null = no longer kept (context) or superseded (search) */
  | { type: 'found'; req: number; lines: LogLine[] | null; slow?: string };

/** What the thread is started with (workerData). */
export interface PipelineData {
  regexBudgetMs: number;
  /** added to the thread's nice value (Linux): the terminal and the mesh win on a busy box */
  nice: number;
}

/** Lines as columns: their texts, and src, seq, t, lv of each in `numbers` (4 a line). */
export interface LineColumns {
  texts: string[];
  numbers: Float64Array;
}

export function toColumns(lines: readonly LogLine[]): LineColumns {
  const numbers = new Float64Array(4 * lines.length);
  lines.forEach((l, i) => {
    numbers[4 * i] = l.src;
    numbers[4 * i + 1] = l.seq;
    numbers[4 * i + 2] = l.t;
    numbers[4 * i + 3] = l.lv;
  });
  return { texts: lines.map((l) => l.text), numbers };
}

export function fromColumns({ texts, numbers: x }: LineColumns): LogLine[] {
  return texts.map((text, i) => ({ src: x[4 * i], seq: x[4 * i + 1], t: x[4 * i + 2], lv: x[4 * i + 3], text }));
}
