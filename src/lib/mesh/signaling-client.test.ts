import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSignaling, type SignalingServer } from '../../../signaling/server.ts';
import { createSession } from '../../../signaling/testing.ts';
import type { CreateSessionResponse } from '../protocol/api.ts';
import { ApiClient } from './api-client.ts';
import { openSignalingSocket, SignalingClient, type SignalingStatus } from './signaling-client.ts';
import { until } from '../../../test/helpers/wait.ts';

let server: SignalingServer;
let owner: CreateSessionResponse;
let url: string;

beforeAll(async () => {
  server = await startSignaling({ port: 0, staticDir: null, log: () => {} });
  owner = await createSession(server);
  url = server.url.replace(/^http/, 'ws') + '/signal';
});
afterAll(() => server.close());

/** A client that records what it is told. */
function client(token: string, socket?: WebSocket) {
  const got = { opens: 0, statuses: [] as SignalingStatus[], published: [] as string[] };
  const c = new SignalingClient({
    url,
    session: owner.session,
    token: () => token,
    socket,
    onOpen: () => got.opens++,
    onPublish: (_from, data) => got.published.push(data),
    onStatus: (s) => got.statuses.push(s)
  });
  return { c, got };
}

describe('SignalingClient with a socket opened early', () => {
  it('takes a socket that is already open: subscribes on it, tells open and online once, and publishes', async () => {
    const viewer = await new ApiClient(server.url).join(owner.session, { invite: owner.invites.viewer, name: 'Early' });
    const early = openSignalingSocket(url, viewer.token);
    await new Promise((r) => early.addEventListener('open', r, { once: true }));
    const a = client(viewer.token, early);
    // told after the constructor returned, as an open event is
    expect(a.got.opens).toBe(0);
    await until(() => a.got.opens === 1, 'open told');
    expect(a.got.statuses).toEqual(['online']);
    const b = client(owner.token);
    await until(() => b.got.opens === 1, 'the second client open');
    // the early socket subscribed: it receives what the other publishes, and the other what it publishes
    await until(() => (b.c.publish('from b'), a.got.published.includes('from b')), 'a receives');
    await until(() => (a.c.publish('from a'), b.got.published.includes('from a')), 'b receives');
    expect(a.got.opens).toBe(1);
    a.c.dispose();
    b.c.dispose();
  });

  it('takes a socket still connecting, and opens a new one in place of a closed one', async () => {
    const viewer = await new ApiClient(server.url).join(owner.session, { invite: owner.invites.viewer, name: 'Early' });
    const connecting = client(viewer.token, openSignalingSocket(url, viewer.token));
    await until(() => connecting.got.opens === 1, 'open told');
    const closed = openSignalingSocket(url, viewer.token);
    await new Promise((r) => closed.addEventListener('open', r, { once: true }));
    closed.close();
    await new Promise((r) => closed.addEventListener('close', r, { once: true }));
    const fresh = client(viewer.token, closed);
    await until(() => fresh.got.opens === 1, 'a new socket opened');
    expect(fresh.got.statuses).toEqual(['online']);
    connecting.c.dispose();
    fresh.c.dispose();
  });

  it('closes the early socket, and tells no open, when disposed at once', async () => {
    const viewer = await new ApiClient(server.url).join(owner.session, { invite: owner.invites.viewer, name: 'Early' });
    const early = openSignalingSocket(url, viewer.token);
    await new Promise((r) => early.addEventListener('open', r, { once: true }));
    const closed = new Promise((r) => early.addEventListener('close', r, { once: true }));
    const c = client(viewer.token, early);
    c.c.dispose();
    await closed;
    expect(c.got.opens).toBe(0);
    expect(c.got.statuses).toEqual([]);
  });
});
