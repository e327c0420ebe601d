/**
 * An owner's signing key (statements.ts): made where the owner is (browser or Node, WebCrypto),
 * the private half never extractable, the public half sent when joining so the server binds it
 * into the owner's credential.
 */
import { STATEMENT_ALG, type OwnerKeyJwk } from '../protocol/statements.ts';

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
