import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeProtectedHeader } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { CREDENTIAL_TTL_S, ISSUER, localVerifier } from '../src/lib/protocol/credentials.ts';
import { SigningKeys } from './keys.ts';
import { StateError } from './state-files.ts';

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

describe('SigningKeys.loadOrCreate', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
  function keyFile(): string {
    const dir = mkdtempSync(join(tmpdir(), 'ls-keys-'));
    dirs.push(dir);
    return join(dir, 'signing-key.json');
  }

  it('creates the key file (mode 0600) once and loads the same key, kid and signatures afterwards', async () => {
    const file = keyFile();
    const first = await SigningKeys.loadOrCreate(file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(file, '..'))).toEqual(['signing-key.json']);
    const again = await SigningKeys.loadOrCreate(file);
    expect(again.kid).toBe(first.kid);
    expect(again.jwks()).toEqual(first.jwks());
    expect(again.jwks().keys[0].d).toBeUndefined();
    const token = await first.sign({ aud: 'session123', sub: 'p_abc', name: 'Ann', role: 'editor' });
    expect(await localVerifier(again.jwks())(token, 'session123')).toMatchObject({ sub: 'p_abc' });
    const later = await again.sign({ aud: 'session123', sub: 'p_abc', name: 'Ann', role: 'editor' });
    expect(await localVerifier(first.jwks())(later, 'session123')).toMatchObject({ sub: 'p_abc' });
  });

  it('refuses a damaged key file with an error naming it, and leaves the file alone', async () => {
    const file = keyFile();
    await SigningKeys.loadOrCreate(file);
    const good = JSON.parse(readFileSync(file, 'utf8'));
    const cases: [string, RegExp][] = [
      ['{"kty": "OKP", "crv"', /not valid JSON/],
      [JSON.stringify({ ...good, crv: 'X25519' }), /not an Ed25519 JWK/],
      [JSON.stringify({ ...good, d: undefined }), /"d" or public key "x" is missing/],
      [JSON.stringify({ ...good, kid: '' }), /"kid" is missing or malformed/],
      [JSON.stringify({ ...good, d: 'AAAA' }), /does not decode/],
      [JSON.stringify({ ...good, x: (await SigningKeys.generate()).jwks().keys[0].x }), /"x" does not match its private key "d"/]
    ];
    for (const [text, reason] of cases) {
      writeFileSync(file, text);
      const err = await SigningKeys.loadOrCreate(file).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StateError);
      expect((err as Error).message).toContain(file);
      expect((err as Error).message).toMatch(reason);
      expect(readFileSync(file, 'utf8')).toBe(text);
    }
  });
});
