/**
 * Records what this browser sees of a session into IndexedDB, without being asked. It listens to
 * the router's tap (every accepted message of every capability) and to the mesh's presence
 * events, queues them in memory (a keystroke's path only pays for an array push), and writes
 * them every FLUSH_MS in one transaction, together with the recording's meta and, when due, a
 * keyframe. Terminal keyframes come from headless terminals fed at flush time, off the live path.
 *
 * Storage full: the transaction that hit the quota aborts as a whole, so earlier batches stay
 * intact; the recorder then stops, says why (`status`), and the live session goes on.
 */
import type { Typed } from '../protocol/capability.ts';
import { DisposableStore, Emitter, type Disposable } from '../mesh/events.ts';
import type { MeshPeer } from '../mesh/mesh.ts';
import type { Routed } from '../mesh/router.ts';
import { isQuotaError, type ReplayDb } from './db.ts';
import { detach, RECORDING_VERSION, sizeOf, type Keyframe, type Person, type RecEvent, type RecordingMeta, type Screen, type Stored } from './events.ts';
import { isMark, MESSAGE_MARKERS } from './markers.ts';
import { ReplayModel } from './replay-state.ts';
import { TermModel, type XtermKit } from './term-model.ts';
import { WordIndexer } from './search-index.ts';

/** How often queued events are written, ms. */
export const FLUSH_MS = 1000;
/** A keyframe after this much terminal output since the last one, bytes (bounds a seek's work). */
export const KEYFRAME_BYTES = 128 * 1024;
/** …or after this long with any change, ms. */
export const KEYFRAME_MS = 10_000;
/** …but not more often than this, ms of recording time: a keyframe costs a serialize (a few ms),
 * and a terminal pouring out tens of MB/s would otherwise take hundreds a second. */
export const KEYFRAME_MIN_MS = 250;

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
  #meta: RecordingMeta;
  #model: ReplayModel;
  #terms = new Map<number, TermModel>();
  #words: WordIndexer;
  /** what MESSAGE_MARKERS remember */
  #seen = new Set<string>();
  #sinceKf = { bytes: 0, t: 0, changed: false };
  #chain: Promise<void> = Promise.resolve();
  /** each peer's name as last recorded */
  #names = new Map<string, string>();
  #timer: ReturnType<typeof setInterval>;
  #store = new DisposableStore();

  constructor(o: RecorderOptions) {
    this.#o = o;
    this.#now = o.now ?? (() => Date.now());
    this.#t0 = this.#now();
    this.id = o.id ?? `${o.session}-${this.#t0.toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
    this.#meta = { id: this.id, v: RECORDING_VERSION, session: o.session, started: this.#t0, length: 0, events: 0, bytes: 0, participants: [o.self.name], words: true };
    this.#model = new ReplayModel((id) => this.#term(id));
    this.#words = new WordIndexer(this.id);
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
    if (NOT_RECORDED.has(r.capability) || NOT_RECORDED.has(`${r.capability}.${r.msg.type}`)) return;
    this.record({ k: 'msg', cap: r.capability, from: r.peer.id, msg: detach(r.msg) as Typed });
    const notes = MESSAGE_MARKERS[r.capability];
    if (notes) for (const m of notes(r.msg, this.#seen)) this.record({ k: 'marker', ...m });
  }

  #term(id: number): TermModel {
    let m = this.#terms.get(id);
    if (!m) this.#terms.set(id, (m = new TermModel(this.#o.kit, this.#model.sizes.get(id)?.cols, this.#model.sizes.get(id)?.rows)));
    return m;
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
    if (this.state !== 'recording' || this.#queue.length === 0) return;
    const batch = this.#queue.splice(0);
    let bytes = 0;
    const meta = this.#meta;
    const kfs: Keyframe[] = [];
    for (const e of batch) {
      bytes += sizeOf(e);
      this.#model.apply(e);
      this.#words.add(e);
      if (e.k === 'join' && !meta.participants.includes(e.who.name)) meta.participants = [...meta.participants, e.who.name];
      if (e.k === 'rename' && !meta.participants.includes(e.name)) meta.participants = [...meta.participants, e.name];
      this.#sinceKf.changed = true;
      if (e.k !== 'msg' || e.cap !== 'terminal') continue;
      const data = (e.msg as { data?: Uint8Array | string }).data;
      this.#sinceKf.bytes += data?.length ?? 0;
      // by bytes, inside the batch: a seek then never parses more than about KEYFRAME_BYTES,
      // however fast the output came
      if (this.#sinceKf.bytes >= KEYFRAME_BYTES && e.t - this.#sinceKf.t >= KEYFRAME_MIN_MS) kfs.push(await this.#keyframe(e));
    }
    const last = batch[batch.length - 1];
    if (this.#sinceKf.changed && last.t - this.#sinceKf.t >= KEYFRAME_MS) kfs.push(await this.#keyframe(last));
    for (const kf of kfs) bytes += sizeOf(kf.screens);
    const pages = this.#words.take();
    const next: RecordingMeta = { ...meta, length: last.t, events: last.seq, bytes: meta.bytes + bytes };
    const db = this.#o.db;
    try {
      await db.transaction('rw', [db.events, db.marks, db.keyframes, db.words, db.recordings], async () => {
        await db.events.bulkAdd(batch);
        if (pages.length) await db.words.bulkAdd(pages);
        const marks = batch.filter(isMark);
        if (marks.length) await db.marks.bulkAdd(marks);
        if (kfs.length) await db.keyframes.bulkAdd(kfs);
        await db.recordings.put(next);
      });
    } catch (e) {
      return isQuotaError(e) ? this.stop('full', FULL) : this.stop('failed', `Recording stopped: ${(e as Error).message}`);
    }
    this.#meta = next;
    this.status.fire({ state: this.state, bytes: next.bytes });
  }

  /** The state after event `at`; restarts the count towards the next keyframe. */
  async #keyframe(at: Stored): Promise<Keyframe> {
    const screens: Screen[] = [];
    for (const [id, m] of this.#terms) {
      await m.settled();
      screens.push({ id, cols: m.cols, rows: m.rows, data: m.serialize() });
    }
    this.#sinceKf = { bytes: 0, t: at.t, changed: false };
    return { rec: this.id, seq: at.seq, t: at.t, ...this.#model.state(screens) };
  }

  /** Stops recording for good (storage full or failing), keeping what was written. */
  stop(state: RecorderState, message: string): void {
    if (this.state !== 'recording') return;
    this.state = state;
    this.#queue.length = 0;
    this.status.fire({ state, bytes: this.#meta.bytes, message });
    // Say so in the recording too, when there is room for these few bytes.
    void this.#o.db.recordings.update(this.id, { stopped: message }).catch(() => undefined);
  }

  /** Writes what is left and stops. */
  async dispose(): Promise<void> {
    this.#store.dispose();
    await this.flush();
    if (this.state === 'recording') this.state = 'stopped';
    for (const m of this.#terms.values()) m.dispose();
    this.status.dispose();
  }
}
