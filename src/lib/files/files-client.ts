/**
 * A participant's side of the host's files, without DOM: requests with their answers as promises
 * (matched by `req`), and the host's disk-change notices as an event. The page and the Node test
 * peers use it alike. A request fails with a FilesError whose message a person can read; a refused
 * save because of a conflict carries the disk's text, so nothing is lost.
 */
import { filesProtocol, type Entry, type Hit, type SearchStop, type FailCode, type FilesDown, type FilesMessage, type FilesUp, type Eol } from '../protocol/files.ts';
import { DisposableStore, Emitter } from '../mesh/events.ts';
import type { Mesh } from '../mesh/mesh.ts';

/** A request the host did not answer within this long fails, ms. */
export const REQUEST_TIMEOUT_MS = 30_000;

export class FilesError extends Error {
  readonly code: FailCode | 'no-host' | 'timeout';
  /** for a conflict: the file as it is on disk now */
  readonly disk: { text: string; version: string } | null;
  constructor(code: FilesError['code'], message: string, disk: FilesError['disk'] = null) {
    super(message);
    this.code = code;
    this.disk = disk;
  }
}

export interface Opened {
  path: string;
  version: string;
  size: number;
  eol: Eol;
}

type Answer = Exclude<FilesDown, { type: 'changed' }>;
type Body<T> = T extends unknown ? Omit<T, 'req'> : never;
interface Pending {
  resolve: (a: Answer) => void;
  reject: (e: FilesError) => void;
  timer: ReturnType<typeof setTimeout>;
}

export class FilesClient {
  /** paths (files or folders) that changed on the host's disk */
  readonly changed = new Emitter<string[]>();
  #mesh: Mesh;
  #next = 1;
  #pending = new Map<number, Pending>();
  #store = new DisposableStore();

  constructor(mesh: Mesh) {
    this.#mesh = mesh;
    this.#store.add(mesh.router.register(filesProtocol, (_p, m) => this.#receive(m)));
    this.#store.add(
      mesh.peerGone.on(({ peer }) => {
        if (peer.claims.role === 'host') this.#failAll(new FilesError('no-host', 'The host agent left before answering.'));
      })
    );
    this.#store.add(this.changed);
  }

  #receive(m: FilesMessage): void {
    switch (m.type) {
      case 'changed':
        return this.changed.fire(m.paths);
      case 'disk':
      case 'listing':
      case 'opened':
      case 'done':
      case 'failed':
      case 'found':
      case 'hits': {
        const p = this.#pending.get(m.req);
        if (!p) return;
        this.#pending.delete(m.req);
        clearTimeout(p.timer);
        if (m.type === 'failed') p.reject(new FilesError(m.code, m.message));
        else if (m.type === 'disk') p.reject(new FilesError('conflict', m.message, { text: m.text, version: m.version }));
        else p.resolve(m);
        return;
      }
      // requests for the host: the router never hands them to a participant
      case 'list':
      case 'open':
      case 'save':
      case 'create':
      case 'rename':
      case 'delete':
      case 'reload':
      case 'find':
      case 'search':
      case 'cancel':
        return;
    }
  }

  #request(msg: Body<FilesUp>, req = this.#next++): Promise<Answer> {
    const host = this.#mesh.host;
    if (!host) return Promise.reject(new FilesError('no-host', 'No host agent is connected: files are on the host.'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(req);
        reject(new FilesError('timeout', `The host did not answer within ${REQUEST_TIMEOUT_MS / 1000} s.`));
      }, REQUEST_TIMEOUT_MS);
      this.#pending.set(req, { resolve, reject, timer });
      host.send(filesProtocol, { ...msg, req } as FilesUp);
    });
  }

  async list(path: string): Promise<{ entries: Entry[]; truncated: boolean }> {
    const a = await this.#request({ type: 'list', path });
    return a.type === 'listing' ? { entries: a.entries, truncated: a.truncated } : { entries: [], truncated: false };
  }

  /** Asks the host to seed the file into the shared document (once); its text then arrives there. */
  async open(path: string): Promise<Opened> {
    const a = await this.#request({ type: 'open', path });
    if (a.type !== 'opened') throw new FilesError('io', 'unexpected answer to open');
    return { path: a.path, version: a.version, size: a.size, eol: a.eol };
  }

  /** Writes the shared text to disk; a conflict fails with the disk's text unless `force`. Resolves with the new version. */
  async save(path: string, force = false): Promise<string | null> {
    const a = await this.#request({ type: 'save', path, force });
    return a.type === 'done' ? a.version : null;
  }

  async create(path: string, dir = false): Promise<void> {
    await this.#request({ type: 'create', path, dir });
  }

  async rename(from: string, to: string): Promise<void> {
    await this.#request({ type: 'rename', from, to });
  }

  async delete(path: string): Promise<void> {
    await this.#request({ type: 'delete', path });
  }

  /** Replaces the shared text with the file's text on disk. */
  async reload(path: string): Promise<void> {
    await this.#request({ type: 'reload', path });
  }

  /** Quick open: the host's file paths that match `query` best (at most MAX_FOUND). */
  async find(query: string): Promise<{ paths: string[]; truncated: boolean }> {
    const a = await this.#request({ type: 'find', query });
    return a.type === 'found' ? { paths: a.paths, truncated: a.truncated } : { paths: [], truncated: false };
  }

  /** Literal text in the host's files; `cancel()` stops it (the result then has what was found so far). */
  search(query: string, caseSensitive = false): { result: Promise<{ hits: Hit[]; files: number; stopped: SearchStop }>; cancel: () => void } {
    const req = this.#next++;
    const result = this.#request({ type: 'search', query, caseSensitive }, req).then((a) => (a.type === 'hits' ? { hits: a.hits, files: a.files, stopped: a.stopped } : { hits: [], files: 0, stopped: null }));
    return { result, cancel: () => this.#mesh.host?.send(filesProtocol, { type: 'cancel', req }) };
  }

  #failAll(e: FilesError): void {
    for (const p of this.#pending.values()) {
      clearTimeout(p.timer);
      p.reject(e);
    }
    this.#pending.clear();
  }

  dispose(): void {
    this.#failAll(new FilesError('no-host', 'The session page closed.'));
    this.#store.dispose();
  }
}
