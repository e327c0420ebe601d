/**
 * The session's shared documents, without DOM: the page, the host agent and the Node test peers use
 * them alike. One Y.Doc per session (`notes`; in-memory files in `memory`), kept in sync with every
 * peer over the mesh (editor.ts), plus awareness (who has what open, cursors); and one Y.Doc per
 * host file open here (`files`, file-docs.ts), synced only with the peers that have it open too.
 * Only the host seeds a file's text (`seed`), so two participants opening a file at once never
 * duplicate it; a reconnect runs the sync handshakes again, so peers converge after outages.
 *
 * Roles: the router already refused document changes from viewers; a viewer's own client never
 * sends any (its local document may change — it is never told to anyone).
 */
import * as Y from 'yjs';
import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate, removeAwarenessStates } from 'y-protocols/awareness';
import * as decoding from 'lib0/decoding';
import { DOC_WRITERS, editorProtocol, updateMessage, type EditorMessage } from '../protocol/editor.ts';
import { FileDocs, Remote } from './file-docs.ts';
import type { Role } from '../protocol/roles.ts';
import { ProtocolError } from '../protocol/validate.ts';
import { DisposableStore } from '../mesh/events.ts';
import type { Mesh, MeshPeer } from '../mesh/mesh.ts';
import { MemoryFiles } from './memory-files.ts';

/** An unchanged awareness state is sent again after this long (y-protocols renews it every 15 s;
 * the others drop a state not heard of for 30 s), ms. */
export const AWARENESS_RENEW_MS = 10_000;

/** What each participant tells the others through awareness. */
export interface AwareState {
  user: { name: string; color: string; id: string };
  /** the path of the file they have open, `notes`, or null */
  file: string | null;
  /** selections as Y relative positions (JSON), anchor and head each */
  sel: { anchor: unknown; head: unknown }[];
  /** the terminal tab they look at, and the one they are typing in (presence/activity.ts) */
  term?: number | null;
  typing?: number | null;
  /** their round trip to the host, ms (presence/activity.ts) */
  hostRtt?: number | null;
}

/** Client ids announced in an awareness update (y-protocols' layout: count, then id, clock, state). */
function awarenessClients(update: Uint8Array): number[] {
  const d = decoding.createDecoder(update);
  const ids: number[] = [];
  const n = decoding.readVarUint(d);
  for (let i = 0; i < n; i++) {
    ids.push(decoding.readVarUint(d));
    decoding.readVarUint(d);
    decoding.readVarString(d);
  }
  return ids;
}

export class EditorClient {
  readonly doc = new Y.Doc();
  readonly awareness = new Awareness(this.doc);
  /** the host's files open here (open/close them; their text arrives in `files.get(path)`) */
  readonly files: FileDocs;
  /** the notes document every session has */
  readonly notes = this.doc.getText('notes');
  /** files that live only in this document (any session, and all a browser-only session has) */
  readonly memory = new MemoryFiles(this.doc);
  #mesh: Mesh;
  #writer: boolean;
  /** awareness client id → the peer that first announced it: nobody can speak for someone else */
  #owners = new Map<number, string>();
  #store = new DisposableStore();
  /** the local state setPresence set last, and its JSON */
  #presence: { state: Partial<AwareState>; json: string } | null = null;

  constructor(mesh: Mesh, role: Role) {
    this.#mesh = mesh;
    this.#writer = DOC_WRITERS.includes(role);
    this.files = new FileDocs(mesh, this.#writer, role === 'host');
    this.#store.add(mesh.router.register(editorProtocol, (p, m) => this.#receive(p, m)));
    this.#store.add(mesh.peerJoined.on((p) => this.#greet(p)));
    this.#store.add(mesh.peerGone.on(({ peer }) => this.#forget(peer)));
    const onUpdate = (update: Uint8Array) => this.#mesh.broadcast(editorProtocol, updateMessage(update));
    // Only our own transactions are sent, so 'update' is listened to only around them (Yjs decides
    // just before it, at 'afterTransactionCleanup'): a change a peer sent is not encoded again here
    // for nothing (as file-docs.ts does), unless someone else listens to 'update'.
    const onCleanup = (tr: Y.Transaction) => (tr.origin instanceof Remote ? this.doc.off('update', onUpdate) : this.doc.on('update', onUpdate));
    if (this.#writer) this.doc.on('afterTransactionCleanup', onCleanup);
    // Our state goes out when it changed ('change'), and otherwise only as the periodic renewal
    // that keeps it alive at the others ('update' with nothing new): a page sets its selection on
    // every keystroke, and while someone types at one place it does not move (it is anchored to
    // the character after it), so this halves what typing sends.
    let sentAt = -Infinity;
    const share = (changed: boolean) => ({ added, updated, removed }: Record<string, number[]>, origin: unknown) => {
      if (origin instanceof Remote) return;
      if (!changed && performance.now() - sentAt < AWARENESS_RENEW_MS) return;
      const mine = [...added, ...updated, ...removed].filter((id) => id === this.doc.clientID);
      if (!mine.length) return;
      sentAt = performance.now();
      this.#mesh.broadcast(editorProtocol, { type: 'aware', data: encodeAwarenessUpdate(this.awareness, mine) });
    };
    const [onChange, onRenew] = [share(true), share(false)];
    // ('change' is emitted before 'update' for the same call)
    this.awareness.on('change', onChange);
    this.awareness.on('update', onRenew);
    this.#store.addFn(() => {
      this.doc.off('afterTransactionCleanup', onCleanup);
      this.doc.off('update', onUpdate);
      this.awareness.off('change', onChange);
      this.awareness.off('update', onRenew);
      this.files.dispose();
    });
  }

  #greet(peer: MeshPeer): void {
    peer.send(editorProtocol, { type: 'sync1', data: Y.encodeStateVector(this.doc) });
    if (this.awareness.getLocalState()) peer.send(editorProtocol, { type: 'aware', data: encodeAwarenessUpdate(this.awareness, [this.doc.clientID]) });
    this.files.greet(peer);
  }

  #forget(peer: MeshPeer): void {
    const gone = [...this.#owners].filter(([, id]) => id === peer.id).map(([c]) => c);
    for (const c of gone) this.#owners.delete(c);
    this.files.forget(peer);
    removeAwarenessStates(this.awareness, gone, new Remote(peer));
  }

  #receive(peer: MeshPeer, m: EditorMessage): void {
    try {
      switch (m.type) {
        case 'sync1':
          // a viewer's answer would be refused by everyone: it has nothing of its own to give
          if (this.#writer) peer.send(editorProtocol, { type: 'sync2', data: Y.encodeStateAsUpdate(this.doc, m.data) });
          return;
        case 'sync2':
        case 'update':
        case 'big':
          return Y.applyUpdate(this.doc, m.data, new Remote(peer));
        case 'aware':
          return this.#aware(peer, m.data);
        case 'file-sync1':
        case 'file-sync2':
        case 'file-update':
        case 'file-big':
        case 'file-close':
          return this.files.receive(peer, m);
      }
    } catch (e) {
      peer.strike(e instanceof ProtocolError ? e : new ProtocolError('bad-message', `malformed editor ${m.type}: ${(e as Error).message}`));
    }
  }

  #aware(peer: MeshPeer, data: Uint8Array): void {
    const ids = awarenessClients(data);
    for (const id of ids) {
      const owner = this.#owners.get(id);
      if (id === this.doc.clientID || (owner && owner !== peer.id)) throw new Error(`awareness for client ${id}, which is not this peer's`);
    }
    for (const id of ids) this.#owners.set(id, peer.id);
    applyAwarenessUpdate(this.awareness, data, new Remote(peer));
  }

  /** The host puts a file's text into its document, once: a map entry, so concurrent seeds never duplicate text (one wins). */
  seed(path: string, text: string): Promise<boolean> {
    return this.files.seed(path, text);
  }

  /** What this participant has open and where its cursors are, for everyone else. */
  setPresence(state: Partial<AwareState>): void {
    const prev = this.awareness.getLocalState() as Partial<AwareState> | null;
    // as plain JSON (it goes out as JSON anyway): Yjs's relative positions hold ID instances,
    // which awareness's deep equality never finds equal, so every call would count as a change
    const json = JSON.stringify({ ...prev, ...state });
    // A page sets its selection at every keystroke, and while someone types at one place it does
    // not change (anchored to the character after it): the same state is not set again (the
    // awareness renews it by itself), which spared a parse, a deep comparison and an event per key.
    if (prev !== null && prev === this.#presence?.state && json === this.#presence.json) return;
    const next = JSON.parse(json) as Partial<AwareState>;
    this.#presence = { state: next, json };
    this.awareness.setLocalState(next);
  }

  /** Other participants' awareness states, by Yjs client id. */
  others(): Map<number, AwareState> {
    const out = new Map<number, AwareState>();
    for (const [id, s] of this.awareness.getStates()) if (id !== this.doc.clientID && s.user) out.set(id, s as AwareState);
    return out;
  }

  dispose(): void {
    this.#store.dispose();
    this.awareness.destroy();
    this.doc.destroy();
  }
}

/** Replaces `text`'s content with `next` by one delete and one insert around the common prefix and suffix (cursors elsewhere stay). */
/** Whether an awareness 'change' touched anyone but `self` (our own selection changes at every
 * keystroke, and nothing drawn of the others depends on it). */
export function othersChanged({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }, self: number): boolean {
  return [added, updated, removed].some((ids) => ids.some((id) => id !== self));
}

export function replaceText(text: Y.Text, next: string): void {
  const cur = text.toString();
  if (cur === next) return;
  let start = 0;
  while (start < cur.length && start < next.length && cur[start] === next[start]) start++;
  let end = 0;
  while (end < cur.length - start && end < next.length - start && cur[cur.length - 1 - end] === next[next.length - 1 - end]) end++;
  text.doc!.transact(() => {
    if (cur.length - start - end > 0) text.delete(start, cur.length - start - end);
    if (next.length - start - end > 0) text.insert(start, next.slice(start, next.length - end));
  });
}
