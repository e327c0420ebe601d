/**
 * A participant in Node (node-datachannel), for integration tests: joins a session with an
 * invite, binds its credential to its own DTLS certificate and joins the mesh. `helloToken`
 * replaces the credential it presents to peers (the socket to signaling keeps the real one), to
 * test what peers do with bad credentials.
 */
import type { CredentialResponse } from '../../src/lib/protocol/api.ts';
import { localVerifier } from '../../src/lib/protocol/credentials.ts';
import { Mesh, type MeshPeer } from '../../src/lib/mesh/mesh.ts';
import { roomKey } from '../../src/lib/mesh/room-crypto.ts';
import { makeCertificate } from '../../host-agent/cert.ts';
import { NodeRTCPeerConnection } from '../../host-agent/webrtc.ts';

export interface NodePeer {
  mesh: Mesh;
  cred: CredentialResponse;
  fingerprint: string;
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
  opts: { name?: string; helloToken?: (cred: CredentialResponse, fp: string) => Promise<string>; fp?: string } = {}
): Promise<NodePeer> {
  const cert = makeCertificate();
  const res = await fetch(`${base}/api/sessions/${session}/join`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ invite, name: opts.name ?? 'Node peer', fp: opts.fp ?? cert.fingerprint })
  });
  if (!res.ok) throw new Error(`join failed: ${res.status} ${await res.text()}`);
  const cred = (await res.json()) as CredentialResponse;
  const jwks = await (await fetch(`${base}/.well-known/jwks.json`)).json();
  const hello = opts.helloToken ? await opts.helloToken(cred, cert.fingerprint) : cred.token;
  let online = false;
  const log: string[] = [];
  const mesh = new Mesh({
    session,
    selfId: cred.participant,
    signalingUrl: `${base.replace(/^http/, 'ws')}/signal`,
    // the socket authenticates with the real credential; peers get `hello` once it is up
    token: () => (online ? hello : cred.token),
    verify: localVerifier(jwks),
    key: await roomKey(secret, session),
    RTCPeerConnection: NodeRTCPeerConnection,
        dropMdnsCandidates: true,
    rtcConfig: { iceServers: [], certificatePemFile: cert.certFile, keyPemFile: cert.keyFile } as RTCConfiguration,
    log: (l) => log.push(l)
  });
  mesh.onSignalingStatus((s) => (online = s === 'online'));
  return {
    mesh,
    cred,
    fingerprint: cert.fingerprint,
    log,
    peer(role, ms = 15_000) {
      return new Promise((resolve, reject) => {
        const found = mesh.peers.find((p) => !role || p.claims.role === role);
        if (found) return resolve(found);
        const t = setTimeout(() => reject(new Error(`no ${role ?? ''} peer within ${ms} ms; log: ${log.join(' | ')}`)), ms);
        const off = mesh.onPeer((p) => {
          if (role && p.claims.role !== role) return;
          clearTimeout(t);
          off();
          resolve(p);
        });
      });
    },
    async dispose() {
      await mesh.dispose('test over');
      cert.dispose();
    }
  };
}
