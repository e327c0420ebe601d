/**
 * A participant in Node (node-datachannel), for integration tests: joins a session with an
 * invite through the product's ApiClient, binds its credential to its own DTLS certificate, joins
 * the mesh and follows terminals and commands with the product's TerminalClient and CommandsClient. `helloToken` replaces the
 * credential it presents to peers (the socket to signaling keeps the real one), to test what peers
 * do with bad credentials.
 */
import type { CredentialResponse } from '../../src/lib/protocol/api.ts';
import { localVerifier } from '../../src/lib/protocol/credentials.ts';
import { ApiClient } from '../../src/lib/mesh/api-client.ts';
import { Mesh, type MeshPeer, type PeerError } from '../../src/lib/mesh/mesh.ts';
import type { OwnerKey } from '../../src/lib/mesh/owner-key.ts';
import { roomKey } from '../../src/lib/mesh/room-crypto.ts';
import { TerminalClient } from '../../src/lib/terminal/terminal-client.ts';
import { CommandsClient } from '../../src/lib/commands/commands-client.ts';
import { makeCertificate } from '../../host-agent/cert.ts';
import { nodeRtcConfig, NodeRTCPeerConnection } from '../../host-agent/webrtc.ts';
import { nextEvent } from './wait.ts';

export interface NodePeer {
  mesh: Mesh;
  cred: CredentialResponse;
  fingerprint: string;
  terminals: TerminalClient;
  /** the host's list of commands, as a page keeps it */
  commands: CommandsClient;
  /** `error` messages peers sent this participant, in order */
  errors: PeerError[];
  log: string[];
  /** resolves with the first admitted peer whose role matches */
  peer(role?: string, ms?: number): Promise<MeshPeer>;
  dispose(): Promise<void>;
}

export async function joinNodePeer(
  base: string,
  session: string,
  invite: string,
  secret: string,
  opts: { name?: string; helloToken?: (cred: CredentialResponse, fp: string) => Promise<string>; fp?: string; ownerKey?: OwnerKey; RTCPeerConnection?: typeof RTCPeerConnection } = {}
): Promise<NodePeer> {
  const cert = makeCertificate();
  const api = new ApiClient(base);
  const cred = await api.join(session, { invite, name: opts.name ?? 'Node peer', fp: opts.fp ?? cert.fingerprint, ck: opts.ownerKey?.jwk });
  const jwks = await api.jwks();
  const hello = opts.helloToken ? await opts.helloToken(cred, cert.fingerprint) : cred.token;
  let online = false;
  const log: string[] = [];
  const mesh = new Mesh({
    session,
    selfId: cred.participant,
    role: cred.role,
    signalingUrl: `${base.replace(/^http/, 'ws')}/signal`,
    // the socket authenticates with the real credential; peers get `hello` once it is up
    token: () => (online ? hello : cred.token),
    verify: localVerifier(jwks),
    key: await roomKey(secret, session),
    RTCPeerConnection: opts.RTCPeerConnection ?? NodeRTCPeerConnection,
    dropMdnsCandidates: true,
    // the servers the credential brought (TURN, relay-only), as the host agent does
    rtcConfig: nodeRtcConfig({ iceServers: cred.ice, iceTransportPolicy: cred.relay ? 'relay' : 'all', certificatePemFile: cert.certFile, keyPemFile: cert.keyFile } as RTCConfiguration),
    log: (l) => log.push(l)
  });
  mesh.signalingStatus.on((s) => (online = s === 'online'));
  const errors: PeerError[] = [];
  mesh.peerError.on((e) => errors.push(e));
  const terminals = new TerminalClient(mesh);
  const commands = new CommandsClient(mesh);
  return {
    mesh,
    cred,
    fingerprint: cert.fingerprint,
    terminals,
    commands,
    errors,
    log,
    peer(role, ms = 15_000) {
      const found = mesh.peers.find((p) => !role || p.claims.role === role);
      if (found) return Promise.resolve(found);
      return nextEvent(mesh.peerJoined.on, (p) => !role || p.claims.role === role, `a ${role ?? ''} peer within ${ms} ms; log: ${log.join(' | ')}`, ms);
    },
    async dispose() {
      terminals.dispose();
      commands.dispose();
      await mesh.dispose('test over');
      cert.dispose();
    }
  };
}
