import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES } from '../src/lib/protocol/api.ts';
import { localVerifier, REFRESH_GRACE_S } from '../src/lib/protocol/credentials.ts';
import { INVITE_ROLES } from '../src/lib/protocol/roles.ts';
import { expiredToken, forgedToken } from '../test/helpers/tokens.ts';
import { startSignaling, type SignalingServer } from './server.ts';
import { SIGNAL_SUBPROTOCOL } from '../src/lib/protocol/signaling.ts';
import { connect, createSession, post, refusal } from './testing.ts';

let server: SignalingServer;
beforeAll(async () => {
  server = await startSignaling({ port: 0, staticDir: null, log: () => {} });
});
afterAll(() => server.close());

describe('HTTP API', () => {
  it('creates a session: a credential for the creator and one invite per role', async () => {
    const s = await createSession(server, 'host');
    expect(s.session).toMatch(/^[A-Za-z0-9_-]{10,}$/);
    expect(s.participant).toMatch(/^p_[A-Za-z0-9_-]{12}$/);
    expect(s.role).toBe('host');
    expect(s.ice).toEqual([]);
    expect(Object.keys(s.invites).sort()).toEqual([...INVITE_ROLES].sort());
    for (const inv of Object.values(s.invites)) expect(Buffer.from(inv, 'base64url')).toHaveLength(24);
    const claims = await localVerifier(server.keys.jwks())(s.token, s.session);
    expect(claims).toMatchObject({ aud: s.session, sub: s.participant, role: 'host', name: 'Creator', exp: s.exp });
  });

  it('exchanges each invite for a credential with its role, trimmed name and fingerprint', async () => {
    const s = await createSession(server);
    const verify = localVerifier(server.keys.jwks());
    const subs = new Set<string>();
    for (const role of INVITE_ROLES) {
      const r = await post(server, `/api/sessions/${s.session}/join`, { invite: s.invites[role], name: `  ${role} person `, fp: 'AB:CD' });
      expect(r.status).toBe(200);
      expect(r.json).toMatchObject({ session: s.session, role, name: `${role} person`, ice: [] });
      const claims = await verify(r.json.token as string, s.session);
      expect(claims).toMatchObject({ role, sub: r.json.participant, fp: 'AB:CD' });
      subs.add(claims.sub);
    }
    expect(subs.size).toBe(3);
  });

  it('refreshes a credential keeping sub, role and session, and may rename', async () => {
    const s = await createSession(server);
    const j = await post(server, `/api/sessions/${s.session}/join`, { invite: s.invites.viewer, name: 'Vee' });
    const r = await post(server, `/api/sessions/${s.session}/refresh`, { name: 'Vera' }, { Authorization: `Bearer ${j.json.token}` });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ session: s.session, participant: j.json.participant, role: 'viewer', name: 'Vera' });
    const claims = await localVerifier(server.keys.jwks())(r.json.token as string, s.session);
    expect(claims).toMatchObject({ aud: s.session, sub: j.json.participant, role: 'viewer', name: 'Vera' });
    expect(r.json.token).not.toBe(j.json.token);
    const empty = await post(server, `/api/sessions/${s.session}/refresh`, '', { Authorization: `Bearer ${r.json.token}` });
    expect(empty.status).toBe(200);
    expect(empty.json.name).toBe('Vera');
  });

  it('retires a credential once it is exchanged: a copy can neither be renewed nor open a signaling socket', async () => {
    const s = await createSession(server);
    const j = await post(server, `/api/sessions/${s.session}/join`, { invite: s.invites.editor, name: 'Ed', fp: 'AA:BB' });
    const old = { Authorization: `Bearer ${j.json.token}` };
    const fresh = await post(server, `/api/sessions/${s.session}/refresh`, { fp: 'AA:BB' }, old);
    expect(fresh.status).toBe(200);
    const again = await post(server, `/api/sessions/${s.session}/refresh`, { fp: 'AA:BB' }, old);
    expect(again).toMatchObject({ status: 401, json: { error: expect.stringMatching(/already exchanged for a newer one/) } });
    expect(await refusal(server, [SIGNAL_SUBPROTOCOL, j.json.token as string])).toEqual({ status: 401, body: expect.stringMatching(/already exchanged/) });
    // the newest one works, and is bound to no other certificate than the first
    const ws = await connect(server, fresh.json.token as string);
    ws.terminate();
    const unbound = await post(server, `/api/sessions/${s.session}/join`, { invite: s.invites.editor, name: 'Nofp' });
    const bound = await post(server, `/api/sessions/${s.session}/refresh`, { fp: 'EE:FF' }, { Authorization: `Bearer ${unbound.json.token}` });
    expect((await localVerifier(server.keys.jwks())(bound.json.token as string, s.session)).fp).toBeUndefined();
  });

  it('keeps a credential bound to its certificate fingerprint on refresh', async () => {
    const s = await createSession(server);
    const j = await post(server, `/api/sessions/${s.session}/join`, { invite: s.invites.editor, name: 'Ed', fp: 'AA:BB' });
    const auth = { Authorization: `Bearer ${j.json.token}` };
    const moved = await post(server, `/api/sessions/${s.session}/refresh`, { fp: 'CC:DD' }, auth);
    expect(moved.status).toBe(403);
    expect(moved.json.error).toMatch(/cannot be moved to another certificate/);
    const same = await post(server, `/api/sessions/${s.session}/refresh`, { fp: 'aa:bb' }, auth);
    expect(same.status).toBe(200);
    const claims = await localVerifier(server.keys.jwks())(same.json.token as string, s.session);
    expect(claims.fp).toBe('AA:BB');
  });

  it('refuses a refresh without a valid credential for that session (401)', async () => {
    const s = await createSession(server);
    const other = await createSession(server);
    const path = `/api/sessions/${s.session}/refresh`;
    expect((await post(server, path, {})).status).toBe(401);
    const longAgo = Math.floor(Date.now() / 1000) - REFRESH_GRACE_S - 60;
    const stale = await expiredToken(server, s.session, { iat: longAgo - 600, exp: longAgo });
    for (const token of [await forgedToken(server, s.session), stale, other.token]) {
      const r = await post(server, path, {}, { Authorization: `Bearer ${token}` });
      expect(r.status).toBe(401);
      expect(r.json.code).toBe('bad-credential');
      expect(r.json.error).toMatch(/credential refused/);
    }
    const garbage = await post(server, path, {}, { Authorization: 'Bearer not.a.jwt' });
    expect(garbage.status).toBe(401);
    expect(garbage.json.code).toBe('bad-credential');
  });

  it('renews a credential that lapsed while signaling was unreachable (within the grace), nothing older', async () => {
    const s = await createSession(server);
    const lapsed = await expiredToken(server, s.session, { sub: s.participant, role: 'owner', name: 'Olga', fp: 'AA:BB' });
    const auth = { Authorization: `Bearer ${lapsed}` };
    // only for the participant that still holds the certificate it is bound to (and says so)
    expect((await post(server, `/api/sessions/${s.session}/refresh`, {}, auth)).status).toBe(401);
    expect((await post(server, `/api/sessions/${s.session}/refresh`, { fp: 'CC:DD' }, auth)).status).toBe(403);
    const r = await post(server, `/api/sessions/${s.session}/refresh`, { fp: 'AA:BB' }, auth);
    expect(r.status).toBe(200);
    // once: the lapsed credential is retired by the exchange
    expect((await post(server, `/api/sessions/${s.session}/refresh`, { fp: 'AA:BB' }, auth)).json.error).toMatch(/already exchanged/);
    // never for one bound to no certificate
    const unbound = await expiredToken(server, s.session, { sub: s.participant, role: 'owner' });
    expect((await post(server, `/api/sessions/${s.session}/refresh`, { fp: 'AA:BB' }, { Authorization: `Bearer ${unbound}` })).status).toBe(401);
    const claims = await localVerifier(server.keys.jwks())(r.json.token as string, s.session);
    expect(claims).toMatchObject({ sub: s.participant, role: 'owner', name: 'Olga', fp: 'AA:BB' });
    // the grace is for genuine credentials only
    const forged = await forgedToken(server, s.session, { exp: Math.floor(Date.now() / 1000) - 3600 });
    expect((await post(server, `/api/sessions/${s.session}/refresh`, {}, { Authorization: `Bearer ${forged}` })).status).toBe(401);
  });

  it('answers 403 with a clear message for a wrong invite', async () => {
    const s = await createSession(server);
    const other = await createSession(server);
    for (const invite of ['nope', other.invites.editor]) {
      const r = await post(server, `/api/sessions/${s.session}/join`, { invite, name: 'Eve' });
      expect(r.status).toBe(403);
      expect(r.json).toEqual({ code: 'bad-invite', error: expect.stringMatching(/invite is not valid/) });
    }
  });

  it('answers 404 for an unknown session', async () => {
    const s = await createSession(server);
    const r = await post(server, '/api/sessions/doesNotExist1/join', { invite: s.invites.editor, name: 'Eve' });
    expect(r.status).toBe(404);
    expect(r.json.code).toBe('unknown-session');
  });

  it('answers 413 for a body over MAX_BODY_BYTES and 400 for bad JSON or fields', async () => {
    const big = await post(server, '/api/sessions', { role: 'owner', name: 'x', pad: 'y'.repeat(MAX_BODY_BYTES) });
    expect(big.status).toBe(413);
    expect(big.json.code).toBe('too-large');
    const bad = await post(server, '/api/sessions', '{"role": ');
    expect(bad.status).toBe(400);
    expect(bad.json).toEqual({ code: 'bad-json', error: 'request body is not valid JSON' });
    for (const body of [{ role: 'editor', name: 'x' }, { role: 'owner' }, { role: 'owner', name: '   ' }, { role: 'owner', name: 'x'.repeat(65) }, [1]]) {
      const r = await post(server, '/api/sessions', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(typeof r.json.error).toBe('string');
    }
  });

  it('answers 413 to a chunked body that grows past the limit without a Content-Length', async () => {
    const u = new URL(server.url);
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const req = request({ host: u.hostname, port: u.port, path: '/api/sessions', method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
        res.resume();
        resolve(res.statusCode);
      }).on('error', reject);
      req.write('{"name":"' + 'x'.repeat(MAX_BODY_BYTES / 2));
      setTimeout(() => req.end('y'.repeat(MAX_BODY_BYTES) + '"}'), 20);
    });
    expect(status).toBe(413);
  });

  it('refuses cross-site calls: another Origin (403), and bodies that are not JSON (415)', async () => {
    const text = await fetch(server.url + '/api/sessions', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"role":"owner","name":"X"}' });
    expect(text.status).toBe(415);
    const form = await fetch(server.url + '/api/sessions', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=b' });
    expect(form.status).toBe(415);
    const evil = await post(server, '/api/sessions', { role: 'owner', name: 'X' }, { Origin: 'https://evil.example' });
    expect(evil).toMatchObject({ status: 403, json: { code: 'cross-origin' } });
    const own = await post(server, '/api/sessions', { role: 'owner', name: 'X' }, { Origin: server.url });
    expect(own.status).toBe(201);
  });

  it('publishes the JWKS with kid and alg, and answers health', async () => {
    const jwks = (await (await fetch(server.url + '/.well-known/jwks.json')).json()) as { keys: Record<string, string>[] };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kid: server.keys.kid, alg: 'EdDSA', crv: 'Ed25519', kty: 'OKP' });
    expect(jwks.keys[0].d).toBeUndefined();
    const health = await fetch(server.url + '/api/health');
    expect(await health.json()).toEqual({ ok: true });
    expect(health.headers.get('x-content-type-options')).toBe('nosniff');
    expect(health.headers.get('referrer-policy')).toBe('no-referrer');
  });

  it('answers 405 for the wrong method and 404 for an unknown route', async () => {
    const get = await fetch(server.url + '/api/sessions');
    expect(get.status).toBe(405);
    const unknown = await post(server, '/api/nothing', {});
    expect(unknown.status).toBe(404);
    expect(unknown.json.code).toBe('not-found');
  });
});

describe('HTTP API rate limits', () => {
  it('answers 429 with the wait when one address creates too many sessions or joins too often', async () => {
    const limited = await startSignaling({ port: 0, staticDir: null, log: () => {}, limits: { create: { burst: 2, perMinute: 1 }, join: { burst: 3, perMinute: 1 } } });
    try {
      const s = await createSession(limited);
      await createSession(limited);
      const third = await post(limited, '/api/sessions', { role: 'owner', name: 'Flood' });
      expect(third.status).toBe(429);
      expect(third.json).toMatchObject({ code: 'rate-limited' });
      expect(third.json.error).toMatch(/too many requests from your address: try again in \d+ s/);
      const joins = [];
      for (let i = 0; i < 4; i++) joins.push((await post(limited, `/api/sessions/${s.session}/join`, { invite: 'wrong', name: 'Guess' })).status);
      expect(joins).toEqual([403, 403, 403, 429]);
    } finally {
      await limited.close();
    }
  });
});
