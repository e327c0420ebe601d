/**
 * The casts' writing thread: decoding, redaction, JSON and file writes of every terminal's cast
 * happen here, off the host's main thread, so recording takes nothing from the session's own
 * work (keystrokes, output to peers). The main thread posts what terminals print (recorder.ts).
 * The thread runs at a lower priority (nice RECORD_NICE): on a busy machine it writes in the
 * session's gaps instead of taking CPU from it; the main thread bounds how far behind it may get.
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { recordRedactor } from '../redact/record-rules.ts';
import { CastWriter, RECORD_NICE, type CastHeader } from './asciicast.ts';

export type ToCastWorker =
  | { type: 'open'; id: number; path: string; header: CastHeader }
  | { type: 'o'; id: number; data: Uint8Array; at: number }
  | { type: 'r'; id: number; cols: number; rows: number }
  | { type: 'm'; id: number; label: string }
  | { type: 'close' }
  /** the terminals wait for this thread (its backlog is past the mark): full priority until false */
  | { type: 'urgent'; on: boolean }
  /** what the main thread gathered since it last posted, in order */
  | { type: 'batch'; items: ToCastWorker[] };

export type FromCastWorker =
  | { type: 'error'; id: number; message: string; code?: string }
  | { type: 'closed' }
  /** output bytes handled so far (decoded, redacted, handed to the file) */
  | { type: 'done'; bytes: number };



export interface CastWorkerData {
  rules: RegExp[];
}

const port = parentPort!;
const redact = recordRedactor((workerData as CastWorkerData).rules);
const casts = new Map<number, CastWriter>();
const fail = (id: number, e: Error) => port.postMessage({ type: 'error', id, message: e.message, code: (e as NodeJS.ErrnoException).code } satisfies FromCastWorker);

/** This thread's niceness (`/proc/thread-self` → "<pid>/task/<tid>"; setpriority(tid) changes this thread only). */
function nice(n: number): void {
  try {
    setPriority(Number(readlinkSync('/proc/thread-self').split('/').pop()), n);
  } catch {
    // not Linux, or not allowed (raising it back may need a capability): written as it is
  }
}
nice(RECORD_NICE);

let handled = 0;
port.on('message', (m: ToCastWorker) => {
  handle(m);
  if (m.type === 'batch') port.postMessage({ type: 'done', bytes: handled } satisfies FromCastWorker);
});

function handle(m: ToCastWorker): void {
  switch (m.type) {
    case 'batch':
      for (const item of m.items) handle(item);
      return;
    case 'open':
      try {
        casts.set(m.id, new CastWriter(m.path, m.header, (e) => fail(m.id, e), redact));
      } catch (e) {
        // the record directory went bad (removed, replaced, read-only): this terminal goes unrecorded
        fail(m.id, e as Error);
      }
      return;
    case 'o':
      handled += m.data.length;
      return casts.get(m.id)?.output(m.data, m.at);
    case 'r':
      return casts.get(m.id)?.resize(m.cols, m.rows);
    case 'm':
      return casts.get(m.id)?.marker(m.label);
    case 'urgent':
      // the session waits on this thread now: a low priority would be an inversion
      return nice(m.on ? 0 : RECORD_NICE);
    case 'close':
      void Promise.all([...casts.values()].map((c) => c.close())).then(() => port.postMessage({ type: 'closed' } satisfies FromCastWorker));
  }
}
