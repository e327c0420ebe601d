/**
 * `live-sessions host --attach`: a session started without a host (an owner's "New session") gets
 * a host agent later, through a single-use host link the owner minted. Its terminal reaches the
 * participants already there; detaching leaves the session going; the link cannot be reused and
 * only an owner can mint one, and an attached host cannot end the owner's session.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpError } from '../../src/lib/protocol/api.ts';
import { writeLink, writeLinks } from '../../src/lib/protocol/links.ts';
import { ApiClient } from '../../src/lib/mesh/api-client.ts';
import { newRoomSecret } from '../../src/lib/mesh/room-crypto.ts';
import { startSignaling, type SignalingServer } from '../../signaling/server.ts';
import { HostAgent } from '../../host-agent/agent.ts';
import { cleanupWebRTC } from '../../host-agent/webrtc.ts';
import { joinNodePeer, type NodePeer } from '../helpers/node-peer.ts';
import { shellTestEnv } from '../helpers/processes.ts';
import { TermScreen } from '../helpers/term-screen.ts';
import { makeTempDir } from '../helpers/tmp.ts';
import { nextEvent, until } from '../helpers/wait.ts';

let server: SignalingServer;
let api: ApiClient;
const peers: NodePeer[] = [];
const agents: HostAgent[] = [];

/** A browser-only session: its owner's credential and links (the key never reaches the server). */
async function browserSession() {
  const created = await api.createSession({ role: 'owner', name: 'Olga' });
  const secret = newRoomSecret();
  return { created, secret, links: writeLinks(server.url, created.session, created.invites, secret) };
}

async function hostLink(s: Awaited<ReturnType<typeof browserSession>>): Promise<string> {
  const { invite } = await api.createInvite(s.created.session, s.created.token, { role: 'host', ttl: 600 });
  return writeLink(server.url, { session: s.created.session, invite, key: s.secret });
}

function attach(link: string): Promise<HostAgent> {
  const env = { ...(process.env as Record<string, string>), ...shellTestEnv() };
  const o = { signaling: server.url, cwd: makeTempDir('live-sessions-cwd-'), shell: '/bin/bash', name: 'box', stateDir: makeTempDir('live-sessions-state-'), env, log: () => {}, attach: link };
  return HostAgent.start(o).then((a) => (agents.push(a), a));
}

beforeAll(async () => {
  server = await startSignaling({ port: 0, staticDir: null, log: () => {} });
  api = new ApiClient(server.url);
});
afterAll(async () => {
  await Promise.all(peers.map((p) => p.dispose()));
  await Promise.all(agents.map((a) => a.dispose()));
  await server.close();
  cleanupWebRTC();
});

describe('host --attach', () => {
  it("a participant already in a browser-only session gets the attached host's terminal; detaching does not end the session", async () => {
    const s = await browserSession();
    const editor = await joinNodePeer(server.url, s.created.session, s.created.invites.editor, s.secret, { name: 'Eddie' });
    peers.push(editor);
    const agent = await attach(await hostLink(s));
    expect(agent.session).toBe(s.created.session);
    expect(agent.links).toBeNull();
    const host = await editor.peer('host');
    expect(host.claims.inv).toBeTruthy();
    await until(() => editor.terminals.terminals.length > 0, 'the terminal list');
    const screen = new TermScreen(editor.terminals, editor.terminals.terminals[0].id);
    editor.terminals.input(editor.terminals.terminals[0].id, 'echo attached-$((6*7))\r');
    await screen.waitFor(/attached-42/);

    const gone = nextEvent(editor.mesh.peerGone.on, (e) => e.peer.id === host.id, 'the host leaving');
    await agent.dispose();
    expect((await gone).reason.kind).toBe('bye');
    // the session is the owner's: its links still admit people
    const later = await api.join(s.created.session, { invite: s.created.invites.viewer, name: 'Vic' });
    expect(later.role).toBe('viewer');
  });

  it('a host link works once; only an owner mints one; it is one use and short-lived', async () => {
    const s = await browserSession();
    const link = await hostLink(s);
    await attach(link);
    await expect(attach(link)).rejects.toThrow(/used as many times/);
    const editor = await api.join(s.created.session, { invite: s.created.invites.editor, name: 'Eddie' });
    await expect(api.createInvite(s.created.session, editor.token, { role: 'host', ttl: 600 })).rejects.toMatchObject({ status: 403 });
    await expect(api.createInvite(s.created.session, s.created.token, { role: 'host', ttl: 600, uses: 2 })).rejects.toThrow(/"uses" must be 1/);
    await expect(api.createInvite(s.created.session, s.created.token, { role: 'host', ttl: 7200 })).rejects.toThrow(/"ttl" must be an integer from 60 to 3600/);
  });

  it('a host attached through a host link cannot end the owner\'s session (even calling the API itself); the owner can', async () => {
    const s = await browserSession();
    const { invite } = await api.createInvite(s.created.session, s.created.token, { role: 'host', ttl: 600 });
    const attached = await api.join(s.created.session, { invite, name: 'box' });
    expect(attached.role).toBe('host');
    await expect(api.end(s.created.session, attached.token)).rejects.toMatchObject({ status: 403, message: expect.stringMatching(/only an owner or the host that started the session/) });
    const editor = await api.join(s.created.session, { invite: s.created.invites.editor, name: 'Eddie' });
    await expect(api.end(s.created.session, editor.token)).rejects.toMatchObject({ status: 403 });
    // the session goes on; its owner ends it
    expect((await api.join(s.created.session, { invite: s.created.invites.viewer, name: 'Vi' })).role).toBe('viewer');
    await api.end(s.created.session, s.created.token);
    await expect(api.join(s.created.session, { invite: s.created.invites.viewer, name: 'Late' })).rejects.toMatchObject({ status: 410 });
  });

  it('an editor or viewer link is not a host link: the agent says so', async () => {
    const s = await browserSession();
    await expect(attach(s.links.editor)).rejects.toThrow(/editor's link, not a host link/);
    await expect(attach(`${server.url}/s/${s.created.session}`)).rejects.toThrow(/part after #/);
  });
});
