/**
 * The host's files that are open here, one Y.Doc each, synchronised only with the peers that have
 * the same file open (protocol/editor.ts, `file-…` messages). A page that never opens a file never
 * receives it: a 5-MB file opened by someone else costs a page typing in a terminal nothing.
 *
 * A file's text is the map entry `text` of its document's map `file`, set once by the host when
 * it seeds the file: a map entry, so two seeds (a restarted host, a race) never duplicate the text
 * — one wins everywhere. Beside it, `length`: the whole text's length, so that a page knows a large
 * file from its first slice (a page of a previous version ignores it).
 *
 * Who has what open is learnt from the peers themselves: a file-sync1 says "I have it open", a
 * file-close or the peer leaving ends it. Changes go only to those peers, never relayed (full mesh).
 * The bulk messages (file-sync2, file-big) carry their update deflated (deflate.ts); being
 * asynchronous, they may arrive after later small changes, which Yjs holds until they fit.
 */
import * as Y from 'yjs';
import { BIG_UPDATE_BYTES, DOC_WRITERS, editorProtocol, type FileDocMessage } from '../protocol/editor.ts';
import { ProtocolError } from '../protocol/validate.ts';
import { deflate, inflate } from './deflate.ts';
import { Emitter } from '../mesh/events.ts';
import type { Mesh, MeshPeer } from '../mesh/mesh.ts';

/** Files a peer may have open at once here (what it announces is kept until it closes them). */
export const MAX_OPEN_PER_PEER = 256;
/** A seed's slice, characters: one transaction (and one update to encode) of at most this much. */
export const SEED_SLICE_CHARS = 256 * 1024;

/** The end of the seed slice starting at `from`: never between the halves of a surrogate pair, nor
 * of a CRLF (an editor given a lone CR would make it a line break of its own). */
function sliceEnd(text: string, from: number): number {
  const end = Math.min(text.length, from + SEED_SLICE_CHARS);
  const c = text.charCodeAt(end - 1);
  return end < text.length && ((c >= 0xd800 && c <= 0xdbff) || c === 0x0d) ? end - 1 : end;
}

/**
 * Steps run in the order given: at once when none is waiting (a keystroke's update is not held
 * back), else after those that are (a slice being deflated or inflated). The host's slices must
 * reach a page's document in order: each is inserted before the one seeded just before it, so a
 * slice that overtakes that one waits in Yjs's pending structs, which Yjs encodes and merges again
 * at every later update (1.9 s of a page's main thread over three 5-MB opens in a profile, when
 * the thread pool deflated the slices out of order).
 */
class InOrder {
  #tail: Promise<void> = Promise.resolve();
  #waiting = 0;

  run(step: () => void | Promise<void>): void {
    if (this.#waiting === 0) {
      const r = step();
      if (r) this.#track(r);
    } else this.#track(this.#tail.then(step));
  }

  #track(p: Promise<void>): void {
    this.#waiting++;
    // (each step handles its own failure)
    this.#tail = p.catch(() => {}).finally(() => this.#waiting--);
  }
}

/** The origin of a change that came from a peer: never sent back out. */
export class Remote {
  readonly peer: MeshPeer;
  constructor(peer: MeshPeer) {
    this.peer = peer;
  }
}

export class FileDocs {
  /** a file's text arrived here, or its document was closed (the path) */
  readonly changed = new Emitter<string>();
  #mesh: Mesh;
  #writer: boolean;
  #adopt: boolean;
  #docs = new Map<string, Y.Doc>();
  /** each peer's open files, as it told us */
  #open = new Map<MeshPeer, Set<string>>();
  /** seeds under way here, by path */
  #seeding = new Map<string, Promise<void>>();
  /** per document, what goes out to peers and what comes in from them, each in order */
  #out = new WeakMap<Y.Doc, InOrder>();
  #in = new WeakMap<Y.Doc, InOrder>();

  /** `adopt` (the host): a file a writer has open is opened here too, so that a host that started
   * again gets back what the pages hold (a save then compares it with the disk, as after any
   * outage) */
  constructor(mesh: Mesh, writer: boolean, adopt = false) {
    this.#mesh = mesh;
    this.#writer = writer;
    this.#adopt = adopt;
  }

  /** The file's shared text, once it arrived (seeded by the host, or synced from a peer). */
  get(path: string): Y.Text | undefined {
    return this.#docs.get(path)?.getMap<Y.Text>('file').get('text');
  }

  /** The length of the text the host seeded, characters (0: not told — a host before this entry):
   * known with the first slice, so a page sets up its editor for a large text before the rest arrives. */
  seededLength(path: string): number {
    const n = this.#docs.get(path)?.getMap<unknown>('file').get('length');
    return typeof n === 'number' && Number.isSafeInteger(n) && n > 0 ? n : 0;
  }

  /** Paths open here. */
  paths(): string[] {
    return [...this.#docs.keys()];
  }

  /** Opens the file's document here (once) and asks every peer for what it has of it. */
  open(path: string): Y.Doc {
    const had = this.#docs.get(path);
    if (had) return had;
    const doc = new Y.Doc();
    this.#docs.set(path, doc);
    const out = new InOrder();
    this.#out.set(doc, out);
    this.#in.set(doc, new InOrder());
    const send = (update: Uint8Array, origin: unknown) => {
      if (origin instanceof Remote) return;
      const to = (p: MeshPeer) => this.#open.get(p)?.has(path) ?? false;
      if (update.length <= BIG_UPDATE_BYTES) return out.run(() => this.#mesh.broadcast(editorProtocol, { type: 'file-update', path, data: update }, to));
      out.run(() => deflate(update).then((data) => void (this.#docs.get(path) === doc && this.#mesh.broadcast(editorProtocol, { type: 'file-big', path, data }, to))));
    };
    // Yjs encodes a transaction's update only if someone listens to 'update' (just after
    // 'afterTransactionCleanup'): listening for our own transactions only spares re-encoding each
    // change a peer sent (a page opening a 5-MB file encoded all of it again, for nothing).
    if (this.#writer) doc.on('afterTransactionCleanup', (tr: Y.Transaction) => (tr.origin instanceof Remote ? doc.off('update', send) : doc.on('update', send)));
    doc.getMap('file').observe(() => this.changed.fire(path));
    this.#mesh.broadcast(editorProtocol, { type: 'file-sync1', path, data: Y.encodeStateVector(doc) });
    return doc;
  }

  /** Closes the file here: its document is dropped and peers stop sending its changes. */
  close(path: string): void {
    const doc = this.#docs.get(path);
    if (!doc) return;
    this.#docs.delete(path);
    this.#mesh.broadcast(editorProtocol, { type: 'file-close', path });
    doc.destroy();
    this.changed.fire(path);
  }

  /**
   * The host puts a file's text into its document, once (false: it had a text already). The first
   * slice sets the map entry (concurrent seeds never duplicate: one entry wins everywhere), so the
   * file's start is on screen at once; the rest goes into that same Y.Text a slice per task, so
   * that encoding a 5-MB file's update never holds the host's event loop (terminal echo) for long.
   * Resolves once all of it is in.
   */
  async seed(path: string, text: string): Promise<boolean> {
    const doc = this.open(path);
    const map = doc.getMap<Y.Text | number>('file');
    if (map.has('text')) {
      await this.#seeding.get(path);
      return false;
    }
    const seeding = (async () => {
      const ends = [sliceEnd(text, 0)];
      while (ends[ends.length - 1] < text.length) ends.push(sliceEnd(text, ends[ends.length - 1]));
      // (the rest goes into this Y.Text, never into the map's entry: a seed that lost the race stays unseen)
      const mine = new Y.Text(text.slice(0, ends[0]));
      doc.transact(() => {
        map.set('text', mine);
        map.set('length', text.length);
      }, 'seed');
      // The rest from the last slice back, each inserted right after the first slice: slices
      // appended in order would merge into one item, which every later update then encodes by
      // copying all of it again (quadratic: seconds for 5 MB).
      const after = Y.createRelativePositionFromTypeIndex(mine, ends[0], -1);
      for (let i = ends.length - 1; i > 0; i--) {
        await new Promise((r) => setTimeout(r, 0));
        if (this.#docs.get(path) !== doc) return;
        const at = Y.createAbsolutePositionFromRelativePosition(after, doc)?.index ?? mine.length;
        doc.transact(() => mine.insert(at, text.slice(ends[i - 1], ends[i])), 'seed');
      }
    })();
    this.#seeding.set(path, seeding);
    try {
      await seeding;
    } finally {
      if (this.#seeding.get(path) === seeding) this.#seeding.delete(path);
    }
    return true;
  }

  /** Resolves once the file's seed (if one is under way here) is all in its text. */
  async seeded(path: string): Promise<void> {
    await this.#seeding.get(path);
  }

  /** A peer connected: it learns which files are open here (and answers with what it has). */
  greet(peer: MeshPeer): void {
    for (const [path, doc] of this.#docs) peer.send(editorProtocol, { type: 'file-sync1', path, data: Y.encodeStateVector(doc) });
  }

  forget(peer: MeshPeer): void {
    this.#open.delete(peer);
  }

  /** Throws on too many open files (the caller strikes the peer); strikes it for a malformed update. */
  receive(peer: MeshPeer, m: FileDocMessage): void {
    let doc = this.#docs.get(m.path);
    switch (m.type) {
      case 'file-sync1': {
        const open = this.#open.get(peer) ?? new Set<string>();
        if (!open.has(m.path) && open.size >= MAX_OPEN_PER_PEER) throw new ProtocolError('too-many', `more than ${MAX_OPEN_PER_PEER} files open at once`);
        this.#open.set(peer, open.add(m.path));
        // (opening sends our file-sync1: the peer answers with what it has)
        if (!doc && this.#adopt && DOC_WRITERS.includes(peer.role)) doc = this.open(m.path);
        // a viewer's answer would be refused by everyone: it has nothing of its own to give
        if (doc && this.#writer) {
          const update = Y.encodeStateAsUpdate(doc, m.data);
          this.#out.get(doc)!.run(() => deflate(update).then((data) => void (this.#open.get(peer)?.has(m.path) && peer.send(editorProtocol, { type: 'file-sync2', path: m.path, data }))));
        }
        return;
      }
      case 'file-update':
      case 'file-sync2':
      case 'file-big': {
        // (a file closed here a moment ago: its late changes are not wanted)
        if (!doc) return;
        const to = doc;
        const bad = (e: Error) => peer.strike(new ProtocolError('bad-message', `malformed editor ${m.type}: ${e.message}`));
        const apply = (update: Uint8Array) => {
          if (this.#docs.get(m.path) !== to) return;
          try {
            Y.applyUpdate(to, update, new Remote(peer));
          } catch (e) {
            bad(e as Error);
          }
        };
        this.#in.get(to)!.run(() => (m.type === 'file-update' ? apply(m.data) : inflate(m.data).then(apply, bad)));
        return;
      }
      case 'file-close':
        this.#open.get(peer)?.delete(m.path);
        return;
    }
  }

  dispose(): void {
    for (const doc of this.#docs.values()) doc.destroy();
    this.#docs.clear();
    this.#open.clear();
    this.changed.dispose();
  }
}
