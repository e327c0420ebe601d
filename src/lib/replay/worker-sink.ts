/**
 * Batches written by a worker: the page's recorder hands each batch over (its output bytes
 * transferred, not copied) and the worker does the heavy part — parsing every byte of output a
 * second time into headless terminals, serializing keyframes, the word index and the Dexie
 * transaction — so that the live session's main thread only queues events and posts them.
 *
 * The two ends talk over anything shaped like a MessagePort (the page's Worker, a MessageChannel
 * in tests): `serveBatches` on the worker's side, `PortSink` on the page's. One port serves one
 * recording; every request carries a number `n` and gets one `done` with it.
 */
import type { RecordingMeta, Stored } from './events.ts';
import type { BatchSink, WriteResult } from './batch-writer.ts';

export type ToWriter =
  | { type: 'open'; meta: RecordingMeta }
  | { type: 'write'; n: number; batch: Stored[] }
  | { type: 'stopped'; n: number; message: string }
  | { type: 'dispose'; n: number };

export type FromWriter = { type: 'done'; n: number; result: WriteResult | null };

/** What both ends need of a port (MessagePort, Worker, DedicatedWorkerGlobalScope). */
export interface PortLike {
  postMessage(m: unknown, transfer?: Transferable[]): void;
  addEventListener(type: 'message', l: (e: MessageEvent) => void): void;
  removeEventListener(type: 'message', l: (e: MessageEvent) => void): void;
}

/** The buffers a batch can give away: output bytes the recorder copied out of their frame
 * (detach), each alone in its buffer, so transferring one takes nothing from anyone else. */
export function transferables(batch: Stored[]): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  for (const e of batch) {
    if (e.k !== 'msg') continue;
    for (const v of Object.values(e.msg)) {
      if (v instanceof Uint8Array && v.buffer instanceof ArrayBuffer && v.byteOffset === 0 && v.byteLength === v.buffer.byteLength) out.add(v.buffer);
    }
  }
  return [...out];
}

/** The page's end: a BatchSink that posts to the worker's. */
export class PortSink implements BatchSink {
  #port: PortLike;
  #n = 0;
  #pending = new Map<number, (r: WriteResult | null) => void>();
  #onMessage = (e: MessageEvent) => {
    const m = e.data as FromWriter;
    if (m?.type !== 'done') return;
    this.#pending.get(m.n)?.(m.result);
    this.#pending.delete(m.n);
  };
  #end: () => void;
  /** why the other side is gone, once it is */
  #failed: string | null = null;

  /** `end` runs once the other side has disposed its writer (terminates the worker). */
  constructor(port: PortLike, meta: RecordingMeta, end: () => void = () => {}) {
    this.#port = port;
    this.#end = end;
    port.addEventListener('message', this.#onMessage);
    this.#post({ type: 'open', meta });
  }

  #post(m: ToWriter, transfer: Transferable[] = []): void {
    if (this.#failed) throw new Error(this.#failed);
    this.#port.postMessage(m, transfer);
  }

  #ask(m: ToWriter & { n: number }, transfer?: Transferable[]): Promise<WriteResult | null> {
    if (this.#failed) return Promise.resolve({ ok: false, full: false, message: this.#failed });
    return new Promise((resolve) => {
      this.#pending.set(m.n, resolve);
      this.#post(m, transfer);
    });
  }

  async write(batch: Stored[]): Promise<WriteResult> {
    const r = await this.#ask({ type: 'write', n: ++this.#n, batch }, transferables(batch));
    return r ?? { ok: false, full: false, message: 'the recording’s writer is gone' };
  }

  async stopped(message: string): Promise<void> {
    await this.#ask({ type: 'stopped', n: ++this.#n, message });
  }

  /** The worker failed (its error event): every write waiting, and every later one, fails. */
  fail(message: string): void {
    for (const resolve of this.#pending.values()) resolve({ ok: false, full: false, message });
    this.#pending.clear();
    this.#failed = message;
  }

  async dispose(): Promise<void> {
    await this.#ask({ type: 'dispose', n: ++this.#n });
    this.#port.removeEventListener('message', this.#onMessage);
    this.#end();
  }
}

/** The worker's end: opens a sink (`open(meta)`) on the first message and runs each request on
 * it in order, answering each. */
export function serveBatches(port: PortLike, open: (meta: RecordingMeta) => BatchSink): void {
  let sink: BatchSink | null = null;
  let chain: Promise<unknown> = Promise.resolve();
  port.addEventListener('message', (e: MessageEvent) => {
    const m = e.data as ToWriter;
    if (m.type === 'open') {
      sink = open(m.meta);
      return;
    }
    chain = chain.then(async () => {
      let result: WriteResult | null = null;
      try {
        if (!sink) throw new Error('no recording opened');
        if (m.type === 'write') result = await sink.write(m.batch);
        else if (m.type === 'stopped') await sink.stopped(m.message);
        else await sink.dispose();
      } catch (err) {
        result = { ok: false, full: false, message: (err as Error).message };
      }
      port.postMessage({ type: 'done', n: m.n, result } satisfies FromWriter);
    });
  });
}
