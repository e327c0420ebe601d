/**
 * Real signaling server + Node peers over real WebRTC (node-datachannel): peers admit each other
 * only with a valid credential bound to the connection's certificate.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreateSessionResponse } from '../../src/lib/protocol/api.ts';
import { ApiClient } from '../../src/lib/mesh/api-client.ts';
import { newRoomSecret } from '../../src/lib/mesh/room-crypto.ts';
import { meshProtocol } from '../../src/lib/protocol/mesh.ts';
import { startSignaling, type SignalingServer } from '../../signaling/server.ts';
import { cleanupWebRTC } from '../../host-agent/webrtc.ts';
import { joinNodePeer, type NodePeer } from '../helpers/node-peer.ts';
import { nextEvent } from '../helpers/wait.ts';
import { expiredToken, forgedToken, otherSessionToken, unsignedToken, validToken, wrongAlgToken } from '../helpers/tokens.ts';

let server: SignalingServer;
let created: CreateSessionResponse;
const secret = newRoomSecret();
const peers: NodePeer[] = [];

async function join(invite: string, opts: Parameters<typeof joinNodePeer>[4] = {}) {
  const p = await joinNodePeer(server.url, created.session, invite, secret, opts);
  peers.push(p);
  return p;
}

beforeAll(async () => {
  server = await startSignaling({ port: 0, staticDir: null, log: () => {} });
  created = await new ApiClient(server.url).createSession({ role: 'owner', name: 'Owner' });
});

afterAll(async () => {
  await Promise.all(peers.map((p) => p.dispose()));
  await server.close();
  cleanupWebRTC();
});

describe('mesh', () => {
  it('connects two participants who verify each other and exchange messages', async () => {
    const a = await join(created.invites.editor, { name: 'Alice' });
    const b = await join(created.invites.viewer, { name: 'Bob' });
    const [bFromA, aFromB] = await Promise.all([a.peer('viewer'), b.peer('editor')]);
    expect(bFromA.claims).toMatchObject({ name: 'Bob', role: 'viewer', sub: b.cred.participant, aud: created.session });
    expect(aFromB.claims).toMatchObject({ name: 'Alice', role: 'editor', sub: a.cred.participant });
    const renamed = nextEvent(b.mesh.peerRenamed.on, (p) => p.id === a.cred.participant, 'the rename');
    bFromA.send(meshProtocol, { type: 'rename', name: 'Alicia' });
    expect((await renamed).name).toBe('Alicia');
    // leaving on purpose is a bye, not a lost connection (no reconnect)
    const gone = nextEvent(b.mesh.peerGone.on, ({ peer }) => peer.id === a.cred.participant, 'Alice leaving');
    await a.dispose();
    peers.splice(peers.indexOf(a), 1);
    expect((await gone).reason).toEqual({ kind: 'bye', detail: 'test over' });
  });

  const bad: [string, (fp: string, sub: string) => Promise<string>, RegExp][] = [
    ['forged', (fp) => forgedToken(server, created.session, { fp }), /signature does not verify/],
    ['expired', (fp) => expiredToken(server, created.session, { fp }), /expired/],
    ['wrong-algorithm', (fp) => wrongAlgToken(server, created.session, { fp }), /algorithm not allowed/],
    ['unsigned', (fp) => unsignedToken(server, created.session, { fp }), /algorithm not allowed|Unsupported|alg/i],
    ['other-session', (fp) => otherSessionToken(server, created.session, { fp }), /claim "aud"/],
    ['other participant', (fp) => validToken(server, created.session, { fp }), /names another participant/],
    ['bound to another certificate', (_fp, sub) => validToken(server, created.session, { sub, fp: 'AB:CD' }), /not bound to the certificate/]
  ];
  for (const [what, make, reason] of bad) {
    it(`refuses a peer presenting a ${what} credential`, async () => {
      const guard = await join(created.invites.editor, { name: 'Guard' });
      const intruder = await join(created.invites.editor, {
        name: 'Intruder',
        // "other participant" is a valid token for a sub the relay did not vouch for
        helloToken: (cred, fp) => make(fp, cred.participant)
      });
      const refusal = await nextEvent(guard.mesh.peerRefused.on, (r) => r.id === intruder.cred.participant, `the refusal; guard log: ${guard.log.join(' | ')}`, 20_000);
      expect(refusal.error.message).toMatch(reason);
      expect(refusal.error.code).toBe('bad-credential');
      expect(guard.mesh.peers.some((p) => p.id === intruder.cred.participant)).toBe(false);
      await Promise.all([guard.dispose(), intruder.dispose()]);
      peers.splice(peers.indexOf(guard), 1);
      peers.splice(peers.indexOf(intruder), 1);
    });
  }
});
