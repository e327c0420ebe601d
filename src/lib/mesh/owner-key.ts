/**
 * An owner's signing key (statements.ts): made where the owner is (browser or Node, WebCrypto),
 * the private half never extractable, the public half sent when joining so the server binds it
 * into the owner's credential.
 */
import { base64url, CompactSign } from 'jose';
import type { Claims } from '../protocol/credentials.ts';
import { STATEMENT_ALG, STATEMENT_TYP, type Decision, type OwnerKeyJwk, type Statement } from '../protocol/statements.ts';

export interface OwnerKey {
  privateKey: CryptoKey;
  jwk: OwnerKeyJwk;
}

export async function makeOwnerKey(): Promise<OwnerKey> {
  const pair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify'])) as CryptoKeyPair;
  const pub = await crypto.subtle.exportKey('jwk', pair.publicKey);
  if (!pub.x || !pub.y) throw new Error(`this browser cannot export an ECDSA key (${STATEMENT_ALG})`);
  return { privateKey: pair.privateKey, jwk: { kty: 'EC', crv: 'P-256', x: pub.x, y: pub.y } };
}

/** Signs a decision with the owner's private key (a compact JWS, statements.ts). */
export async function signStatement(key: CryptoKey, owner: Pick<Claims, 'sub' | 'aud'>, d: Decision, now = Date.now()): Promise<string> {
  const jti = base64url.encode(crypto.getRandomValues(new Uint8Array(12)));
  const s: Statement = { ...d, iss: owner.sub, aud: owner.aud, iat: Math.floor(now / 1000), jti };
  return new CompactSign(new TextEncoder().encode(JSON.stringify(s))).setProtectedHeader({ alg: STATEMENT_ALG, typ: STATEMENT_TYP }).sign(key);
}
