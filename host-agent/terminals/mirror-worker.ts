/**
 * The mirrors' thread: parses every terminal's output with @xterm/headless (one MirrorCore per
 * terminal) and answers snapshot requests, so that parsing a burst never holds up the host's main
 * thread, which reads the PTYs and sends to peers (parsing on the main thread kept the PTY's writer
 * waiting: ~45 % idle host, 3x the raw PTY time for 50 MB). One thread for all terminals (a thread
 * costs ~25 MB); xterm parses in slices, so terminals take turns. Messages arrive in stream order;
 * see mirror.ts.
 */
import { parentPort } from 'node:worker_threads';
import { MirrorCore } from './mirror-core.ts';

export type ToMirror =
  | { t: 'open'; mirror: number; cols: number; rows: number; scrollback: number }
  | { t: 'close'; mirror: number }
  /** consecutive output chunks: `seqs[i]` is `lens[i]` bytes of `data`, in order */
  | { t: 'write'; mirror: number; seqs: number[]; lens: number[]; data: Uint8Array }
  | { t: 'resize'; mirror: number; cols: number; rows: number }
  | { t: 'snapshot'; mirror: number; id: number; screenOnly: boolean };

export type FromMirror =
  /** everything up to `seq` is parsed; `bytes`: output bytes parsed so far in all */
  | { t: 'parsed'; mirror: number; seq: number; bytes: number }
  | { t: 'reply'; mirror: number; data: string }
  | { t: 'title'; mirror: number; title: string }
  | { t: 'snapshot'; mirror: number; id: number; seq: number; cols: number; rows: number; data: string }
  | { t: 'failed'; mirror: number; id: number; message: string };

const port = parentPort!;
const post = (m: FromMirror) => port.postMessage(m);

/** One terminal's mirror and what the host was told of its progress. */
class Slot {
  readonly mirror: number;
  core: MirrorCore;
  #acked = { seq: 0, bytes: 0 };
  #ackQueued = false;

  constructor(mirror: number, cols: number, rows: number, scrollback: number) {
    this.mirror = mirror;
    this.core = new MirrorCore(cols, rows, scrollback);
    this.core.onReply((data) => post({ t: 'reply', mirror, data }));
    this.core.onTitle((title) => post({ t: 'title', mirror, title }));
    this.core.onParsed(() => {
      if (this.#ackQueued) return;
      this.#ackQueued = true;
      queueMicrotask(() => this.ack());
    });
  }

  /** One 'parsed' per parsing slice (xterm parses ~12 ms at a time), not one per chunk. */
  ack(): void {
    this.#ackQueued = false;
    if (this.core.parsedSeq === this.#acked.seq && this.core.parsedBytes === this.#acked.bytes) return;
    this.#acked = { seq: this.core.parsedSeq, bytes: this.core.parsedBytes };
    post({ t: 'parsed', mirror: this.mirror, ...this.#acked });
  }
}

const slots = new Map<number, Slot>();

port.on('message', (m: ToMirror) => {
  if (m.t === 'open') return void slots.set(m.mirror, new Slot(m.mirror, m.cols, m.rows, m.scrollback));
  const slot = slots.get(m.mirror);
  if (!slot) return;
  switch (m.t) {
    case 'close':
      slots.delete(m.mirror);
      return slot.core.dispose();
    case 'write': {
      let at = 0;
      for (let i = 0; i < m.seqs.length; i++) {
        slot.core.write(m.seqs[i], m.data.subarray(at, at + m.lens[i]));
        at += m.lens[i];
      }
      return;
    }
    case 'resize':
      return slot.core.resize(m.cols, m.rows);
    case 'snapshot':
      return void slot.core.snapshot({ screenOnly: m.screenOnly }).then(
        (s) => {
          // the host learns what is parsed before the snapshot that covers it
          slot.ack();
          post({ t: 'snapshot', mirror: m.mirror, id: m.id, ...s });
        },
        (e: Error) => post({ t: 'failed', mirror: m.mirror, id: m.id, message: e.message })
      );
  }
});
