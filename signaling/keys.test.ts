import { decodeProtectedHeader } from 'jose';
import { describe, expect, it } from 'vitest';
import { CREDENTIAL_TTL_S, ISSUER, localVerifier } from '../src/lib/protocol/credentials.ts';
import { SigningKeys } from './keys.ts';

describe('SigningKeys', () => {
  it('publishes only public keys, each with kid, alg and crv', async () => {
    const keys = await SigningKeys.generate();
    const [jwk, ...rest] = keys.jwks().keys;
    expect(rest).toEqual([]);
    expect(jwk).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', kid: keys.kid });
    expect(jwk.d).toBeUndefined();
  });

  it('signs credentials the shared verifier accepts, with iss, iat, exp and jti set', async () => {
    const keys = await SigningKeys.generate();
    const token = await keys.sign({ aud: 'session123', sub: 'p_abc', name: 'Ann', role: 'editor' });
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'EdDSA', kid: keys.kid });
    const c = await localVerifier(keys.jwks())(token, 'session123');
    expect(c).toMatchObject({ iss: ISSUER, aud: 'session123', sub: 'p_abc', name: 'Ann', role: 'editor' });
    expect(c.exp - c.iat).toBe(CREDENTIAL_TTL_S);
    expect(Math.abs(c.iat - Date.now() / 1000)).toBeLessThan(5);
    expect(c.jti.length).toBeGreaterThanOrEqual(16);
    expect(c.fp).toBeUndefined();
    const again = await keys.sign({ aud: 'session123', sub: 'p_abc', name: 'Ann', role: 'editor', jti: 'fixed-jti', fp: 'AA:BB' });
    expect(await localVerifier(keys.jwks())(again, 'session123')).toMatchObject({ jti: 'fixed-jti', fp: 'AA:BB' });
  });

  it('is not accepted under another server key set', async () => {
    const a = await SigningKeys.generate();
    const b = await SigningKeys.generate();
    const token = await a.sign({ aud: 'session123', sub: 'p_abc', name: 'Ann', role: 'viewer' });
    await expect(localVerifier(b.jwks())(token, 'session123')).rejects.toThrow(/credential refused/);
  });
});
