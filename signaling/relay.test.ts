import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { CLOCK_SKEW_S, CREDENTIAL_TTL_S } from '../src/lib/protocol/credentials.ts';
import { MAX_SIGNAL_BYTES, MAX_SIGNAL_DATA_CHARS, SIGNAL_SUBPROTOCOL, type ServerSignal } from '../src/lib/protocol/signaling.ts';
import { expiredToken, forgedToken, otherSessionToken, unsignedToken, validToken, wrongAlgToken } from '../test/helpers/tokens.ts';
import { CLOSE_FLOODING, MAX_BAD_MESSAGES, MAX_SOCKETS_PER_PARTICIPANT, MAX_SOCKETS_PER_SESSION, SOCKET_BUDGET } from './relay.ts';
import { startSignaling, type SignalingServer } from './server.ts';
import { until } from '../test/helpers/wait.ts';
import { closed, collect, connect, createSession, nextMessage, refusal, roundTrip, send } from './testing.ts';

const HEARTBEAT_MS = 300;
let server: SignalingServer;
const logs: string[] = [];
const sockets: WebSocket[] = [];

beforeAll(async () => {
  // (the default heartbeat: a loaded machine can hold a pong past a short one and drop sockets the
  // other tests count; the heartbeat test has a server of its own)
  server = await startSignaling({ port: 0, staticDir: null, log: (l) => logs.push(l) });
});
afterAll(async () => {
  for (const ws of sockets) ws.terminate();
  await server.close();
});

async function open(token: string, query = ''): Promise<WebSocket> {
  const ws = await connect(server, token, query);
  sockets.push(ws);
  return ws;
}

/** A socket subscribed to its session. */
async function member(session: string, token?: string): Promise<WebSocket> {
  const ws = await open(token ?? (await validToken(server, session)));
  send(ws, { type: 'subscribe', topics: [session] });
  await roundTrip(ws);
  return ws;
}

describe('ws upgrade', () => {
  it('refuses missing and bad credentials with 401 and never logs them', async () => {
    const { session } = await createSession(server);
    const bad = {
      forged: await forgedToken(server, session),
      expired: await expiredToken(server, session),
      'wrong alg': await wrongAlgToken(server, session),
      unsigned: await unsignedToken(server, session),
      'other session': await otherSessionToken(server, session),
      garbage: 'not-a-jwt'
    };
    expect((await refusal(server, [])).status).toBe(401);
    const none = await refusal(server, [SIGNAL_SUBPROTOCOL]);
    expect(none).toEqual({ status: 401, body: expect.stringMatching(/credential is required/) });
    expect((await refusal(server, [await validToken(server, session)])).status).toBe(401);
    for (const [what, token] of Object.entries(bad)) {
      const r = await refusal(server, [SIGNAL_SUBPROTOCOL, token]);
      expect(r.status, what).toBe(401);
      expect(r.body, what).toMatch(/credential/);
      expect(r.body).not.toContain(token);
    }
    for (const token of Object.values(bad)) expect(logs.join('\n')).not.toContain(token);
  });

  it('refuses a credential for another session than the one the upgrade asks for', async () => {
    const a = await createSession(server);
    const b = await createSession(server);
    const r = await refusal(server, [SIGNAL_SUBPROTOCOL, a.token], `?session=${b.session}`);
    expect(r.status).toBe(401);
    const ws = await open(a.token, `?session=${a.session}`);
    expect(ws.protocol).toBe(SIGNAL_SUBPROTOCOL);
  });

  it('answers 404 for an upgrade on another path', async () => {
    const { token } = await createSession(server);
    const ws = new WebSocket(server.url.replace('http', 'ws') + '/other', [SIGNAL_SUBPROTOCOL, token]);
    const status = await new Promise((resolve) => ws.once('unexpected-response', (_q, res) => resolve(res.statusCode)));
    expect(status).toBe(404);
  });
});

describe('relay', () => {
  it('relays publishes to the other members, stamped with the sender', async () => {
    const s = await createSession(server);
    const alice = await member(s.session, s.token);
    const bob = await member(s.session);
    const bobGot = nextMessage(bob);
    const aliceGot = collect(alice);
    send(alice, { type: 'publish', topic: s.session, data: 'offer-bytes' });
    expect(await bobGot).toEqual({ type: 'publish', topic: s.session, from: s.participant, data: 'offer-bytes' });
    await roundTrip(alice);
    expect(aliceGot.filter((m) => m.type === 'publish')).toEqual([]);
  });

  it('relays a publish written byte for byte as clients write it and one in any other JSON shape alike; refuses what is not valid', async () => {
    const s = await createSession(server);
    const alice = await member(s.session, s.token);
    const bob = await member(s.session);
    const raw: string[] = [];
    bob.on('message', (d: Buffer) => d.includes('"pong"') || raw.push(d.toString()));
    const expected = (data: string) => JSON.stringify({ type: 'publish', topic: s.session, from: s.participant, data });
    // the spliced path (client key order, base64 data) and the parsed one (another key order,
    // whitespace, escapes, non-ASCII) must give receivers the same bytes
    alice.send(`{"type":"publish","topic":"${s.session}","data":"a+b/c="}`);
    alice.send(`{"data":"a+b/c=","topic":"${s.session}","type":"publish"}`);
    alice.send(` {"type":"publish","topic":"${s.session}","data":"a+b/c="}`);
    alice.send(`{"type":"publish","topic":"${s.session}","data":"say \\"hi\\" \\u00e9 é"}`);
    await roundTrip(alice);
    await until(() => raw.length === 4, 'four publishes relayed');
    expect(raw).toEqual([expected('a+b/c='), expected('a+b/c='), expected('a+b/c='), expected('say "hi" é é')]);
    // what looks like the spliced form but is not valid is refused, never passed on
    const errors = collect(alice);
    alice.send(`{"type":"publish","topic":"${s.session}","data":"tab\there"}`); // raw control character
    alice.send(`{"type":"publish","topic":"${s.session}","data":""}`); // empty
    alice.send(`{"type":"publish","topic":"${s.session}","data":"${'x'.repeat(MAX_SIGNAL_DATA_CHARS + 1)}"}`);
    alice.send(`{"type":"publish","topic":"${s.session}x","data":"x"}`); // another topic
    alice.send(`{"type":"publish","topic":"${s.session}","data":"x"`); // cut short
    await roundTrip(alice);
    await roundTrip(bob);
    expect(errors.filter((m) => m.type === 'error').map((m) => m.type === 'error' && m.code)).toEqual(['bad-message', 'bad-message', 'bad-message', 'forbidden-topic', 'bad-message']);
    expect(raw).toHaveLength(4);
  });

  it('keeps sessions apart: no subscribing, publishing or hearing across them', async () => {
    const a = await createSession(server);
    const b = await createSession(server);
    const inA = await member(a.session, a.token);
    const inB = await member(b.session, b.token);
    const heardA = collect(inA);
    send(inA, { type: 'subscribe', topics: [b.session] });
    const err = await nextMessage(inA);
    expect(err).toMatchObject({ type: 'error', code: 'forbidden-topic' });
    send(inA, { type: 'publish', topic: b.session, data: 'sneaky' });
    expect(await nextMessage(inA)).toMatchObject({ type: 'error', code: 'forbidden-topic' });
    const heardB = collect(inB);
    send(inB, { type: 'publish', topic: b.session, data: 'for b only' });
    await roundTrip(inB);
    await roundTrip(inA);
    expect(heardA.filter((m) => m.type === 'publish')).toEqual([]);
    expect(heardB.filter((m) => m.type === 'publish')).toEqual([]);
  });

  it('answers ping with pong', async () => {
    const { token } = await createSession(server);
    const ws = await open(token);
    send(ws, { type: 'ping' });
    expect(await nextMessage(ws)).toEqual({ type: 'pong' });
  });

  it('closes a socket that sends a message over MAX_SIGNAL_BYTES (1009)', async () => {
    const s = await createSession(server);
    const ws = await open(s.token);
    const done = closed(ws);
    ws.send(JSON.stringify({ type: 'publish', topic: s.session, data: 'x'.repeat(MAX_SIGNAL_BYTES) }));
    expect((await done).code).toBe(1009);
  });

  it('answers malformed messages with errors and closes after repeated abuse (1008)', async () => {
    const { token } = await createSession(server);
    const ws = await open(token);
    ws.send('{not json');
    expect(await nextMessage(ws)).toMatchObject({ type: 'error', message: expect.stringMatching(/not valid JSON/) });
    ws.send(JSON.stringify({ type: 'shout' }));
    expect(await nextMessage(ws)).toMatchObject({ type: 'error', message: expect.stringMatching(/unknown signaling message type/) });
    ws.send(Buffer.from([1, 2, 3]));
    expect(await nextMessage(ws)).toMatchObject({ type: 'error', message: expect.stringMatching(/not binary/) });
    const done = closed(ws);
    for (let i = 3; i < MAX_BAD_MESSAGES; i++) ws.send('[]');
    expect(await done).toEqual({ code: 1008, reason: expect.stringMatching(/too many/) });
  });

  it('closes a socket whose credential expires (4001) unless it sends a fresh one', async () => {
    const s = await createSession(server);
    // Verifies now (within the skew) and runs out of skew in about three seconds (a loaded machine may take a second to open the sockets).
    const exp = Math.floor(Date.now() / 1000) - CLOCK_SKEW_S + 3;
    const claims = { sub: 'p_expiring0001', iat: exp - CREDENTIAL_TTL_S, exp };
    const lapsing = await open(await validToken(server, s.session, claims));
    const refreshed = await open(await validToken(server, s.session, { ...claims, sub: 'p_refreshed001' }));
    send(refreshed, { type: 'auth', token: await validToken(server, s.session, { sub: 'p_refreshed001' }) });
    await roundTrip(refreshed);
    expect(await closed(lapsing, 8000)).toEqual({ code: 4001, reason: 'credential expired' });
    // Past the first credential's deadline (which the lapsing one shared), a round trip is
    // answered: the server runs due timers before it reads the ping, so a close would come first.
    const deadline = (exp + CLOCK_SKEW_S) * 1000;
    await vi.waitFor(() => expect(Date.now()).toBeGreaterThan(deadline + 10), { timeout: 4000, interval: 5 });
    await roundTrip(refreshed);
    expect(refreshed.readyState).toBe(WebSocket.OPEN);
  });

  it('refuses an auth message for another participant or session', async () => {
    const a = await createSession(server);
    const ws = await open(a.token);
    send(ws, { type: 'auth', token: await validToken(server, a.session) });
    expect(await nextMessage(ws)).toMatchObject({ type: 'error', code: 'bad-credential', message: expect.stringMatching(/another participant/) });
    send(ws, { type: 'auth', token: await otherSessionToken(server, a.session, { sub: a.participant }) });
    expect(await nextMessage(ws)).toMatchObject({ type: 'error', code: 'bad-credential' });
    send(ws, { type: 'auth', token: await forgedToken(server, a.session, { sub: a.participant }) });
    expect(await nextMessage(ws)).toMatchObject({ type: 'error', code: 'bad-credential' });
  });

  it('drops a socket that stops answering heartbeat pings', async () => {
    const quick = await startSignaling({ port: 0, staticDir: null, heartbeatMs: HEARTBEAT_MS, log: () => {} });
    try {
      const s = await createSession(quick);
      const silent = new WebSocket(quick.url.replace('http', 'ws') + '/signal', [SIGNAL_SUBPROTOCOL, s.token], { autoPong: false });
      sockets.push(silent);
      await new Promise((r) => silent.once('open', r));
      const alive = await connect(quick, (await createSession(quick)).token);
      sockets.push(alive);
      const t0 = Date.now();
      expect((await closed(silent, 10 * HEARTBEAT_MS)).code).toBe(1006);
      expect(Date.now() - t0).toBeLessThan(4 * HEARTBEAT_MS);
      expect(alive.readyState).toBe(WebSocket.OPEN);
    } finally {
      await quick.close();
    }
  });

  it('stops relaying to a socket once it has closed', async () => {
    const s = await createSession(server);
    const alice = await member(s.session, s.token);
    const bob = await member(s.session);
    const gone = closed(bob);
    bob.close();
    await gone;
    const carol = await member(s.session);
    const carolGot = nextMessage(carol);
    send(alice, { type: 'publish', topic: s.session, data: 'after bob left' });
    expect(await carolGot).toMatchObject({ data: 'after bob left' });
    expect(logs.some((l) => l.includes('left ' + s.session))).toBe(true);
  });
});

describe('relay budgets and caps', () => {
  it('caps sockets per client address (an IPv6 /64 is one address) with a clear reason; other addresses get in', async () => {
    const proxied = await startSignaling({ port: 0, staticDir: null, trustProxy: true, maxSocketsPerAddress: 2, log: () => {} });
    const opened: WebSocket[] = [];
    const from = (addr: string, token: string) =>
      new Promise<{ status: number; body: string } | 'open'>((resolve, reject) => {
        const ws = new WebSocket(proxied.url.replace(/^http/, 'ws') + '/signal', [SIGNAL_SUBPROTOCOL, token], { headers: { 'X-Forwarded-For': addr } });
        opened.push(ws);
        ws.once('open', () => resolve('open'));
        ws.once('unexpected-response', (_req, res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (body += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        ws.once('error', reject);
      });
    try {
      // different sessions and credentials: only the address is shared
      const tokens = async () => (await createSession(proxied)).token;
      expect(await from('2001:db8:1:2::1', await tokens())).toBe('open');
      expect(await from('2001:db8:1:2:ffff::9', await tokens())).toBe('open');
      expect(await from('2001:db8:1:2:abcd::7', await tokens())).toEqual({ status: 429, body: expect.stringMatching(/your address already has 2 signaling connections/) });
      expect(await from('2001:db8:1:3::1', await tokens())).toBe('open');
      expect(await from('192.0.2.7', await tokens())).toBe('open');
      // a closed socket frees its place
      opened[0].close();
      await vi.waitFor(async () => expect(await from('2001:db8:1:2::5', await tokens())).toBe('open'));
    } finally {
      opened.forEach((ws) => ws.terminate());
      await proxied.close();
    }
  });

  it('drops a flood of publishes from one socket, tells it once, closes it, and keeps relaying for others', async () => {
    const { session } = await createSession(server);
    const flooder = await member(session);
    const other = await member(session);
    const got: ServerSignal[] = [];
    other.on('message', (d) => got.push(JSON.parse(d.toString())));
    const errors: ServerSignal[] = [];
    flooder.on('message', (d) => errors.push(JSON.parse(d.toString())));
    const closing = closed(flooder, 20_000);
    const data = 'x'.repeat(48 * 1024);
    const t0 = Date.now();
    for (let i = 0; i < 2000 && flooder.readyState === WebSocket.OPEN; i++) send(flooder, { type: 'publish', topic: session, data });
    // (96 MB to read through: a loaded machine takes seconds)
    expect((await closing).code).toBe(CLOSE_FLOODING);
    // at most the byte budget reached the other member (1 MiB burst + 128 KiB/s of 48 KiB messages), not 96 MB
    const budget = SOCKET_BUDGET.bytes.burst + (SOCKET_BUDGET.bytes.perSecond * (Date.now() - t0)) / 1000;
    expect(got.length).toBeLessThanOrEqual(Math.ceil(budget / data.length) + 1);
    expect(errors.filter((e) => e.type === 'error' && e.code === 'rate-limited')).toHaveLength(1);
    // the session still relays for well-behaved sockets
    const third = await member(session);
    const before = got.length;
    send(third, { type: 'publish', topic: session, data: 'hello' });
    await vi.waitFor(() => expect(got.length).toBe(before + 1));
  });

  it('caps sockets per credential and per session with a clear reason; the global cap answers 503', async () => {
    const { session } = await createSession(server);
    const token = await validToken(server, session);
    for (let i = 0; i < MAX_SOCKETS_PER_PARTICIPANT; i++) await open(token);
    const refused = await refusal(server, [SIGNAL_SUBPROTOCOL, token]);
    expect(refused).toEqual({ status: 429, body: expect.stringMatching(/this participant already has 3 signaling connections/) });
    // another participant of the same session still gets in
    await open(await validToken(server, session));

    // the session's own cap: its 65th socket is refused, other sessions are not
    for (let i = MAX_SOCKETS_PER_PARTICIPANT + 1; i < MAX_SOCKETS_PER_SESSION; i++) await open(await validToken(server, session));
    expect(await refusal(server, [SIGNAL_SUBPROTOCOL, await validToken(server, session)])).toEqual({
      status: 429,
      body: expect.stringMatching(/this session already has 64 signaling connections/)
    });
    await open((await createSession(server)).token);

    const small = await startSignaling({ port: 0, staticDir: null, maxSockets: 2, log: () => {} });
    try {
      const s2 = await createSession(small);
      const a = await connect(small, await validToken(small, s2.session));
      const b = await connect(small, await validToken(small, s2.session));
      const full = await refusal(small, [SIGNAL_SUBPROTOCOL, await validToken(small, s2.session)]);
      expect(full).toEqual({ status: 503, body: expect.stringMatching(/connection limit/) });
      a.terminate();
      b.terminate();
    } finally {
      await small.close();
    }
  });
});
