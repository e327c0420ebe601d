/**
 * Credentials on live connections, through real parts (signaling server, host agent, Node peers
 * over real data channels): a credential is checked at hello and again when it lapses — a peer
 * that does not renew it in time is dropped by every peer; one that renews stays.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOCK_SKEW_S, CREDENTIAL_TTL_S, LAPSE_GRACE_S } from '../../src/lib/protocol/credentials.ts';
import { cleanupWebRTC } from '../../host-agent/webrtc.ts';
import { joinNodePeer, type NodePeer } from '../helpers/node-peer.ts';
import { startStack, type Stack } from '../helpers/stack.ts';
import { TermScreen } from '../helpers/term-screen.ts';
import { validToken } from '../helpers/tokens.ts';
import { nextEvent, until } from '../helpers/wait.ts';

let stack: Stack;
const peers: NodePeer[] = [];

async function joinAs(role: 'owner' | 'editor' | 'viewer', name: string, opts: Parameters<typeof joinNodePeer>[4] = {}) {
  const { invite, key } = stack.link(role);
  const p = await joinNodePeer(stack.server.url, stack.agent.session, invite, key, { name, ...opts });
  peers.push(p);
  return p;
}

/** A credential of `p`'s own (participant, certificate) that lapses `inS` seconds from now, skew included. */
function lapsingIn(inS: number, role = 'editor' as const) {
  return (cred: { participant: string; name: string }, fp: string) => {
    const exp = Math.floor(Date.now() / 1000) + inS - CLOCK_SKEW_S;
    return validToken(stack.server, stack.agent.session, { sub: cred.participant, name: cred.name, fp, role, exp, iat: exp - CREDENTIAL_TTL_S + 5 });
  };
}

beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await Promise.all(peers.map((p) => p.dispose()));
  await stack.dispose();
  cleanupWebRTC();
});

describe('credentials on live connections', () => {
  it('drops a peer whose credential lapsed unrenewed after a short grace; a peer that renews stays and keeps typing', async () => {
    const lapsing = await joinAs('editor', 'Lapsing', { helloToken: lapsingIn(2) });
    const renewing = await joinAs('editor', 'Renewing', { helloToken: lapsingIn(2) });
    await Promise.all([lapsing.peer('host'), renewing.peer('host')]);
    await until(() => stack.agent.mesh.peers.filter((p) => ['Lapsing', 'Renewing'].includes(p.name)).length === 2, 'the host to admit both');
    const dropped = nextEvent(stack.agent.mesh.peerGone.on, ({ peer }) => peer.id === lapsing.cred.participant, 'the lapsed peer dropped', (2 + LAPSE_GRACE_S + 10) * 1000);
    const t0 = Date.now();
    renewing.mesh.renewed(await validToken(stack.server, stack.agent.session, { sub: renewing.cred.participant, name: 'Renewing', fp: renewing.fingerprint, role: 'editor' }));
    expect((await dropped).reason).toMatchObject({ kind: 'removed', detail: expect.stringMatching(/expired/) });
    console.log(`lapsed peer dropped ${Date.now() - t0} ms after the test started its 2 s credential (grace ${LAPSE_GRACE_S} s)`);
    expect(stack.agent.mesh.peers.some((p) => p.id === renewing.cred.participant)).toBe(true);
    const id = stack.agent.terminals.list()[0].id;
    const t = new TermScreen(renewing.terminals, id);
    await until(() => t.snapshots.length > 0, 'a snapshot');
    renewing.terminals.input(id, 'echo renewed-$((20+22))\r');
    await t.waitFor(/renewed-42/);
    // the lapsed one is not let back in with the same credential
    await new Promise((r) => setTimeout(r, 1000));
    expect(stack.agent.mesh.peers.some((p) => p.id === lapsing.cred.participant)).toBe(false);
  });
});
