/**
 * The owner's decisions and the server's refusals, saved next to the sessions so that a restarted
 * server still refuses what it refused before: extra invites (uses left, revoked), revoked default
 * links, retired credential ids (jti), removed participants, roles the owner gave, ended sessions.
 * Every change is on disk before the request that made it is answered (a revocation that a crash
 * could undo would be no revocation); saves that arrive during a write share the next one, so a
 * burst of refreshes costs two writes, not one each. What has expired is left out of each save.
 */
import { SESSION_ID_RE } from '../src/lib/protocol/credentials.ts';
import { INVITE_ROLES, isRole } from '../src/lib/protocol/roles.ts';
import { MAX_INVITES_PER_SESSION, type Invites, type SavedInvite, type SavedInvites } from './invites.ts';
import type { Revocations, SavedRevocations } from './revocations.ts';
import { corrupt, readJsonFile, writeFileAtomic } from './state-files.ts';

const FILE_VERSION = 1;
/** Room for 100k retired jtis, 1000 removals and 100 invites in each of a few thousand sessions, bytes. */
export const MAX_CONTROL_FILE_BYTES = 64 * 1024 * 1024;
const ID_RE = /^[A-Za-z0-9_-]{1,64}$/;
const HASH_RE = /^[A-Za-z0-9_-]{43}$/;

interface ControlFileBody {
  version: typeof FILE_VERSION;
  invites: SavedInvites;
  revocations: SavedRevocations;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isEditorOrViewer = (v: unknown) => v === 'editor' || v === 'viewer';

function validInvite(e: unknown): e is SavedInvite {
  if (!isObj(e)) return false;
  return (
    typeof e.id === 'string' && ID_RE.test(e.id) &&
    // any role: owners may make invites of other roles than the default links' (host invites)
    isRole(e.role) &&
    isTime(e.expires) &&
    (e.usesLeft === null || (Number.isInteger(e.usesLeft) && (e.usesLeft as number) >= 0)) &&
    typeof e.revoked === 'boolean' &&
    typeof e.by === 'string' && e.by.length <= 256 &&
    typeof e.hash === 'string' && HASH_RE.test(e.hash)
  );
}

/** Checks every field, so a damaged or foreign file stops the server with its name instead of being half-trusted. */
function parseControlFile(value: unknown, file: string): ControlFileBody {
  if (!isObj(value) || value.version !== FILE_VERSION || !isObj(value.invites) || !isObj(value.revocations)) {
    throw corrupt(file, `not a version ${FILE_VERSION} control file`);
  }
  for (const [session, v] of Object.entries(value.invites)) {
    const ok =
      SESSION_ID_RE.test(session) && isObj(v) &&
      Array.isArray(v.invites) && v.invites.length <= MAX_INVITES_PER_SESSION && v.invites.every(validInvite) &&
      Array.isArray(v.revokedDefaults) && v.revokedDefaults.every((r) => (INVITE_ROLES as readonly unknown[]).includes(r));
    if (!ok) throw corrupt(file, `the invites of session ${session.slice(0, 40)} are malformed`);
  }
  const r = value.revocations;
  if (!Array.isArray(r.retired) || !r.retired.every((e) => Array.isArray(e) && e.length === 2 && typeof e[0] === 'string' && ID_RE.test(e[0]) && isTime(e[1]))) {
    throw corrupt(file, 'the retired credential ids are malformed');
  }
  const perSession = (v: unknown, entry: (x: unknown) => boolean) => isObj(v) && Object.entries(v).every(([s, x]) => SESSION_ID_RE.test(s) && entry(x));
  if (!perSession(r.removed, (subs) => Array.isArray(subs) && subs.every((s) => typeof s === 'string' && ID_RE.test(s)))) throw corrupt(file, 'the removals are malformed');
  if (!perSession(r.roles, (m) => isObj(m) && Object.entries(m).every(([sub, role]) => ID_RE.test(sub) && isEditorOrViewer(role)))) throw corrupt(file, 'the roles are malformed');
  if (r.roleAt !== undefined && !perSession(r.roleAt, (m) => isObj(m) && Object.entries(m).every(([sub, at]) => ID_RE.test(sub) && isTime(at)))) throw corrupt(file, 'the role times are malformed');
  if (!perSession(r.ended, (e) => isObj(e) && isTime(e.at) && typeof e.by === 'string' && e.by.length <= 256)) throw corrupt(file, 'the ended sessions are malformed');
  return value as unknown as ControlFileBody;
}

export class ControlFile {
  readonly #file: string;
  readonly #invites: Invites;
  readonly #revocations: Revocations;
  readonly #hasSession: (id: string) => Promise<boolean>;
  #written: Promise<void> = Promise.resolve();
  #queued: Promise<void> | undefined;

  private constructor(file: string, invites: Invites, revocations: Revocations, hasSession: (id: string) => Promise<boolean>) {
    this.#file = file;
    this.#invites = invites;
    this.#revocations = revocations;
    this.#hasSession = hasSession;
  }

  /** Restores what `file` holds into `invites` and `revocations` (nothing when it does not exist). */
  static async open(file: string, invites: Invites, revocations: Revocations, hasSession: (id: string) => Promise<boolean>): Promise<ControlFile> {
    const saved = await readJsonFile(file, MAX_CONTROL_FILE_BYTES);
    if (saved !== undefined) {
      const body = parseControlFile(saved, file);
      invites.restore(body.invites);
      revocations.restore(body.revocations);
    }
    return new ControlFile(file, invites, revocations, hasSession);
  }

  /** Resolves once a write that started after this call is on disk; concurrent calls share it. */
  save(): Promise<void> {
    if (this.#queued) return this.#queued;
    const queued = this.#written.then(async () => {
      this.#queued = undefined;
      // sessions the store forgot (idle, or never restored) take their invites and removals along
      for (const s of new Set([...this.#invites.sessions(), ...this.#revocations.sessions()])) {
        if (!(await this.#hasSession(s))) {
          this.#invites.forget(s);
          this.#revocations.forget(s);
        }
      }
      const body: ControlFileBody = { version: FILE_VERSION, invites: this.#invites.snapshot(), revocations: this.#revocations.snapshot() };
      await writeFileAtomic(this.#file, JSON.stringify(body));
    });
    this.#queued = queued;
    this.#written = queued.catch(() => {});
    return queued;
  }

  close(): Promise<void> {
    return this.save();
  }
}
