/**
 * Credentials for tests, good and bad, for one signaling server and session. Every bad one is
 * well formed, so a refusal proves the check, not the parser: `forgedToken` is signed by another
 * Ed25519 key under the server's kid, `expiredToken` by the server's own key but expired beyond
 * the allowed skew, `wrongAlgToken` with HS256, `unsignedToken` with alg "none",
 * `otherSessionToken` by the server's key for another session.
 */
import { generateKeyPair, SignJWT } from 'jose';
import { ALG, CLOCK_SKEW_S, CREDENTIAL_TTL_S, ISSUER, type Claims } from '../../src/lib/protocol/credentials.ts';
import type { SigningKeys } from '../../signaling/keys.ts';
import { randomId } from '../../signaling/keys.ts';

export interface HasKeys {
  keys: SigningKeys;
}

/** Claims of a plausible participant of `session`; `over` replaces any of them. */
export function testClaims(session: string, over: Partial<Claims> = {}): Claims {
  const iat = Math.floor(Date.now() / 1000);
  return { iss: ISSUER, aud: session, sub: randomId('p_'), name: 'Test', role: 'editor', jti: randomId('', 12), iat, exp: iat + CREDENTIAL_TTL_S, ...over };
}

export function validToken(server: HasKeys, session: string, over: Partial<Claims> = {}): Promise<string> {
  return server.keys.sign(testClaims(session, over));
}

export async function forgedToken(server: HasKeys, session: string, over: Partial<Claims> = {}): Promise<string> {
  const { privateKey } = await generateKeyPair(ALG, { crv: 'Ed25519' });
  return new SignJWT({ ...testClaims(session, over) }).setProtectedHeader({ alg: ALG, kid: server.keys.kid, typ: 'JWT' }).sign(privateKey);
}

export function expiredToken(server: HasKeys, session: string, over: Partial<Claims> = {}): Promise<string> {
  const exp = Math.floor(Date.now() / 1000) - CLOCK_SKEW_S - 60;
  return server.keys.sign(testClaims(session, { iat: exp - CREDENTIAL_TTL_S, exp, ...over }));
}

export function wrongAlgToken(server: HasKeys, session: string, over: Partial<Claims> = {}): Promise<string> {
  const secret = new TextEncoder().encode('a shared secret an attacker might guess');
  return new SignJWT({ ...testClaims(session, over) }).setProtectedHeader({ alg: 'HS256', kid: server.keys.kid, typ: 'JWT' }).sign(secret);
}

export async function unsignedToken(server: HasKeys, session: string, over: Partial<Claims> = {}): Promise<string> {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'none', kid: server.keys.kid, typ: 'JWT' })}.${part(testClaims(session, over))}.`;
}

export function otherSessionToken(server: HasKeys, session: string, over: Partial<Claims> = {}): Promise<string> {
  let other = randomId('', 9);
  while (other === session) other = randomId('', 9);
  return server.keys.sign(testClaims(other, over));
}
