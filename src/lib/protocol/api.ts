/**
 * The signaling server's HTTP API. Every error answers `{ error, code }` with an HTTP status.
 *
 *   POST /api/sessions                 CreateSessionRequest  → 201 CreateSessionResponse
 *   POST /api/sessions/:id/join        JoinRequest           → 200 CredentialResponse | 403 | 404
 *   POST /api/sessions/:id/refresh     (Authorization: Bearer) RefreshRequest → 200 CredentialResponse | 401
 *   POST /api/sessions/:id/invites     (owner) CreateInviteRequest → 201 CreateInviteResponse
 *   GET  /api/sessions/:id/invites     (owner) → 200 {invites: InviteInfo[]}
 *   POST /api/sessions/:id/invites/:inv/revoke (owner) → 200 {ok}
 *   POST /api/sessions/:id/end         (host or owner) → 200 {ok}; the session's links then answer 410
 *   POST /api/sessions/:id/control     (Authorization: Bearer, an owner's) ControlRequest → 200 {ok} | 400 | 401
 *   GET  /.well-known/jwks.json        the public keys (JWKS, each with `kid`)
 *   GET  /api/health                   { ok: true }
 *   ws   /signal                       subprotocols ['live-sessions', <credential>] (see signaling.ts)
 */
import { MAX_NAME_CHARS, MAX_TOKEN_CHARS } from './credentials.ts';
import { HOST_INVITE_MAX_TTL_S, INVITE_ROLES, MADE_INVITE_ROLES, isRole, type InviteRole, type MadeInviteRole, type Role } from './roles.ts';
import { MAX_STATEMENT_CHARS, parseOwnerKey, type OwnerKeyJwk } from './statements.ts';
import { fail, int, obj, optInt, optStr, str } from './validate.ts';

/** Largest HTTP request body the API reads, bytes. */
export const MAX_BODY_BYTES = 8 * 1024;
export const MAX_FINGERPRINT_CHARS = 200;
export const MAX_INVITE_CHARS = 128;

export interface IceServer {
  urls: string[];
  username?: string;
  credential?: string;
}

export interface CredentialResponse {
  session: string;
  participant: string;
  role: Role;
  name: string;
  token: string;
  /** expiry, seconds since the epoch */
  exp: number;
  ice: IceServer[];
  /** a relay-only session: every peer uses only TURN relay candidates, so nobody learns an address */
  relay: boolean;
}

export interface CreateSessionRequest {
  /** `host` when the host agent creates the session, `owner` for "New session" in the web app */
  role: 'host' | 'owner';
  name: string;
  fp?: string;
  /** an owner's public key for signing statements (statements.ts), bound into its credential */
  ck?: OwnerKeyJwk;
  /** make the session relay-only (needs TURN on the server) */
  relay?: boolean;
}

export interface CreateSessionResponse extends CredentialResponse {
  invites: Record<InviteRole, string>;
}

export interface JoinRequest {
  invite: string;
  name: string;
  fp?: string;
  /** as in CreateSessionRequest; kept only when the invite is an owner's */
  ck?: OwnerKeyJwk;
}

/** An invite link the owner made (or one of the three default ones, ids owner/editor/viewer). */
export interface InviteInfo {
  id: string;
  role: MadeInviteRole;
  /** ms since the epoch; null: lasts as long as the session */
  expires: number | null;
  /** null: unlimited */
  usesLeft: number | null;
  revoked: boolean;
  /** display name of the owner who made it ('' for the default links) */
  by: string;
}

export interface CreateInviteRequest {
  /** `host`: at most HOST_INVITE_MAX_TTL_S and exactly one use */
  role: MadeInviteRole;
  /** lifetime, seconds */
  ttl: number;
  /** how many people may join with it; absent: unlimited */
  uses?: number;
}

export interface CreateInviteResponse {
  info: InviteInfo;
  /** the secret for the link's #invite= (returned once) */
  invite: string;
}

export function parseCreateInvite(v: unknown, maxTtl: number): CreateInviteRequest {
  const o = obj(v, 'request body');
  if (!isMadeInviteRole(o.role)) fail('"role" must be owner, editor, viewer or host');
  if (o.role === 'host') {
    // a host invite hands a box's shell to the session: one box, pasted now
    const ttl = int(o, 'ttl', 60, Math.min(maxTtl, HOST_INVITE_MAX_TTL_S));
    if (o.uses !== undefined && o.uses !== 1) fail('a host invite attaches one box: "uses" must be 1');
    return { role: 'host', ttl, uses: 1 };
  }
  const ttl = int(o, 'ttl', 60, maxTtl);
  return { role: o.role, ttl, uses: optInt(o, 'uses', 1, 10_000) };
}

function inviteInfo(v: unknown): InviteInfo {
  const o = obj(v, 'invite');
  if (!isMadeInviteRole(o.role)) fail('"role" must be owner, editor, viewer or host');
  const num = (k: string) => (o[k] === null ? null : typeof o[k] === 'number' ? (o[k] as number) : fail(`"${k}" must be a number or null`));
  return { id: str(o, 'id', 64, { min: 1 }), role: o.role, expires: num('expires'), usesLeft: num('usesLeft'), revoked: o.revoked === true, by: str(o, 'by', MAX_NAME_CHARS) };
}

export function parseCreateInviteResponse(v: unknown): CreateInviteResponse {
  const o = obj(v, 'response');
  return { info: inviteInfo(o.info), invite: str(o, 'invite', MAX_INVITE_CHARS, { min: 1 }) };
}

export function parseInvites(v: unknown): InviteInfo[] {
  const list = obj(v, 'response').invites;
  if (!Array.isArray(list) || list.length > 200) fail('"invites" must be a list');
  return list.map(inviteInfo);
}

/** An owner's signed statement (statements.ts), so the server applies it too (refresh, upgrade). */
export interface ControlRequest {
  statement: string;
}

export function parseControl(v: unknown): ControlRequest {
  return { statement: str(obj(v, 'request body'), 'statement', MAX_STATEMENT_CHARS, { min: 1 }) };
}

const optKey = (o: Record<string, unknown>) => (o.ck === undefined ? undefined : parseOwnerKey(o.ck));

export interface RefreshRequest {
  name?: string;
  fp?: string;
}

export interface ApiError {
  error: string;
  code: string;
}

/** An HTTP answer that is an error: thrown by the server's handlers, and by the client on a refusal. */
export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export function parseCreateSession(v: unknown): CreateSessionRequest {
  const o = obj(v, 'request body');
  const role = o.role ?? 'owner';
  if (role !== 'host' && role !== 'owner') fail('"role" must be "host" or "owner"');
  if (o.relay !== undefined && typeof o.relay !== 'boolean') fail('"relay" must be true or false');
  return { role, name: str(o, 'name', MAX_NAME_CHARS, { min: 1 }), fp: optStr(o, 'fp', MAX_FINGERPRINT_CHARS), ck: optKey(o), relay: o.relay === true || undefined };
}

export function parseJoin(v: unknown): JoinRequest {
  const o = obj(v, 'request body');
  return {
    invite: str(o, 'invite', MAX_INVITE_CHARS, { min: 1 }),
    name: str(o, 'name', MAX_NAME_CHARS, { min: 1 }),
    fp: optStr(o, 'fp', MAX_FINGERPRINT_CHARS),
    ck: optKey(o)
  };
}

export function parseRefresh(v: unknown): RefreshRequest {
  const o = obj(v, 'request body');
  return { name: optStr(o, 'name', MAX_NAME_CHARS), fp: optStr(o, 'fp', MAX_FINGERPRINT_CHARS) };
}

export function isInviteRole(v: unknown): v is InviteRole {
  return typeof v === 'string' && (INVITE_ROLES as readonly string[]).includes(v);
}

export function isMadeInviteRole(v: unknown): v is MadeInviteRole {
  return typeof v === 'string' && (MADE_INVITE_ROLES as readonly string[]).includes(v);
}

export { MAX_TOKEN_CHARS };

const MAX_ICE_SERVERS = 8;

function iceServers(v: unknown): IceServer[] {
  if (!Array.isArray(v) || v.length > MAX_ICE_SERVERS) fail(`"ice" must be a list of at most ${MAX_ICE_SERVERS} servers`);
  return v.map((s) => {
    const o = obj(s, 'ice server');
    if (!Array.isArray(o.urls) || o.urls.length > 8 || !o.urls.every((u) => typeof u === 'string' && u.length <= 500)) fail('"urls" must be a list of URLs');
    return { urls: o.urls as string[], username: optStr(o, 'username', 500), credential: optStr(o, 'credential', 500) };
  });
}

/** What the server answers to join, refresh and (in part) create. */
export function parseCredentialResponse(v: unknown): CredentialResponse {
  const o = obj(v, 'credential response');
  const role = o.role;
  if (!isRole(role)) fail('"role" must be owner, host, editor or viewer');
  const exp = o.exp;
  if (typeof exp !== 'number' || !Number.isFinite(exp)) fail('"exp" must be a number');
  return {
    session: str(o, 'session', 64, { min: 1 }),
    participant: str(o, 'participant', 64, { min: 1 }),
    role,
    name: str(o, 'name', MAX_NAME_CHARS),
    token: str(o, 'token', MAX_TOKEN_CHARS, { min: 1 }),
    exp,
    ice: iceServers(o.ice ?? []),
    relay: o.relay === true
  };
}

export function parseCreateSessionResponse(v: unknown): CreateSessionResponse {
  const cred = parseCredentialResponse(v);
  const inv = obj(obj(v, 'response').invites, 'invites');
  const invites = Object.fromEntries(INVITE_ROLES.map((r) => [r, str(inv, r, MAX_INVITE_CHARS, { min: 1 })])) as Record<InviteRole, string>;
  return { ...cred, invites };
}

/** An error body `{error, code}`, when that is what the server sent. */
export function parseApiError(v: unknown): ApiError | null {
  if (typeof v !== 'object' || v === null) return null;
  const { error, code } = v as Record<string, unknown>;
  return typeof error === 'string' ? { error: error.slice(0, 500), code: typeof code === 'string' ? code : 'error' } : null;
}

export interface Jwks {
  keys: Record<string, unknown>[];
}

export function parseJwks(v: unknown): Jwks {
  const o = obj(v, 'key set');
  if (!Array.isArray(o.keys) || o.keys.length === 0 || o.keys.length > 16) fail('"keys" must be a list of 1 to 16 keys');
  return { keys: o.keys.map((k) => obj(k, 'key')) };
}
