/**
 * The host's side of files (capability `files`): list, open, save, create, rename and delete below
 * the root it was given, nowhere else (paths.ts). Opening seeds the file's text into the file's
 * shared document (once, editor/file-docs.ts); saving writes what that document holds, atomically, unless the file
 * changed on disk since it was opened or last saved — then the saver gets the disk's text and a
 * conflict, and nothing is overwritten. Every change is audited with its author; changes on disk
 * are told to everyone (debounced), except the ones that match what the host itself wrote.
 *
 * Viewers' saves, creates, renames and deletes never get here: the router refuses them.
 */
import { mkdir, open, readdir, realpath, rename, rm, lstat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { filesProtocol, MAX_ENTRIES, type Entry, type FilesDown, type FilesUp } from '../../src/lib/protocol/files.ts';
import type { MeshPeer } from '../../src/lib/mesh/mesh.ts';
import { replaceText, type EditorClient } from '../../src/lib/editor/editor-client.ts';
import type { AuditLog } from '../audit.ts';
import type { HostCapability } from '../capability.ts';
import { clean, FileError, resolveInside } from './paths.ts';
import { decodeText, DEFAULT_MAX_FILE_BYTES, readBytes, readText, versionOf } from './read.ts';
import { DiskWatcher } from './watcher.ts';
import { rank, searchFiles, walkFiles } from './find.ts';
import { TEMP_PREFIX, writeAtomic } from './write.ts';

export interface FileBridgeOptions {
  root: string;
  editor: EditorClient;
  audit: AuditLog;
  log: (line: string) => void;
  maxFileBytes?: number;
}

/** How long quick open reuses a walk of the tree, ms. */
const WALK_REUSE_MS = 3_000;

const parent = (rel: string) => (rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : '');

export class FileBridge implements HostCapability<typeof filesProtocol> {
  readonly protocol = filesProtocol;
  #o: FileBridgeOptions;
  #max: number;
  #root: Promise<string>;
  #peers = new Set<MeshPeer>();
  /** per open file: the version on disk the shared text started from (seeded, saved or reloaded) */
  #base = new Map<string, string>();
  #watcher: Promise<DiskWatcher>;
  /** quick open's walk, reused for a few seconds (one per keystroke would be wasteful) */
  #walk: { at: number; result: Promise<{ paths: string[]; truncated: boolean }> } | null = null;
  /** each peer's running search (a new one, or a cancel, stops it) */
  #searches = new Map<MeshPeer, { req: number; stop: AbortController }>();

  constructor(o: FileBridgeOptions) {
    this.#o = o;
    this.#max = o.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
    this.#root = realpath(o.root);
    this.#watcher = this.#root.then((r) => new DiskWatcher(r, (paths) => void this.#diskChanged(paths)));
  }

  addPeer(peer: MeshPeer): void {
    this.#peers.add(peer);
  }

  removePeer(peer: MeshPeer): void {
    this.#peers.delete(peer);
    this.#searches.get(peer)?.stop.abort();
    this.#searches.delete(peer);
  }

  handle(peer: MeshPeer, m: FilesUp | FilesDown): void {
    if (!('req' in m) || m.type === 'listing' || m.type === 'opened' || m.type === 'done' || m.type === 'failed' || m.type === 'disk' || m.type === 'found' || m.type === 'hits') return;
    if (m.type === 'cancel') {
      const s = this.#searches.get(peer);
      if (s?.req === m.req) s.stop.abort();
      return;
    }
    this.#run(peer, m).then(
      (answer) => peer.send(filesProtocol, answer),
      (e: Error) => {
        const fe = e instanceof FileError ? e : new FileError('io', e.message);
        void this.#root.then((r) => peer.send(filesProtocol, { type: 'failed', req: m.req, code: fe.code, message: fe.message.replaceAll(r, '.') }));
      }
    );
  }

  /** The real path of `rel` (links inside the root followed). */
  async #real(rel: string): Promise<string> {
    return resolveInside(await this.#root, rel);
  }

  /** The real path of `rel`'s folder plus its own name: renaming or deleting a link acts on the link. */
  async #entry(rel: string): Promise<string> {
    const r = clean(rel);
    if (!r) throw new FileError('outside', 'The shared folder itself cannot be renamed or deleted.');
    return join(await this.#real(parent(r)), basename(r));
  }

  async #run(peer: MeshPeer, m: Exclude<FilesUp, { type: 'cancel' }>): Promise<FilesDown> {
    const who = peer.claims;
    const audit = (e: Omit<Extract<Parameters<AuditLog['record']>[1], { kind: 'file' }>, 'kind'>) => this.#o.audit.record(who, { kind: 'file', ...e });
    switch (m.type) {
      case 'list':
        return { type: 'listing', req: m.req, path: clean(m.path), ...(await this.#list(m.path)) };
      case 'open': {
        const rel = clean(m.path);
        const f = await readText(await this.#real(rel), rel, this.#max);
        if ((await this.#o.editor.seed(rel, f.text)) || !this.#base.has(rel)) this.#base.set(rel, f.version);
        void this.#watcher.then((w) => w.watchDir(parent(rel)));
        return { type: 'opened', req: m.req, path: rel, version: this.#base.get(rel)!, size: f.size, eol: f.eol };
      }
      case 'save': {
        const rel = clean(m.path);
        // encoded once: hashed (off the event loop), compared with the disk's bytes and written
        const bytes = Buffer.from(await this.#text(rel));
        const mine = versionOf(bytes);
        const abs = await this.#real(rel);
        const onDisk = await readBytes(abs, rel, Number.MAX_SAFE_INTEGER).catch((e: FileError) => (e.code === 'not-found' ? null : Promise.reject(e)));
        const diskVersion = onDisk && (await versionOf(onDisk));
        if (onDisk && diskVersion !== this.#base.get(rel) && !onDisk.equals(bytes) && !m.force) {
          const message = `"${rel}" changed on disk since it was opened: compare both versions and choose.`;
          return { type: 'disk', req: m.req, path: rel, version: diskVersion!, message, text: decodeText(onDisk, rel) };
        }
        const version = await mine;
        this.#base.set(rel, version);
        await writeAtomic(abs, bytes);
        audit({ action: 'save', path: rel, version, force: m.force || undefined });
        return { type: 'done', req: m.req, version };
      }
      case 'reload': {
        const rel = clean(m.path);
        const f = await readText(await this.#real(rel), rel, this.#max);
        await this.#o.editor.files.seeded(rel);
        replaceText(this.#o.editor.files.get(rel) ?? this.#notOpen(rel), f.text);
        this.#base.set(rel, f.version);
        audit({ action: 'reload', path: rel, version: f.version });
        return { type: 'done', req: m.req, version: f.version };
      }
      case 'create': {
        const abs = await this.#entry(m.path);
        if (await lstat(abs).catch(() => null)) throw new FileError('exists', `"${clean(m.path)}" already exists.`);
        if (m.dir) await mkdir(abs);
        else await (await open(abs, 'wx', 0o644)).close();
        audit({ action: 'create', path: clean(m.path) });
        return { type: 'done', req: m.req, version: null };
      }
      case 'rename': {
        const [from, to] = [await this.#entry(m.from), await this.#entry(m.to)];
        if (!(await lstat(from).catch(() => null))) throw new FileError('not-found', `"${clean(m.from)}" does not exist.`);
        if (await lstat(to).catch(() => null)) throw new FileError('exists', `"${clean(m.to)}" already exists.`);
        await rename(from, to);
        await this.#moveOpen(clean(m.from), clean(m.to));
        audit({ action: 'rename', path: clean(m.from), to: clean(m.to) });
        return { type: 'done', req: m.req, version: null };
      }
      case 'find': {
        const now = Date.now();
        if (!this.#walk || now - this.#walk.at > WALK_REUSE_MS) this.#walk = { at: now, result: this.#root.then((r) => walkFiles(r)) };
        const walked = await this.#walk.result;
        const found = rank(m.query, walked.paths);
        return { type: 'found', req: m.req, paths: found.paths, truncated: found.truncated || walked.truncated };
      }
      case 'search': {
        this.#searches.get(peer)?.stop.abort();
        const mine = { req: m.req, stop: new AbortController() };
        this.#searches.set(peer, mine);
        try {
          const r = await searchFiles(await this.#root, m.query, { caseSensitive: m.caseSensitive, maxFileBytes: this.#max, signal: mine.stop.signal });
          return { type: 'hits', req: m.req, ...r };
        } finally {
          if (this.#searches.get(peer) === mine) this.#searches.delete(peer);
        }
      }
      case 'delete': {
        const abs = await this.#entry(m.path);
        if (!(await lstat(abs).catch(() => null))) throw new FileError('not-found', `"${clean(m.path)}" does not exist.`);
        // the shared text of an open file stays (nothing is lost): saving it writes the file again
        await rm(abs, { recursive: true });
        audit({ action: 'delete', path: clean(m.path) });
        return { type: 'done', req: m.req, version: null };
      }
    }
  }

  /** The file's shared text, all of it (a seed under way is waited for). */
  async #text(rel: string): Promise<string> {
    await this.#o.editor.files.seeded(rel);
    return (this.#o.editor.files.get(rel) ?? this.#notOpen(rel)).toString();
  }

  #notOpen(rel: string): never {
    throw new FileError('not-open', `"${rel}" is not open in this session: open it first.`);
  }

  async #list(rel: string): Promise<{ entries: Entry[]; truncated: boolean }> {
    const abs = await this.#real(rel);
    const st = await lstat(abs).catch(() => null);
    if (!st) throw new FileError('not-found', `"${clean(rel)}" does not exist.`);
    if (!st.isDirectory()) throw new FileError('not-regular', `"${clean(rel)}" is not a folder.`);
    const names = (await readdir(abs)).filter((n) => !n.startsWith(TEMP_PREFIX));
    const entries: Entry[] = [];
    for (const name of names.slice(0, MAX_ENTRIES)) {
      const s = await lstat(join(abs, name)).catch(() => null);
      if (!s) continue;
      const kind = s.isDirectory() ? 'dir' : s.isFile() ? 'file' : s.isSymbolicLink() ? 'link' : 'other';
      entries.push({ name, kind, size: s.isFile() ? s.size : 0 });
    }
    entries.sort((a, b) => Number(b.kind === 'dir') - Number(a.kind === 'dir') || a.name.localeCompare(b.name));
    void this.#watcher.then((w) => w.watchDir(clean(rel)));
    return { entries, truncated: names.length > MAX_ENTRIES };
  }

  /** Open files under a renamed path follow it: a document under the new path, the old one closed. */
  async #moveOpen(from: string, to: string): Promise<void> {
    const files = this.#o.editor.files;
    for (const path of files.paths()) {
      if (path !== from && !path.startsWith(from + '/')) continue;
      const next = to + path.slice(from.length);
      await files.seeded(path);
      const text = files.get(path);
      if (text) await this.#o.editor.seed(next, text.toString());
      files.close(path);
      const base = this.#base.get(path);
      this.#base.delete(path);
      if (base) this.#base.set(next, base);
    }
  }

  /** Tells everyone what changed on disk, leaving out open files that hold what the host last wrote or read. */
  async #diskChanged(paths: string[]): Promise<void> {
    const root = await this.#root;
    const told: string[] = [];
    for (const p of paths) {
      const base = this.#base.get(p);
      if (base) {
        const now = await readBytes(join(root, p), p, Number.MAX_SAFE_INTEGER).catch(() => null);
        if (now && (await versionOf(now)) === base) continue;
      }
      told.push(p);
    }
    if (!told.length) return;
    const msg = filesProtocol.write({ type: 'changed', paths: told });
    for (const peer of this.#peers) peer.sendEncoded(msg);
  }

  dispose(): void {
    for (const s of this.#searches.values()) s.stop.abort();
    void this.#watcher.then((w) => w.dispose());
    this.#peers.clear();
  }
}
