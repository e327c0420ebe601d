/**
 * The signaling server's HTTP API. Every error answers `{ error, code }` with an HTTP status.
 *
 *   POST /api/sessions                 CreateSessionRequest  → 201 CreateSessionResponse
 *   POST /api/sessions/:id/join        JoinRequest           → 200 CredentialResponse | 403 | 404
 *   POST /api/sessions/:id/refresh     (Authorization: Bearer) RefreshRequest → 200 CredentialResponse | 401
 *   GET  /.well-known/jwks.json        the public keys (JWKS, each with `kid`)
 *   GET  /api/health                   { ok: true }
 *   ws   /signal                       subprotocols ['live-sessions', <credential>] (see signaling.ts)
 */
import { MAX_NAME_CHARS, MAX_TOKEN_CHARS } from './credentials.ts';
import { INVITE_ROLES, type InviteRole, type Role } from './roles.ts';
import { fail, obj, optStr, str } from './validate.ts';

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
}

export interface CreateSessionRequest {
  /** `host` when the host agent creates the session, `owner` for "New session" in the web app */
  role: 'host' | 'owner';
  name: string;
  fp?: string;
}

export interface CreateSessionResponse extends CredentialResponse {
  invites: Record<InviteRole, string>;
}

export interface JoinRequest {
  invite: string;
  name: string;
  fp?: string;
}

export interface RefreshRequest {
  name?: string;
  fp?: string;
}

export interface ApiError {
  error: string;
  code: string;
}

export function parseCreateSession(v: unknown): CreateSessionRequest {
  const o = obj(v, 'request body');
  const role = o.role ?? 'owner';
  if (role !== 'host' && role !== 'owner') fail('"role" must be "host" or "owner"');
  return { role, name: str(o, 'name', MAX_NAME_CHARS, { min: 1 }), fp: optStr(o, 'fp', MAX_FINGERPRINT_CHARS) };
}

export function parseJoin(v: unknown): JoinRequest {
  const o = obj(v, 'request body');
  return {
    invite: str(o, 'invite', MAX_INVITE_CHARS, { min: 1 }),
    name: str(o, 'name', MAX_NAME_CHARS, { min: 1 }),
    fp: optStr(o, 'fp', MAX_FINGERPRINT_CHARS)
  };
}

export function parseRefresh(v: unknown): RefreshRequest {
  const o = obj(v, 'request body');
  return { name: optStr(o, 'name', MAX_NAME_CHARS), fp: optStr(o, 'fp', MAX_FINGERPRINT_CHARS) };
}

export function isInviteRole(v: unknown): v is InviteRole {
  return typeof v === 'string' && (INVITE_ROLES as readonly string[]).includes(v);
}

export { MAX_TOKEN_CHARS };
