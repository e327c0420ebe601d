/**
 * What must hold across instances on one real redis-server (started on a free port), two
 * instances each: socket caps, API rate limits, the last use of a counted invite, the order of role
 * changes, concurrent decisions on both, and the sessions gauge.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { WebSocket } from 'ws';
import { Redis } from 'ioredis';
import { makeOwnerKey, signStatement } from '../src/lib/mesh/owner-key.ts';
import { startRedis, type RedisServer } from '../test/helpers/redis.ts';
import { stopAll } from '../test/helpers/processes.ts';
import { until } from '../test/helpers/wait.ts';
import { MAX_SOCKETS_PER_PARTICIPANT } from './relay.ts';
import { SharedLimits } from './redis-limits.ts';
import { startSignaling, type SignalingOptions, type SignalingServer } from './server.ts';
import { connect, createSession, post } from './testing.ts';

let redis: RedisServer;
const servers: SignalingServer[] = [];
const sockets: WebSocket[] = [];
const clients: Redis[] = [];
beforeAll(async () => {
  redis = await startRedis();
});
afterEach(async () => {
  sockets.splice(0).forEach((ws) => ws.terminate());
  await Promise.all(servers.splice(0).map((s) => s.close()));
  clients.splice(0).forEach((c) => c.disconnect());
});
afterAll(stopAll);

async function pair(o: SignalingOptions = {}): Promise<[SignalingServer, SignalingServer]> {
  const start = () => startSignaling({ port: 0, staticDir: null, log: () => {}, redis: redis.url, ...o });
  const both = [await start(), await start()] as [SignalingServer, SignalingServer];
  servers.push(...both);
  return both;
}

async function open(server: SignalingServer, token: string): Promise<WebSocket> {
  const ws = await connect(server, token);
  sockets.push(ws);
  return ws;
}

const join = (s: SignalingServer, session: string, invite: string, name = 'P') => post(s, `/api/sessions/${session}/join`, { invite, name });

describe('across two instances on one Redis', () => {
  it('caps sockets per participant and per address over both; a closed socket frees its place at once', async () => {
    const [a, b] = await pair({ maxSocketsPerAddress: 5 });
    const s = await createSession(a);
    const held = [await open(a, s.token), await open(b, s.token), await open(a, s.token)];
    expect(held).toHaveLength(MAX_SOCKETS_PER_PARTICIPANT);
    await expect(open(b, s.token)).rejects.toThrow(/refused 429/);
    held[0].terminate();
    await until(() => held[0].readyState === held[0].CLOSED, 'the socket closed');
    // (its lease is released when the server sees the close)
    await vi.waitFor(() => open(b, s.token), { timeout: 5_000 });
    // the address: 3 open (all of this participant), 2 more from another one, then full on both
    const other = (await join(b, s.session, s.invites.viewer)).json.token as string;
    await open(a, other);
    await open(b, other);
    await expect(open(a, (await join(a, s.session, s.invites.viewer)).json.token as string)).rejects.toThrow(/refused 429/);
  });

  it('a lease nobody renews (its instance died) lapses; one renewed at each heartbeat holds', async () => {
    const c = new Redis(redis.url);
    clients.push(c);
    const limits = new SharedLimits(c, 100);
    const keys = { participant: 'p_dead', session: 'deadsession1', address: '192.0.2.1' };
    const caps = { participant: 1, session: 10, address: 10 };
    expect(await limits.admit(keys, 'x:1', caps)).toBeNull();
    expect(await limits.admit(keys, 'x:2', caps)).toBe('participant');
    await vi.waitFor(async () => expect(await limits.admit(keys, 'x:2', caps)).toBeNull(), { timeout: 3_000, interval: 50 });
    // x:2 renewed while time passes: still counted
    const t0 = Date.now();
    while (Date.now() - t0 < 600) {
      await limits.renew([{ keys, member: 'x:2' }]);
      expect(await limits.admit(keys, 'x:3', caps)).toBe('participant');
      await new Promise((r) => setTimeout(r, 50));
    }
    await limits.release(keys, 'x:2');
    expect(await limits.admit(keys, 'x:3', caps)).toBeNull();
  });

  it('rate-limits an address over both instances', async () => {
    const limits = { create: { burst: 3, perMinute: 1 }, join: { burst: 100, perMinute: 100 } };
    const [a, b] = await pair({ limits });
    expect((await post(a, '/api/sessions', { role: 'owner', name: 'A' })).status).toBe(201);
    expect((await post(b, '/api/sessions', { role: 'owner', name: 'B' })).status).toBe(201);
    expect((await post(a, '/api/sessions', { role: 'owner', name: 'A' })).status).toBe(201);
    for (const s of [b, a]) expect(await post(s, '/api/sessions', { role: 'owner', name: 'X' })).toMatchObject({ status: 429, json: { code: 'rate-limited', error: expect.stringMatching(/try again in \d+ s/) } });
  });

  it('gives the last use of a counted invite to one join only, however the joins are spread', async () => {
    const [a, b] = await pair();
    const s = await createSession(a);
    const auth = { Authorization: `Bearer ${s.token}` };
    for (const uses of [1, 3]) {
      const made = (await post(a, `/api/sessions/${s.session}/invites`, { role: 'viewer', ttl: 600, uses }, auth)).json as { invite: string };
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => join(i % 2 ? a : b, s.session, made.invite, `J${i}`)));
      expect(results.filter((r) => r.status === 200)).toHaveLength(uses);
      for (const r of results.filter((r) => r.status !== 200)) expect(r).toMatchObject({ status: 403, json: { error: expect.stringMatching(/used as many times/) } });
    }
  });

  it('an older role change never replaces a newer one, whichever instance hears it last; decisions made at once on both all hold', async () => {
    const [a, b] = await pair();
    const s = await createSession(a);
    const key = await makeOwnerKey();
    const owner = (await post(a, `/api/sessions/${s.session}/join`, { invite: s.invites.owner, name: 'Olga', ck: key.jwk })).json;
    const auth = { Authorization: `Bearer ${owner.token as string}` };
    const by = { sub: owner.participant as string, aud: s.session };
    const now = Date.now();
    // Eve: the newer statement reaches A first, the older one B later; Vic: the other way round
    for (const [name, first, second] of [['Eve', 'newer', 'older'], ['Vic', 'older', 'newer']] as const) {
      const p = (await post(b, `/api/sessions/${s.session}/join`, { invite: s.invites.editor, name, fp: 'AA:BB' })).json;
      const st = {
        newer: await signStatement(key.privateKey, by, { act: 'role', sub: p.participant as string, role: 'editor' }, now),
        older: await signStatement(key.privateKey, by, { act: 'role', sub: p.participant as string, role: 'viewer' }, now - 5_000)
      };
      expect((await post(a, `/api/sessions/${s.session}/control`, { statement: st[first] }, auth)).status).toBe(200);
      expect((await post(b, `/api/sessions/${s.session}/control`, { statement: st[second] }, auth)).status).toBe(200);
      let token = p.token as string;
      for (const server of [a, b, a]) {
        const r = await post(server, `/api/sessions/${s.session}/refresh`, { fp: 'AA:BB' }, { Authorization: `Bearer ${token}` });
        expect(r.json.role, `${name} on ${server.url}`).toBe('editor');
        token = r.json.token as string;
      }
    }
    // many owners' changes at once on both instances: none is lost in the shared document
    const made = await Promise.all(Array.from({ length: 6 }, () => post(a, `/api/sessions/${s.session}/invites`, { role: 'viewer', ttl: 600 }, auth)));
    const ids = made.map((m) => (m.json as { info: { id: string } }).info.id);
    await Promise.all(ids.map((id, i) => post(i % 2 ? a : b, `/api/sessions/${s.session}/invites/${id}/revoke`, {}, auth)));
    for (const server of [a, b]) {
      await vi.waitFor(async () => {
        const list = (await fetch(`${server.url}/api/sessions/${s.session}/invites`, { headers: auth }).then((r) => r.json())) as { invites: { id: string; revoked: boolean }[] };
        expect(list.invites.filter((i) => ids.includes(i.id)).map((i) => i.revoked)).toEqual(ids.map(() => true));
      });
    }
  });

  it('reports every instance\'s sessions in signaling_sessions', async () => {
    const [a, b] = await pair();
    const sessions = async (s: SignalingServer) => Number(/^signaling_sessions (\d+)$/m.exec(await (await fetch(s.url + '/metrics')).text())?.[1]);
    const before = await sessions(a);
    await createSession(a);
    await createSession(a);
    await createSession(b);
    expect(await sessions(a)).toBe(before + 3);
    expect(await sessions(b)).toBe(before + 3);
  });
});
