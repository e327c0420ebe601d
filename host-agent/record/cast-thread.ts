/**
 * The process's one cast-writing thread (cast-worker.ts), shared by every recorder: a thread
 * costs 140–210 ms of CPU to start (its own V8 and modules), paid once per process instead of
 * once per recorder. It stays once the last recorder is gone (unref'd then: it keeps the process
 * alive only while a recorder is attached), so the next one starts at once; a thread that failed
 * is replaced by the next recorder.
 */
import { Worker } from 'node:worker_threads';
import type { FromCastWorker, ToCastWorker } from './cast-worker.ts';

export interface CastClient {
  message(m: FromCastWorker): void;
  /** the thread failed (`e`) or exited: nothing more comes back */
  gone(e?: Error): void;
}

let worker: Worker | null = null;
const clients = new Map<number, CastClient>();
let nextRec = 1;

function thread(): Worker {
  if (worker) return worker;
  const w = new Worker(new URL('./cast-worker.ts', import.meta.url));
  w.on('message', (m: FromCastWorker) => clients.get(m.rec)?.message(m));
  const lost = (e?: Error) => {
    if (worker !== w) return;
    worker = null;
    const all = [...clients.values()];
    clients.clear();
    for (const c of all) c.gone(e);
  };
  w.on('error', lost);
  w.on('exit', () => lost());
  return (worker = w);
}

/** A recorder's line to the thread: `post` what it gathered, `detach` once it has closed. */
export interface CastLine {
  readonly rec: number;
  post(m: ToCastWorker, transfer?: ArrayBuffer[]): void;
  detach(): void;
}

/** Attaches a recorder (`rules`: the host's --redact rules) to the thread. */
export function attachCastThread(client: CastClient, rules: RegExp[]): CastLine {
  const w = thread();
  const rec = nextRec++;
  clients.set(rec, client);
  // the process lives while a recorder may still be writing (its casts closed at dispose()), not
  // for the idle thread after
  w.ref();
  w.postMessage({ type: 'recorder', rec, rules } satisfies ToCastWorker);
  return {
    rec,
    post: (m, transfer) => {
      if (clients.has(rec)) w.postMessage(m, transfer);
    },
    detach: () => {
      clients.delete(rec);
      if (!clients.size) worker?.unref();
    }
  };
}
