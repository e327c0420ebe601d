/**
 * The owner's statements: "participant P is now an editor / a viewer", "participant P is removed",
 * "this session is relay-only from now on" (`sub` is then the session itself; there is no way back:
 * addresses already hidden stay hidden).
 * Every peer must apply them at once, also while the signaling server is down, so they cannot be
 * signed by the server. They are signed by the owner's own key: the owner's browser makes an
 * ECDSA P-256 key pair (WebCrypto, the private half never leaves it) and sends the public half
 * when it joins; the server binds it into the owner's credential (`cnf.jwk`, RFC 7800). A
 * statement travels with that credential, so any peer verifies the chain with the JWKS it already
 * holds: server key → owner credential (role owner, valid when the statement was made) → owner
 * key → statement. A stolen statement cannot be replayed into another session (`aud`), and a
 * peer that never met the owner can still check one relayed by others.
 *
 *   compact JWS (ES256, typ "live-sessions-statement"):
 *     {iss: owner sub, aud: session, sub: target, act: "role" | "remove" | "relay-only", role?: "editor" | "viewer", iat, jti}
 *
 * Signing is in src/lib/mesh/owner-key.ts (WebCrypto); verifying here, for peers and the server.
 */
import { base64url, compactVerify, importJWK, type JWK } from 'jose';
import type { Claims, Verifier } from './credentials.ts';
import { ProtocolError } from './validate.ts';

export const STATEMENT_ALG = 'ES256';
export const STATEMENT_TYP = 'live-sessions-statement';
export const MAX_STATEMENT_CHARS = 2000;

/** The owner's public key as it travels in requests and in the credential's `cnf`. */
export interface OwnerKeyJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
}

export type Decision = { act: 'role'; sub: string; role: 'editor' | 'viewer' } | { act: 'remove'; sub: string } | { act: 'relay-only'; sub: string };

export type Statement = Decision & { iss: string; aud: string; iat: number; jti: string };

const dec = new TextDecoder();

export function parseOwnerKey(v: unknown): OwnerKeyJwk {
  const o = v as Record<string, unknown>;
  const part = (k: string) => typeof o?.[k] === 'string' && (o[k] as string).length <= 64 && /^[A-Za-z0-9_-]+$/.test(o[k] as string);
  if (typeof v !== 'object' || v === null || o.kty !== 'EC' || o.crv !== 'P-256' || !part('x') || !part('y')) {
    throw new ProtocolError('bad-request', 'the owner key must be a public EC P-256 JWK {kty, crv, x, y}');
  }
  return { kty: 'EC', crv: 'P-256', x: o.x as string, y: o.y as string };
}

/** Checks the chain (server → owner credential → owner key → statement); throws ProtocolError. */
export async function verifyStatement(jws: string, ownerToken: string, session: string, verify: Verifier): Promise<Statement> {
  if (jws.length > MAX_STATEMENT_CHARS) throw new ProtocolError('bad-statement', 'statement too long');
  let s: Statement;
  try {
    s = JSON.parse(dec.decode(new Uint8Array(base64url.decode(jws.split('.')[1] ?? ''))));
  } catch {
    throw new ProtocolError('bad-statement', 'statement does not decode');
  }
  if (typeof s !== 'object' || s === null || typeof s.iat !== 'number' || typeof s.jti !== 'string' || typeof s.sub !== 'string' || typeof s.iss !== 'string') {
    throw new ProtocolError('bad-statement', 'statement is malformed');
  }
  if (!(s.act === 'remove' || s.act === 'relay-only' || (s.act === 'role' && (s.role === 'editor' || s.role === 'viewer')))) throw new ProtocolError('bad-statement', 'unknown decision');
  if (s.aud !== session) throw new ProtocolError('bad-statement', 'statement is for another session');
  if (s.act === 'relay-only' && s.sub !== session) throw new ProtocolError('bad-statement', 'a relay-only statement names its session');
  // the owner's credential must have been valid when the statement was made
  const owner = await verify(ownerToken, session, s.iat);
  if (owner.role !== 'owner' || !owner.cnf) throw new ProtocolError('bad-statement', 'statement is not by an owner with a bound key');
  if (owner.sub !== s.iss) throw new ProtocolError('bad-statement', 'statement and credential name different owners');
  try {
    const key = await importJWK(owner.cnf.jwk as JWK, STATEMENT_ALG);
    const { protectedHeader } = await compactVerify(jws, key, { algorithms: [STATEMENT_ALG] });
    if (protectedHeader.typ !== STATEMENT_TYP) throw new Error('typ');
  } catch {
    throw new ProtocolError('bad-statement', 'statement signature does not verify with the owner key');
  }
  return s;
}
