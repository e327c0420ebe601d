/**
 * The casts' writing thread: decoding, redaction, JSON and file writes of every terminal's cast
 * happen here, off the host's main thread, so recording takes nothing from the session's own
 * work (keystrokes, output to peers). The main thread posts what terminals print (recorder.ts);
 * one thread serves every recorder of the process (cast-thread.ts), each message naming its
 * recorder (`rec`). The thread runs at a lower priority (nice RECORD_NICE): on a busy machine it
 * writes in the session's gaps instead of taking CPU from it; the main thread bounds how far
 * behind it may get.
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { recordRedactor, type Redactor } from '../redact/record-rules.ts';
import { CastWriter, RECORD_NICE, type CastHeader } from './asciicast.ts';

/** What a batch holds, in order. */
export type CastItem =
  | { type: 'open'; id: number; path: string; header: CastHeader }
  | { type: 'o'; id: number; data: Uint8Array; at: number }
  | { type: 'r'; id: number; cols: number; rows: number }
  | { type: 'm'; id: number; label: string };

export type ToCastWorker =
  /** a recorder starts, with the host's `--redact` rules */
  | { type: 'recorder'; rec: number; rules: RegExp[] }
  /** what the main thread gathered since it last posted, in order; the output's bytes in `buffer` */
  | { type: 'batch'; rec: number; items: CastItem[]; buffer: ArrayBuffer }
  /** the terminals wait for this thread (its backlog is past the mark): full priority until false */
  | { type: 'urgent'; rec: number; on: boolean }
  | { type: 'close'; rec: number };

export type FromCastWorker =
  | { type: 'error'; rec: number; id: number; message: string; code?: string }
  | { type: 'closed'; rec: number }
  /** output bytes handled so far (redacted, handed to the file), and the batch's buffer back for
   * the next batch (nothing here holds on to it: a fresh one per batch was allocator churn) */
  | { type: 'done'; rec: number; bytes: number; buffer: ArrayBuffer };

const port = parentPort!;

interface Recorder {
  redact: Redactor;
  casts: Map<number, CastWriter>;
  handled: number;
}
const recorders = new Map<number, Recorder>();
const urgent = new Set<number>();

/** This thread's niceness (`/proc/thread-self` → "<pid>/task/<tid>"; setpriority(tid) changes this thread only). */
function nice(n: number): void {
  try {
    setPriority(Number(readlinkSync('/proc/thread-self').split('/').pop()), n);
  } catch {
    // not Linux, or not allowed (raising it back may need a capability): written as it is
  }
}
nice(RECORD_NICE);

port.on('message', (m: ToCastWorker) => {
  switch (m.type) {
    case 'recorder':
      recorders.set(m.rec, { redact: recordRedactor(m.rules), casts: new Map(), handled: 0 });
      return;
    case 'batch': {
      const r = recorders.get(m.rec);
      if (!r) return;
      for (const item of m.items) handle(m.rec, r, item);
      port.postMessage({ type: 'done', rec: m.rec, bytes: r.handled, buffer: m.buffer } satisfies FromCastWorker, [m.buffer]);
      return;
    }
    case 'urgent':
      // the session waits on this thread now: a low priority would be an inversion
      if (m.on) urgent.add(m.rec);
      else urgent.delete(m.rec);
      return nice(urgent.size ? 0 : RECORD_NICE);
    case 'close': {
      const r = recorders.get(m.rec);
      recorders.delete(m.rec);
      if (urgent.delete(m.rec) && !urgent.size) nice(RECORD_NICE);
      void Promise.all([...(r?.casts.values() ?? [])].map((c) => c.close())).then(() => port.postMessage({ type: 'closed', rec: m.rec } satisfies FromCastWorker));
    }
  }
});

function handle(rec: number, r: Recorder, m: CastItem): void {
  switch (m.type) {
    case 'open':
      try {
        r.casts.set(m.id, new CastWriter(m.path, m.header, (e) => fail(rec, m.id, e), r.redact));
      } catch (e) {
        // the record directory went bad (removed, replaced, read-only): this terminal goes unrecorded
        fail(rec, m.id, e as Error);
      }
      return;
    case 'o':
      r.handled += m.data.length;
      return r.casts.get(m.id)?.output(m.data, m.at);
    case 'r':
      return r.casts.get(m.id)?.resize(m.cols, m.rows);
    case 'm':
      return r.casts.get(m.id)?.marker(m.label);
  }
}

function fail(rec: number, id: number, e: Error): void {
  port.postMessage({ type: 'error', rec, id, message: e.message, code: (e as NodeJS.ErrnoException).code } satisfies FromCastWorker);
}
