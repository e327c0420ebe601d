/**
 * The mirror's thread: parses one terminal's output with @xterm/headless (MirrorCore) and answers
 * snapshot requests, so that parsing a burst never holds up the host's main thread, which reads
 * the PTY and sends to peers (parsing on the main thread kept the PTY's writer waiting: ~45 % idle
 * host, 3x the raw PTY time for 50 MB). Messages arrive in stream order; see mirror.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { MirrorCore } from './mirror-core.ts';

export interface MirrorWorkerData {
  cols: number;
  rows: number;
  scrollback: number;
}

export type ToMirror =
  | { t: 'write'; seq: number; data: Uint8Array }
  | { t: 'resize'; cols: number; rows: number }
  | { t: 'snapshot'; id: number; screenOnly: boolean };

export type FromMirror =
  /** everything up to `seq` is parsed; `bytes`: output bytes parsed so far in all */
  | { t: 'parsed'; seq: number; bytes: number }
  | { t: 'reply'; data: string }
  | { t: 'title'; title: string }
  | { t: 'snapshot'; id: number; seq: number; cols: number; rows: number; data: string }
  | { t: 'failed'; id: number; message: string };

const port = parentPort!;
const { cols, rows, scrollback } = workerData as MirrorWorkerData;
const core = new MirrorCore(cols, rows, scrollback);
const post = (m: FromMirror) => port.postMessage(m);

let parsedBytes = 0;
let acked = { seq: 0, bytes: 0 };
let ackQueued = false;
/** One 'parsed' per parsing slice (xterm parses ~12 ms at a time), not one per chunk. */
function ack(): void {
  ackQueued = false;
  if (core.parsedSeq === acked.seq && parsedBytes === acked.bytes) return;
  acked = { seq: core.parsedSeq, bytes: parsedBytes };
  post({ t: 'parsed', ...acked });
}

core.onReply((data) => post({ t: 'reply', data }));
core.onTitle((title) => post({ t: 'title', title }));

port.on('message', (m: ToMirror) => {
  switch (m.t) {
    case 'write': {
      const n = m.data.length;
      core.write(m.seq, m.data);
      // counted when parsed: MirrorCore fires onParsed per chunk, in order
      lengths.push(n);
      return;
    }
    case 'resize':
      lengths.push(0);
      return core.resize(m.cols, m.rows);
    case 'snapshot':
      return void core.snapshot({ screenOnly: m.screenOnly }).then(
        (s) => {
          // the host learns what is parsed before the snapshot that covers it
          ack();
          post({ t: 'snapshot', id: m.id, ...s });
        },
        (e: Error) => post({ t: 'failed', id: m.id, message: e.message })
      );
  }
});

/** bytes of each queued write (0 for a resize), oldest first */
const lengths: number[] = [];
let head = 0;
core.onParsed(() => {
  parsedBytes += lengths[head++] ?? 0;
  if (head > 1024) {
    lengths.splice(0, head);
    head = 0;
  }
  if (!ackQueued) {
    ackQueued = true;
    queueMicrotask(ack);
  }
});
