/**
 * The server's Ed25519 signing key. Generated at start and kept in memory only: a restarted
 * server publishes a new JWKS, and peers that cached the old one keep verifying each other.
 */
import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JSONWebKeySet } from 'jose';
import { ALG, CREDENTIAL_TTL_S, ISSUER, type Claims } from '../src/lib/protocol/credentials.ts';

export type ClaimsToSign = Omit<Claims, 'iss' | 'iat' | 'exp' | 'jti'> & Partial<Claims>;

/** A random id: `prefix` + base64url of `bytes` random bytes (9 bytes → 12 characters). */
export function randomId(prefix = '', bytes = 9): string {
  return prefix + randomBytes(bytes).toString('base64url');
}

export class SigningKeys {
  readonly kid: string;
  readonly #privateKey: CryptoKey;
  readonly #jwks: JSONWebKeySet;

  private constructor(kid: string, privateKey: CryptoKey, jwks: JSONWebKeySet) {
    this.kid = kid;
    this.#privateKey = privateKey;
    this.#jwks = jwks;
  }

  static async generate(): Promise<SigningKeys> {
    const { publicKey, privateKey } = await generateKeyPair(ALG, { crv: 'Ed25519' });
    const kid = randomId('k_', 9);
    const jwk = { ...(await exportJWK(publicKey)), kid, alg: ALG, use: 'sig' };
    return new SigningKeys(kid, privateKey, { keys: [jwk] });
  }

  /** The public keys, as served at /.well-known/jwks.json (a fresh copy each call). */
  jwks(): JSONWebKeySet {
    return structuredClone(this.#jwks);
  }

  /** Signs a credential; iss, iat (now), exp (now + CREDENTIAL_TTL_S) and a random jti unless given. */
  async sign(claims: ClaimsToSign): Promise<string> {
    const iat = claims.iat ?? Math.floor(Date.now() / 1000);
    const payload: Claims = {
      ...claims,
      iss: claims.iss ?? ISSUER,
      iat,
      exp: claims.exp ?? iat + CREDENTIAL_TTL_S,
      jti: claims.jti ?? randomId('', 12)
    };
    if (payload.fp === undefined) delete payload.fp;
    return new SignJWT({ ...payload }).setProtectedHeader({ alg: ALG, kid: this.kid, typ: 'JWT' }).sign(this.#privateKey);
  }
}
