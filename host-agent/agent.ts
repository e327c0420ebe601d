/**
 * The host agent: creates a session on the signaling server, joins the mesh as the `host` peer
 * and serves terminals (PTY + headless mirror) to the participants it admits.
 */
import { join } from 'node:path';
import { localVerifier } from '../src/lib/protocol/credentials.ts';
import type { InviteRole } from '../src/lib/protocol/roles.ts';
import { Credential } from '../src/lib/mesh/credential.ts';
import { Mesh } from '../src/lib/mesh/mesh.ts';
import { newRoomSecret, roomKey } from '../src/lib/mesh/room-crypto.ts';
import { createSession, fetchJwks } from './api-client.ts';
import { AuditLog } from './audit.ts';
import { makeCertificate, type DtlsCertificate } from './cert.ts';
import { sessionLinks } from './links.ts';
import { TerminalHub } from './terminal-hub.ts';
import { TerminalSet } from './terminals/terminal-set.ts';
import { NodeRTCPeerConnection } from './webrtc.ts';

export interface HostOptions {
  /** http(s) base URL of the signaling server */
  signaling: string;
  cwd: string;
  shell: string;
  name: string;
  log: (line: string) => void;
  /** where this host keeps its records: `<stateDir>/<session>/audit.jsonl` */
  stateDir: string;
  /** the shells' environment (default: this process's) */
  env?: Record<string, string>;
}

export class HostAgent {
  readonly session: string;
  readonly links: Record<InviteRole, string>;
  readonly audit: AuditLog;
  readonly mesh: Mesh;
  readonly terminals: TerminalSet;
  readonly hub: TerminalHub;
  #cert: DtlsCertificate;
  #credential: Credential;
  #disposed = false;

  private constructor(p: { session: string; links: Record<InviteRole, string>; audit: AuditLog; mesh: Mesh; terminals: TerminalSet; hub: TerminalHub; cert: DtlsCertificate; credential: Credential }) {
    this.session = p.session;
    this.links = p.links;
    this.audit = p.audit;
    this.mesh = p.mesh;
    this.terminals = p.terminals;
    this.hub = p.hub;
    this.#cert = p.cert;
    this.#credential = p.credential;
  }

  static async start(o: HostOptions): Promise<HostAgent> {
    const cert = makeCertificate();
    try {
      const created = await createSession(o.signaling, { role: 'host', name: o.name, fp: cert.fingerprint });
      const verify = localVerifier(await fetchJwks(o.signaling));
      const secret = newRoomSecret();
      const key = await roomKey(secret, created.session);
      const links = sessionLinks(o.signaling, created.session, created.invites, secret);
      const credential = new Credential(o.signaling, created, cert.fingerprint);
      const audit = new AuditLog(join(o.stateDir, created.session, 'audit.jsonl'));
      const terminals = new TerminalSet({ shell: o.shell, cwd: o.cwd, env: o.env });
      terminals.open(100, 30);
      const hub = new TerminalHub(terminals, audit, o.log);
      const signalingUrl = new URL('/signal', o.signaling.replace(/^http/, 'ws')).href;
      const mesh = new Mesh({
        session: created.session,
        selfId: created.participant,
        signalingUrl,
        token: () => credential.token,
        verify,
        key,
        RTCPeerConnection: NodeRTCPeerConnection,
        dropMdnsCandidates: true,
        rtcConfig: { iceServers: created.ice, certificatePemFile: cert.certFile, keyPemFile: cert.keyFile } as RTCConfiguration,
        log: o.log
      });
      credential.onRefresh((t) => mesh.signaling.refreshed(t));
      mesh.onSignalingStatus((s) => o.log(`signaling ${s}`));
      mesh.onPeer((p) => {
        o.log(`${p.claims.name} joined as ${p.claims.role}`);
        audit.record(p.claims, { kind: 'join' });
        hub.addPeer(p);
        if (p.claims.role === 'owner') p.control({ type: 'links', links });
      });
      mesh.onPeerGone((p, reason) => {
        o.log(`${p.claims.name} left (${reason})`);
        audit.record(p.claims, { kind: 'leave' });
        hub.removePeer(p);
      });
      mesh.onFrame((p, f) => hub.handle(p, f));
      return new HostAgent({ session: created.session, links, audit, mesh, terminals, hub, cert, credential });
    } catch (e) {
      cert.dispose();
      throw e;
    }
  }

  /** Tells peers, kills the PTYs, removes the certificate. */
  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    await this.mesh.dispose('the host agent stopped');
    this.hub.dispose();
    this.terminals.dispose();
    await this.audit.close();
    this.#credential.dispose();
    this.#cert.dispose();
  }
}
