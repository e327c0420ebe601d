/**
 * Credentials: short-lived JWTs signed by the signaling server (EdDSA / Ed25519), verified by the
 * server at the ws upgrade and by every peer when a data channel opens (against the JWKS each
 * peer cached at join, so the mesh keeps admitting known keys while signaling is down).
 */
import { createLocalJWKSet, errors, jwtVerify, type JSONWebKeySet } from 'jose';
import { isRole, type Role } from './roles.ts';
import { parseOwnerKey, type OwnerKeyJwk } from './statements.ts';
import { ProtocolError } from './validate.ts';

export const ISSUER = 'live-sessions';
export const ALG = 'EdDSA';
/** Lifetime of a credential, seconds: short, since peers check it on live connections too. */
export const CREDENTIAL_TTL_S = 300;
/** Clients refresh this long before expiry, seconds. */
export const REFRESH_BEFORE_S = 90;
/**
 * A peer whose credential lapsed (past the skew) without a `renew` is dropped this long after,
 * seconds — unless the peer that checks cannot reach signaling itself: then the outage, not the
 * peer, explains the lapse, and the grace counts from when signaling is back.
 */
export const LAPSE_GRACE_S = 10;
/** Clock skew tolerated when verifying, seconds. */
export const CLOCK_SKEW_S = 30;

export const SESSION_ID_RE = /^[A-Za-z0-9_-]{8,64}$/;
export const MAX_NAME_CHARS = 64;
/**
 * The name a page gives the signaling server: its people's names are none of the server's
 * business. The real one goes to peers only (mesh `rename`, sealed end to end).
 */
export const UNDISCLOSED_NAME = 'guest';

/**
 * Why a display name is refused, or null. Roles are shown from credentials, next to the name, so a
 * name must not carry one of its own ("laptop (host)"), nor control or bidi-override characters
 * that make it read as something else.
 */
export function nameProblem(name: string): string | null {
  const n = name.trim();
  if (!n) return 'a name must not be blank';
  if (n.length > MAX_NAME_CHARS) return `a name is at most ${MAX_NAME_CHARS} characters`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/.test(n)) return 'a name must not contain control or direction characters';
  if (/[([{<]\s*(host|owner|editor|viewer|admin)\s*[)\]}>]/i.test(n)) return 'a name must not look like a role (roles are shown from credentials)';
  return null;
}
export const MAX_TOKEN_CHARS = 4096;

export interface Claims {
  iss: string;
  /** session id */
  aud: string;
  /** participant id, also the peer id in the mesh */
  sub: string;
  name: string;
  role: Role;
  jti: string;
  iat: number;
  exp: number;
  /** sha-256 DTLS certificate fingerprint of the participant ("AB:CD:…"), when bound */
  fp?: string;
  /** id of the invite link the participant joined with (so the owner can revoke it) */
  inv?: string;
  /** an owner's public key (statements.ts), bound by the server (RFC 7800 `cnf`) */
  cnf?: { jwk: OwnerKeyJwk };
}

/**
 * A credential that expired at most this long ago may still be exchanged for a fresh one (never
 * used for anything else), so a participant whose credential lapsed while the signaling server
 * was down rejoins signaling when it is back, seconds (12 h) — only the newest credential of a
 * participant (older ones are retired), only bound to the same certificate, never after the
 * participant was removed.
 */
export const REFRESH_GRACE_S = 12 * 60 * 60;

/** Verifies a credential; `at` (seconds since the epoch) checks it as of that moment instead of now. */
export type Verifier = (token: string, session: string, at?: number) => Promise<Claims>;

/** A verifier over a fixed key set (the JWKS fetched from the signaling server). */
export function localVerifier(jwks: { keys: Record<string, unknown>[] }): Verifier {
  const keys = createLocalJWKSet(jwks as JSONWebKeySet);
  return async (token, session, at) => {
    if (typeof token !== 'string' || token.length > MAX_TOKEN_CHARS) {
      throw new ProtocolError('bad-credential', 'credential missing or too long');
    }
    try {
      const { payload } = await jwtVerify(token, keys, {
        algorithms: [ALG],
        issuer: ISSUER,
        audience: session,
        requiredClaims: ['jti', 'sub', 'exp', 'iat'],
        clockTolerance: CLOCK_SKEW_S,
        maxTokenAge: CREDENTIAL_TTL_S + CLOCK_SKEW_S,
        currentDate: at === undefined ? undefined : new Date(at * 1000)
      });
      return toClaims(payload);
    } catch (e) {
      throw new ProtocolError('bad-credential', `credential refused: ${describe(e)}`);
    }
  };
}

function toClaims(p: Record<string, unknown>): Claims {
  const { iss, aud, sub, name, role, jti, iat, exp, fp, cnf, inv } = p;
  if (typeof aud !== 'string') throw new Error('audience must be one session id');
  if (typeof sub !== 'string' || typeof jti !== 'string') throw new Error('sub and jti are required');
  if (typeof name !== 'string' || name.length > MAX_NAME_CHARS) throw new Error('bad display name');
  if (!isRole(role)) throw new Error('bad role');
  if (typeof iat !== 'number' || typeof exp !== 'number') throw new Error('bad times');
  if (exp - iat > CREDENTIAL_TTL_S) throw new Error('lifetime is longer than allowed');
  if (fp !== undefined && typeof fp !== 'string') throw new Error('bad fingerprint');
  const c: Claims = { iss: String(iss), aud, sub, name, role, jti, iat, exp, fp: fp as string | undefined };
  if (typeof inv === 'string' && inv.length <= 64) c.inv = inv;
  if (cnf !== undefined) c.cnf = { jwk: parseOwnerKey((cnf as { jwk?: unknown })?.jwk) };
  return c;
}

function describe(e: unknown): string {
  if (e instanceof errors.JWTExpired) return 'it has expired';
  if (e instanceof errors.JWTClaimValidationFailed) return `claim "${e.claim}" is invalid (${e.reason})`;
  if (e instanceof errors.JOSEAlgNotAllowed) return 'algorithm not allowed (EdDSA only)';
  if (e instanceof errors.JWSSignatureVerificationFailed) return 'signature does not verify';
  if (e instanceof errors.JWKSNoMatchingKey) return 'signed by an unknown key';
  if (e instanceof Error) return e.message;
  return 'invalid';
}

/** Normalises a DTLS fingerprint for comparison ("ab:cd" and "AB:CD" are the same). */
export function normalizeFingerprint(fp: string): string {
  return fp.trim().toUpperCase();
}
