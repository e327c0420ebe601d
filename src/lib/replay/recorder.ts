/**
 * Records what this browser sees of a session into IndexedDB, without being asked. It listens to
 * the router's tap (every accepted message of every capability) and to the mesh's presence
 * events, queues them in memory (a keystroke's path only pays for an array push), and every
 * FLUSH_MS hands the queue to a BatchSink (batch-writer.ts: keyframes, word index, one
 * transaction), which the page runs in a worker (worker-sink.ts), off the live session's main
 * thread. Kinds of messages that come by the thousand (log lines) are kept as one bounded sample
 * per batch (samples.ts) instead of each being copied and queued.
 *
 * Storage full: the transaction that hit the quota aborts as a whole, so earlier batches stay
 * intact; the recorder then stops, says why (`status`), and the live session goes on.
 */
import type { Typed } from '../protocol/capability.ts';
import { DisposableStore, Emitter, type Disposable } from '../mesh/events.ts';
import type { MeshPeer } from '../mesh/mesh.ts';
import type { Routed } from '../mesh/router.ts';
import type { ReplayDb } from './db.ts';
import { detach, RECORDING_VERSION, type Person, type RecEvent, type RecordingMeta, type Stored } from './events.ts';
import { MESSAGE_MARKERS } from './markers.ts';
import { MESSAGE_SAMPLES } from './samples.ts';
import type { XtermKit } from './term-model.ts';
import { BatchWriter, type BatchSink } from './batch-writer.ts';

/** How often queued events are written, ms. */
export const FLUSH_MS = 1000;
export { KEYFRAME_BYTES, KEYFRAME_MIN_MS, KEYFRAME_MS } from './batch-writer.ts';

/** Messages never recorded: the mesh's own (a hello carries a credential; presence is recorded
 * as join/leave/rename instead) and the owner's share links (invite secrets). */
const NOT_RECORDED = new Set(['mesh', 'session.links']);

export const FULL = 'Recording stopped: this browser’s storage is full. The session goes on; the recording keeps everything up to now.';

export interface RecorderSource {
  router: { tapped: { on(l: (r: Routed) => void): Disposable } };
  peerJoined: { on(l: (p: MeshPeer) => void): Disposable };
  peerGone: { on(l: (e: { peer: MeshPeer; reason: { kind: string } }) => void): Disposable };
  peerRenamed: { on(l: (p: MeshPeer) => void): Disposable };
}

export type RecorderState = 'recording' | 'full' | 'failed' | 'stopped';
export interface RecorderStatus {
  state: RecorderState;
  /** bytes stored in this recording */
  bytes: number;
  message?: string;
}

export interface RecorderOptions {
  db: ReplayDb;
  source: RecorderSource;
  session: string;
  self: Person;
  kit: XtermKit;
  /** ms clock (tests inject one) */
  now?: () => number;
  flushMs?: number;
  id?: string;
  /** where batches go (a worker's writer); a BatchWriter on `db` here when not given */
  sink?: (meta: RecordingMeta) => BatchSink;
}

const personOf = (p: MeshPeer): Person => ({ id: p.id, name: p.name, role: p.claims.role });

export class Recorder {
  readonly id: string;
  readonly status = new Emitter<RecorderStatus>();
  state: RecorderState = 'recording';
  #o: RecorderOptions;
  #now: () => number;
  #t0: number;
  #queue: Stored[] = [];
  #seq = 0;
  #bytes = 0;
  #sink: BatchSink;
  /** what MESSAGE_MARKERS remember */
  #seen = new Set<string>();
  #chain: Promise<void> = Promise.resolve();
  /** each peer's name as last recorded */
  #names = new Map<string, string>();
  #timer: ReturnType<typeof setInterval>;
  /** this batch's kept message of each sampled kind (samples.ts) */
  #sampled = new Map<string, Typed>();
  #store = new DisposableStore();

  constructor(o: RecorderOptions) {
    this.#o = o;
    this.#now = o.now ?? (() => Date.now());
    this.#t0 = this.#now();
    this.id = o.id ?? `${o.session}-${this.#t0.toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
    const meta: RecordingMeta = { id: this.id, v: RECORDING_VERSION, session: o.session, started: this.#t0, length: 0, events: 0, bytes: 0, participants: [o.self.name], words: true };
    this.#sink = o.sink ? o.sink(meta) : new BatchWriter(o.db, meta, o.kit);
    const src = o.source;
    this.#store.add(src.router.tapped.on((r) => this.#tapped(r)));
    this.#store.add(
      src.peerJoined.on((p) => {
        this.#names.set(p.id, p.name);
        this.record({ k: 'join', who: personOf(p) });
      })
    );
    this.#store.add(src.peerGone.on(({ peer, reason }) => this.record({ k: 'leave', id: peer.id, reason: reason.kind })));
    this.#store.add(
      src.peerRenamed.on((p) => {
        // a peer tells its name again on every join (presence-client.ts): only a change is a rename
        if (this.#names.get(p.id) === p.name) return;
        this.#names.set(p.id, p.name);
        this.record({ k: 'rename', id: p.id, name: p.name });
      })
    );
    this.record({ k: 'self', who: o.self });
    this.#timer = setInterval(() => void this.flush(), o.flushMs ?? FLUSH_MS);
    this.#store.addFn(() => clearInterval(this.#timer));
  }

  #tapped(r: Routed): void {
    const kind = `${r.capability}.${r.msg.type}`;
    if (NOT_RECORDED.has(r.capability) || NOT_RECORDED.has(kind)) return;
    const sample = MESSAGE_SAMPLES[kind];
    if (sample) this.#sample(kind, sample(r.msg, this.#sampled.get(kind)), r);
    else this.record({ k: 'msg', cap: r.capability, from: r.peer.id, msg: detach(r.msg) as Typed });
    const notes = MESSAGE_MARKERS[r.capability];
    if (notes) for (const m of notes(r.msg, this.#seen)) this.record({ k: 'marker', ...m });
  }

  /** `kept`: merged into this batch's kept message (true), or a new one to keep and record. */
  #sample(kind: string, kept: Typed | boolean, r: Routed): void {
    if (kept === true || this.state !== 'recording') return;
    const msg = detach(kept === false ? MESSAGE_SAMPLES[kind](r.msg) : kept) as Typed;
    this.#sampled.set(kind, msg);
    this.record({ k: 'msg', cap: r.capability, from: r.peer.id, msg });
  }

  /** Queues one event (this browser's own rename, a capability's marker, …). Cheap: no I/O. */
  record(e: RecEvent): void {
    if (this.state !== 'recording') return;
    this.#queue.push({ ...e, rec: this.id, seq: ++this.#seq, t: this.#now() - this.#t0 } as Stored);
  }

  /** Writes what is queued in one transaction; batches never overlap. Never rejects: whatever
   * goes wrong stops the recording (and says so), never the session. */
  flush(): Promise<void> {
    this.#chain = this.#chain.then(() => this.#flush()).catch((e: Error) => this.stop('failed', `Recording stopped: ${e.message}`));
    return this.#chain;
  }

  async #flush(): Promise<void> {
    this.#sampled.clear();
    if (this.state !== 'recording' || this.#queue.length === 0) return;
    const r = await this.#sink.write(this.#queue.splice(0));
    if (!r.ok) return this.stop(r.full ? 'full' : 'failed', r.full ? FULL : `Recording stopped: ${r.message}`);
    this.#bytes = r.bytes;
    this.status.fire({ state: this.state, bytes: r.bytes });
  }

  /** Stops recording for good (storage full or failing), keeping what was written. */
  stop(state: RecorderState, message: string): void {
    if (this.state !== 'recording') return;
    this.state = state;
    this.#queue.length = 0;
    this.status.fire({ state, bytes: this.#bytes, message });
    // say so in the recording too
    void this.#sink.stopped(message);
  }

  /** Writes what is left and stops. */
  async dispose(): Promise<void> {
    this.#store.dispose();
    await this.flush();
    if (this.state === 'recording') this.state = 'stopped';
    await this.#sink.dispose();
    this.status.dispose();
  }
}
