/**
 * Two signaling instances sharing a real redis-server (started on a free port): sessions, keys,
 * the relay and the owners' decisions work across them; Redis down fails /readyz clearly while
 * sockets already open go on; Redis back, the instance is ready again.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { WebSocket } from 'ws';
import { makeOwnerKey, signStatement } from '../src/lib/mesh/owner-key.ts';
import { localVerifier } from '../src/lib/protocol/credentials.ts';
import { SIGNAL_SUBPROTOCOL, type ServerSignal } from '../src/lib/protocol/signaling.ts';
import { startRedis, type RedisServer } from '../test/helpers/redis.ts';
import { stopAll } from '../test/helpers/processes.ts';
import { CLOSE_ENDED } from './relay.ts';
import { startSignaling, type SignalingServer } from './server.ts';
import { closed, collect, connect, createSession, post, refusal, roundTrip, send } from './testing.ts';

let redis: RedisServer;
const servers: SignalingServer[] = [];
const sockets: WebSocket[] = [];
beforeAll(async () => {
  redis = await startRedis();
});
afterEach(async () => {
  sockets.splice(0).forEach((ws) => ws.terminate());
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
afterAll(stopAll);

async function instance(): Promise<SignalingServer> {
  const s = await startSignaling({ port: 0, staticDir: null, log: () => {}, redis: redis.url });
  servers.push(s);
  return s;
}

async function member(server: SignalingServer, token: string, session: string): Promise<{ ws: WebSocket; got: ServerSignal[] }> {
  const ws = await connect(server, token);
  sockets.push(ws);
  const got = collect(ws);
  send(ws, { type: 'subscribe', topics: [session] });
  await roundTrip(ws);
  return { ws, got };
}

const publishes = (got: ServerSignal[]) => got.filter((m) => m.type === 'publish').map((m) => (m as { data: string }).data);

describe('two instances on one Redis', () => {
  it('share sessions, the signing key and the relay', async () => {
    const [a, b] = [await instance(), await instance()];
    expect(b.keys.jwks()).toEqual(a.keys.jwks());
    const s = await createSession(a);
    const joined = await post(b, `/api/sessions/${s.session}/join`, { invite: s.invites.viewer, name: 'Vi' });
    expect(joined.status).toBe(200);
    // a credential from B verifies with A's JWKS (what peers hold), and opens a socket on A
    expect(await localVerifier(a.keys.jwks())(joined.json.token as string, s.session)).toMatchObject({ role: 'viewer' });
    const onA = await member(a, s.token, s.session);
    const onB = await member(b, joined.json.token as string, s.session);
    const alsoA = await member(a, (await post(a, `/api/sessions/${s.session}/join`, { invite: s.invites.editor, name: 'Ed' })).json.token as string, s.session);
    send(onA.ws, { type: 'publish', topic: s.session, data: 'from A' });
    send(onB.ws, { type: 'publish', topic: s.session, data: 'from B' });
    await vi.waitFor(() => expect(publishes(onB.got)).toEqual(['from A']));
    await vi.waitFor(() => expect(publishes(onA.got)).toEqual(['from B']));
    await vi.waitFor(() => expect(publishes(alsoA.got).sort()).toEqual(['from A', 'from B']));
    // another session hears nothing of it
    const other = await createSession(b);
    const elsewhere = await member(a, other.token, other.session);
    send(onB.ws, { type: 'publish', topic: s.session, data: 'again' });
    await vi.waitFor(() => expect(publishes(onA.got)).toEqual(['from B', 'again']));
    expect(publishes(elsewhere.got)).toEqual([]);
  });

  it('relays a burst (batched per tick on the way through Redis) whole and in order, escapes included', async () => {
    const [a, b] = [await instance(), await instance()];
    const s = await createSession(a);
    const onA = await member(a, s.token, s.session);
    const onB = await member(b, (await post(b, `/api/sessions/${s.session}/join`, { invite: s.invites.viewer, name: 'Vi' })).json.token as string, s.session);
    const sent = Array.from({ length: 200 }, (_, i) => (i % 7 === 3 ? `line\nbreak "${i}"\u2028` : `m${i}+/=`));
    for (const data of sent) send(onA.ws, { type: 'publish', topic: s.session, data });
    await vi.waitFor(() => expect(publishes(onB.got)).toHaveLength(sent.length));
    expect(publishes(onB.got)).toEqual(sent);
  });

  it('a revocation, a removal, a retired credential and an end made on A hold on B', async () => {
    const [a, b] = [await instance(), await instance()];
    const s = await createSession(a);
    const key = await makeOwnerKey();
    const owner = await post(a, `/api/sessions/${s.session}/join`, { invite: s.invites.owner, name: 'Olga', ck: key.jwk });
    const auth = { Authorization: `Bearer ${owner.json.token as string}` };
    const made = (await post(a, `/api/sessions/${s.session}/invites`, { role: 'viewer', ttl: 600, uses: 5 }, auth)).json as { invite: string; info: { id: string } };
    expect((await post(b, `/api/sessions/${s.session}/join`, { invite: made.invite, name: 'First' })).status).toBe(200);
    expect((await post(a, `/api/sessions/${s.session}/invites/${made.info.id}/revoke`, {}, auth)).status).toBe(200);
    await vi.waitFor(async () => expect((await post(b, `/api/sessions/${s.session}/join`, { invite: made.invite, name: 'Late' })).json.code).toBe('revoked-invite'));

    const eve = await post(b, `/api/sessions/${s.session}/join`, { invite: s.invites.editor, name: 'Eve', fp: 'AA:BB' });
    const statement = await signStatement(key.privateKey, { sub: owner.json.participant as string, aud: s.session }, { act: 'remove', sub: eve.json.participant as string });
    expect((await post(a, `/api/sessions/${s.session}/control`, { statement }, auth)).status).toBe(200);
    await vi.waitFor(async () => expect((await post(b, `/api/sessions/${s.session}/refresh`, { fp: 'AA:BB' }, { Authorization: `Bearer ${eve.json.token as string}` })).json.error).toMatch(/removed/));
    expect((await refusal(b, [SIGNAL_SUBPROTOCOL, eve.json.token as string])).body).toMatch(/removed/);

    const vi1 = await post(b, `/api/sessions/${s.session}/join`, { invite: s.invites.viewer, name: 'Vi', fp: 'CC:DD' });
    expect((await post(a, `/api/sessions/${s.session}/refresh`, { fp: 'CC:DD' }, { Authorization: `Bearer ${vi1.json.token as string}` })).status).toBe(200);
    await vi.waitFor(async () => expect((await post(b, `/api/sessions/${s.session}/refresh`, { fp: 'CC:DD' }, { Authorization: `Bearer ${vi1.json.token as string}` })).json.error).toMatch(/already exchanged/));

    const onB = await member(b, s.token, s.session);
    const bClosed = closed(onB.ws);
    expect((await post(a, `/api/sessions/${s.session}/end`, {}, auth)).status).toBe(200);
    expect((await bClosed).code).toBe(CLOSE_ENDED);
    expect((await post(b, `/api/sessions/${s.session}/join`, { invite: s.invites.viewer, name: 'After' })).status).toBe(410);
  });

  it('Redis down: /readyz says so, joins answer 503, open sockets keep relaying; Redis back: ready again', async () => {
    const a = await instance();
    const s = await createSession(a);
    const one = await member(a, s.token, s.session);
    const two = await member(a, (await post(a, `/api/sessions/${s.session}/join`, { invite: s.invites.viewer, name: 'V' })).json.token as string, s.session);
    expect((await fetch(a.url + '/readyz')).status).toBe(200);

    await redis.stop();
    await vi.waitFor(async () => {
      const r = await fetch(a.url + '/readyz');
      expect(r.status).toBe(503);
      expect(((await r.json()) as { error: string }).error).toMatch(/^Redis at redis:\/\/127\.0\.0\.1:\d+ (is unreachable|does not answer)/);
    }, { timeout: 10_000 });
    const join = await post(a, `/api/sessions/${s.session}/join`, { invite: s.invites.viewer, name: 'W' });
    expect(join).toMatchObject({ status: 503, json: { code: 'unavailable' } });
    expect(await refusal(a, [SIGNAL_SUBPROTOCOL, s.token])).toMatchObject({ status: 503, body: expect.stringMatching(/cannot reach its shared store/) });
    send(one.ws, { type: 'publish', topic: s.session, data: 'still here' });
    await vi.waitFor(() => expect(publishes(two.got)).toEqual(['still here']));

    await redis.restart();
    await vi.waitFor(async () => expect((await fetch(a.url + '/readyz')).status).toBe(200), { timeout: 15_000 });
    // an empty Redis got this instance's key back: a second instance signs with the same one
    expect((await instance()).keys.jwks()).toEqual(a.keys.jwks());
    expect((await post(a, '/api/sessions', { role: 'owner', name: 'New' })).status).toBe(201);
  });
});
