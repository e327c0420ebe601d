/** What an operator's tooling sees: /healthz, /readyz, /metrics, and a graceful shutdown. */
import { connect as tcpConnect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { SIGNAL_SUBPROTOCOL } from '../src/lib/protocol/signaling.ts';
import { CLOSE_RESTARTING, startSignaling, type SignalingServer } from './server.ts';
import { closed, connect, createSession, post, refusal, roundTrip, send } from './testing.ts';

const servers: SignalingServer[] = [];
const sockets: WebSocket[] = [];
afterEach(async () => {
  sockets.splice(0).forEach((ws) => ws.terminate());
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(opts: Parameters<typeof startSignaling>[0] = {}): Promise<SignalingServer> {
  const s = await startSignaling({ port: 0, staticDir: null, log: () => {}, ...opts });
  servers.push(s);
  return s;
}

/** The value of one sample in Prometheus text (`name{labels} value`), 0 when absent. */
function sample(text: string, name: string, labels = ''): number {
  const line = text.split('\n').find((l) => l.startsWith(labels ? `${name}{${labels}} ` : `${name} `));
  return line ? Number(line.split(' ').pop()) : 0;
}

describe('operator routes', () => {
  it('answers /healthz and /readyz, and GET only', async () => {
    const s = await start();
    expect(await (await fetch(s.url + '/healthz')).json()).toEqual({ ok: true });
    const ready = await fetch(s.url + '/readyz');
    expect(ready.status).toBe(200);
    expect((await fetch(s.url + '/metrics', { method: 'POST' })).status).toBe(405);
  });

  it('counts connections, sessions, relayed messages and bytes, refusals by reason, credentials and rate-limit hits', async () => {
    const s = await start({ limits: { create: { burst: 2, perMinute: 1 }, join: { burst: 100, perMinute: 100 } } });
    const a = await createSession(s);
    await createSession(s);
    expect((await post(s, '/api/sessions', { role: 'owner', name: 'Third' })).status).toBe(429);
    const joined = await post(s, `/api/sessions/${a.session}/join`, { invite: a.invites.viewer, name: 'V' });
    expect((await post(s, `/api/sessions/${a.session}/join`, { invite: 'nope'.repeat(8), name: 'X' })).status).toBe(403);
    expect((await refusal(s, [SIGNAL_SUBPROTOCOL, 'not-a-jwt'])).status).toBe(401);
    const owner = await connect(s, a.token);
    const viewer = await connect(s, joined.json.token as string);
    sockets.push(owner, viewer);
    for (const ws of [owner, viewer]) send(ws, { type: 'subscribe', topics: [a.session] });
    await Promise.all([roundTrip(owner), roundTrip(viewer)]);
    send(owner, { type: 'publish', topic: a.session, data: 'x'.repeat(1000) });
    await roundTrip(owner);
    await roundTrip(viewer);

    const res = await fetch(s.url + '/metrics');
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(sample(text, 'signaling_connections')).toBe(2);
    expect(sample(text, 'signaling_sessions')).toBe(2);
    expect(sample(text, 'signaling_relayed_messages_total')).toBe(1);
    expect(sample(text, 'signaling_relayed_bytes_total')).toBe(1000);
    expect(sample(text, 'signaling_credentials_issued_total', 'kind="create"')).toBe(2);
    expect(sample(text, 'signaling_credentials_issued_total', 'kind="join"')).toBe(1);
    expect(sample(text, 'signaling_rate_limited_total', 'limit="api-create"')).toBe(1);
    expect(sample(text, 'signaling_rejects_total', 'reason="rate-limited"')).toBe(1);
    expect(sample(text, 'signaling_rejects_total', 'reason="bad-invite"')).toBe(1);
    expect(sample(text, 'signaling_rejects_total', 'reason="bad-credential"')).toBe(1);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds \d/m);
    expect(text).toMatch(/^process_resident_memory_bytes \d/m);
    // counts only: no ids, names or secrets
    for (const s of [a.session, a.token, a.invites.viewer, 'Creator']) expect(text).not.toContain(s);
  });
});

describe('--public-url', () => {
  it("accepts its pages' calls from the public origin behind a proxy that rewrites Host, and still refuses other sites", async () => {
    const s = await start({ publicUrl: 'https://signal.example.com' });
    expect((await post(s, '/api/sessions', { role: 'owner', name: 'X' }, { Origin: 'https://signal.example.com' })).status).toBe(201);
    expect((await post(s, '/api/sessions', { role: 'owner', name: 'X' }, { Origin: 'https://evil.example' })).json.code).toBe('cross-origin');
    expect((await post(s, '/api/sessions', { role: 'owner', name: 'X' }, { Origin: 'https://signal.example.com.evil.example' })).json.code).toBe('cross-origin');
  });
});

describe('graceful shutdown', () => {
  it('stops accepting, tells sockets to reconnect (1012), lets a request in flight finish by the deadline, then cuts it', async () => {
    const s = await startSignaling({ port: 0, staticDir: null, log: () => {}, shutdownMs: 800 });
    const a = await createSession(s);
    const ws = await connect(s, a.token);
    sockets.push(ws);
    const wsClosed = closed(ws);
    // a request whose body never finishes: in flight until the deadline cuts it
    const slow = tcpConnect(s.port, '127.0.0.1');
    await new Promise((r) => slow.once('connect', r));
    slow.write(`POST /api/sessions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"ro`);
    const slowEnded = new Promise<number>((r) => slow.once('close', () => r(Date.now())));
    // a request sent after it has been answered: the slow one's headers were read before
    expect((await fetch(s.url + '/healthz')).status).toBe(200);
    const t0 = Date.now();
    const closing = s.close();
    expect(await wsClosed).toEqual({ code: CLOSE_RESTARTING, reason: 'signaling server restarting: reconnect' });
    await expect(fetch(s.url + '/healthz')).rejects.toThrow();
    await closing;
    const cutAfter = (await slowEnded) - t0;
    expect(cutAfter).toBeGreaterThanOrEqual(700);
    expect(Date.now() - t0).toBeLessThan(800 + 2000);
  });
});
