/**
 * The host's files that are open here, one Y.Doc each, synchronised only with the peers that have
 * the same file open (protocol/editor.ts, `file-…` messages). A page that never opens a file never
 * receives it: a 5-MB file opened by someone else costs a page typing in a terminal nothing.
 *
 * A file's text is the map entry `text` of its document's map `file`, set once by the host when
 * it seeds the file: a map entry, so two seeds (a restarted host, a race) never duplicate the text
 * — one wins everywhere.
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
    doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin instanceof Remote || !this.#writer) return;
      const to = (p: MeshPeer) => this.#open.get(p)?.has(path) ?? false;
      if (update.length <= BIG_UPDATE_BYTES) return this.#mesh.broadcast(editorProtocol, { type: 'file-update', path, data: update }, to);
      void deflate(update).then((data) => this.#docs.get(path) === doc && this.#mesh.broadcast(editorProtocol, { type: 'file-big', path, data }, to));
    });
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

  /** The host puts a file's text into its document, once (false: it had a text already). */
  seed(path: string, text: string): boolean {
    const map = this.open(path).getMap<Y.Text>('file');
    if (map.has('text')) return false;
    map.doc!.transact(() => map.set('text', new Y.Text(text)), 'seed');
    return true;
  }

  /** A peer connected: it learns which files are open here (and answers with what it has). */
  greet(peer: MeshPeer): void {
    for (const [path, doc] of this.#docs) peer.send(editorProtocol, { type: 'file-sync1', path, data: Y.encodeStateVector(doc) });
  }

  forget(peer: MeshPeer): void {
    this.#open.delete(peer);
  }

  /** Throws on a malformed update or too many open files (the caller strikes the peer). */
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
        if (doc && this.#writer) void deflate(Y.encodeStateAsUpdate(doc, m.data)).then((data) => this.#open.get(peer)?.has(m.path) && peer.send(editorProtocol, { type: 'file-sync2', path: m.path, data }));
        return;
      }
      case 'file-update':
        // (a file closed here a moment ago: its late changes are not wanted)
        if (doc) Y.applyUpdate(doc, m.data, new Remote(peer));
        return;
      case 'file-sync2':
      case 'file-big':
        if (!doc) return;
        const to = doc;
        inflate(m.data)
          .then((update) => this.#docs.get(m.path) === to && Y.applyUpdate(to, update, new Remote(peer)))
          .catch((e: Error) => peer.strike(new ProtocolError('bad-message', `malformed editor ${m.type}: ${e.message}`)));
        return;
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
