/**
 * The server's Ed25519 signing key. In memory only (`generate`), or kept in a state file
 * (`loadOrCreate`) so that a restarted server keeps its key id and the credentials it issued
 * before: browsers reconnect to it instead of being refused as signed by an unknown key.
 */
import { createPrivateKey, createPublicKey, randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK, SignJWT, type CryptoKey, type JSONWebKeySet, type JWK } from 'jose';
import { ALG, CREDENTIAL_TTL_S, ISSUER, type Claims } from '../src/lib/protocol/credentials.ts';
import { corrupt, readJsonFile, writeFileAtomic } from './state-files.ts';

export type ClaimsToSign = Omit<Claims, 'iss' | 'iat' | 'exp' | 'jti'> & Partial<Claims>;

/** A random id: `prefix` + base64url of `bytes` random bytes (9 bytes → 12 characters). */
export function randomId(prefix = '', bytes = 9): string {
  return prefix + randomBytes(bytes).toString('base64url');
}

/** A key file is one small JWK; anything bigger is not ours, bytes. */
const MAX_KEY_FILE_BYTES = 4096;
const KID_RE = /^[A-Za-z0-9_-]{1,64}$/;

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
    return (await SigningKeys.#generatePrivate()).keys;
  }

  /**
   * The key pair kept in `file` (a private JWK, mode 0600), created there when the file does not
   * exist. A damaged file is a StateError naming it: never silently replaced by a new key.
   */
  static async loadOrCreate(file: string): Promise<SigningKeys> {
    const stored = await readJsonFile(file, MAX_KEY_FILE_BYTES);
    if (stored !== undefined) return SigningKeys.#fromPrivateJwk(stored, file);
    const { keys, jwk } = await SigningKeys.#generatePrivate();
    if (await writeFileAtomic(file, JSON.stringify(jwk, null, 2) + '\n', { exclusive: true })) return keys;
    // Another server created the file meanwhile: use its key, so both sign with the saved one.
    return SigningKeys.#fromPrivateJwk(await readJsonFile(file, MAX_KEY_FILE_BYTES), file);
  }

  /**
   * The key every instance behind one backplane signs with (redis-backplane.ts): the first to start
   * stores a new private JWK there (set-if-absent), the others load it. One shared key rather than
   * one per instance, because peers verify each other's credentials with the JWKS they fetched
   * when they joined: a credential from an instance that started later must verify too.
   */
  static async shared(store: { get(): Promise<string | null>; setIfAbsent(value: string): Promise<boolean> }, where: string): Promise<SigningKeys> {
    const saved = await store.get();
    const parse = (text: string) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw corrupt(where, 'it is not valid JSON');
      }
    };
    if (saved !== null) return SigningKeys.#fromPrivateJwk(parse(saved), where);
    const { keys, jwk } = await SigningKeys.#generatePrivate();
    if (await store.setIfAbsent(JSON.stringify(jwk))) return keys;
    return SigningKeys.#fromPrivateJwk(parse((await store.get()) ?? ''), where);
  }

  static async #generatePrivate(): Promise<{ keys: SigningKeys; jwk: JWK }> {
    const { privateKey } = await generateKeyPair(ALG, { crv: 'Ed25519', extractable: true });
    const jwk = { ...(await exportJWK(privateKey)), kid: randomId('k_', 9), alg: ALG, use: 'sig' };
    return { keys: await SigningKeys.#fromPrivateJwk(jwk, '(generated key)'), jwk };
  }

  static async #fromPrivateJwk(value: unknown, file: string): Promise<SigningKeys> {
    const jwk = value as JWK;
    if (typeof value !== 'object' || value === null || jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519') throw corrupt(file, 'not an Ed25519 JWK');
    if (typeof jwk.d !== 'string' || typeof jwk.x !== 'string') throw corrupt(file, 'the private key "d" or public key "x" is missing');
    if (typeof jwk.kid !== 'string' || !KID_RE.test(jwk.kid)) throw corrupt(file, 'the key id "kid" is missing or malformed');
    let publicX: string | undefined;
    try {
      // The public half must be the one the private half derives: a mismatch would sign credentials nobody verifies.
      const { kty, crv, x, d } = jwk;
      publicX = createPublicKey(createPrivateKey({ key: { kty, crv, x, d }, format: 'jwk' })).export({ format: 'jwk' }).x;
    } catch {
      throw corrupt(file, 'the key does not decode');
    }
    if (publicX !== jwk.x) throw corrupt(file, 'its public key "x" does not match its private key "d"');
    const privateKey = (await importJWK({ kty: 'OKP', crv: 'Ed25519', x: jwk.x, d: jwk.d }, ALG)) as CryptoKey;
    const publicJwk = { kty: 'OKP', crv: 'Ed25519', x: jwk.x, kid: jwk.kid, alg: ALG, use: 'sig' };
    return new SigningKeys(jwk.kid, privateKey, { keys: [publicJwk] });
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
    if (payload.cnf === undefined) delete payload.cnf;
    if (payload.inv === undefined) delete payload.inv;
    return new SignJWT({ ...payload }).setProtectedHeader({ alg: ALG, kid: this.kid, typ: 'JWT' }).sign(this.#privateKey);
  }
}
