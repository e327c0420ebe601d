/**
 * A session store that survives a restart of the signaling server: the in-memory store, saved to
 * one JSON file (ids, last use and invite hashes; never invite secrets). A new session is saved
 * before its creator hears of it; uses (touch) are saved at most once per TOUCH_SAVE_MS, and on
 * close(). Losing the last few seconds of use only makes a session expire a little earlier.
 */
import { SESSION_ID_RE } from '../src/lib/protocol/credentials.ts';
import { INVITE_ROLES, type InviteRole } from '../src/lib/protocol/roles.ts';
import { MAX_SESSIONS, MemorySessionStore, type CreatedSession, type MemoryStoreOptions, type SessionStore, type StoredSession } from './sessions.ts';
import { corrupt, readJsonFile, writeFileAtomic } from './state-files.ts';

/** Uses of sessions are saved at most this often, ms. */
export const TOUCH_SAVE_MS = 5000;
/** Room per saved session in the file, bytes: id, time and three hashes take about 200. */
const BYTES_PER_SESSION = 400;
const FILE_VERSION = 1;
const HASH_RE = /^[A-Za-z0-9_-]{43}$/;

interface SessionsFile {
  version: typeof FILE_VERSION;
  sessions: StoredSession[];
}

function parseSessionsFile(value: unknown, file: string): StoredSession[] {
  const f = value as SessionsFile;
  if (typeof value !== 'object' || value === null || f.version !== FILE_VERSION || !Array.isArray(f.sessions)) {
    throw corrupt(file, `not a version ${FILE_VERSION} sessions file`);
  }
  for (const [i, s] of f.sessions.entries()) {
    const ok =
      typeof s === 'object' && s !== null &&
      typeof s.id === 'string' && SESSION_ID_RE.test(s.id) &&
      Number.isFinite(s.lastUsed) &&
      typeof s.invites === 'object' && s.invites !== null &&
      Object.entries(s.invites).every(([role, hash]) => (INVITE_ROLES as readonly string[]).includes(role) && typeof hash === 'string' && HASH_RE.test(hash));
    if (!ok) throw corrupt(file, `session ${i} is malformed`);
  }
  return f.sessions;
}

export interface FileStoreOptions extends MemoryStoreOptions {
  /** default TOUCH_SAVE_MS (tests shorten it) */
  touchSaveMs?: number;
}

export class FileSessionStore implements SessionStore {
  readonly #file: string;
  readonly #memory: MemorySessionStore;
  #touchTimer: NodeJS.Timeout | undefined;
  /** the last write started (or finished); writes never overlap */
  #written: Promise<void> = Promise.resolve();
  /** the next write, while it waits for the current one; saves in the meantime share it */
  #queued: Promise<void> | undefined;
  #closed = false;
  readonly #touchSaveMs: number;

  private constructor(file: string, memory: MemorySessionStore, touchSaveMs: number) {
    this.#file = file;
    this.#memory = memory;
    this.#touchSaveMs = touchSaveMs;
  }

  /** The store saved in `file` (empty when the file does not exist). A damaged file is a StateError naming it. */
  static async open(file: string, opts: FileStoreOptions = {}): Promise<FileSessionStore> {
    const maxBytes = 1024 + (opts.maxSessions ?? MAX_SESSIONS) * BYTES_PER_SESSION;
    const saved = await readJsonFile(file, maxBytes);
    const memory = new MemorySessionStore(opts);
    if (saved !== undefined) memory.restore(parseSessionsFile(saved, file));
    return new FileSessionStore(file, memory, opts.touchSaveMs ?? TOUCH_SAVE_MS);
  }

  get size(): number {
    return this.#memory.size;
  }

  async create(): Promise<CreatedSession> {
    const created = await this.#memory.create();
    await this.#save();
    return created;
  }

  has(id: string): Promise<boolean> {
    return this.#memory.has(id);
  }

  inviteRole(id: string, secret: string): Promise<InviteRole | undefined> {
    return this.#memory.inviteRole(id, secret);
  }

  async touch(id: string): Promise<void> {
    await this.#memory.touch(id);
    if (this.#closed || this.#touchTimer) return;
    this.#touchTimer = setTimeout(() => {
      this.#touchTimer = undefined;
      // A failed background save is retried by the next one; close() reports it.
      this.#save().catch(() => {});
    }, this.#touchSaveMs);
    this.#touchTimer.unref();
  }

  async close(): Promise<void> {
    if (this.#closed) return this.#written;
    this.#closed = true;
    clearTimeout(this.#touchTimer);
    try {
      await this.#save();
    } finally {
      await this.#memory.close();
    }
  }

  /** Writes the sessions as they are when the write starts; resolves once that write is on disk. */
  #save(): Promise<void> {
    if (this.#queued) return this.#queued;
    const queued = this.#written.then(async () => {
      this.#queued = undefined;
      const file: SessionsFile = { version: FILE_VERSION, sessions: this.#memory.snapshot() };
      await writeFileAtomic(this.#file, JSON.stringify(file));
    });
    this.#queued = queued;
    this.#written = queued.catch(() => {});
    return queued;
  }
}
