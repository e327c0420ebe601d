/**
 * The host agent: creates a session on the signaling server, joins the mesh as the `host` peer and
 * composes its capabilities (terminals, the owners' share links) behind one interface: each is told
 * who joins and leaves and gets the messages the router accepted for its protocol. Refused
 * messages (a viewer's keystrokes) are recorded in the audit log with their author.
 */
import { join } from 'node:path';
import type { Typed } from '../src/lib/protocol/capability.ts';
import { localVerifier } from '../src/lib/protocol/credentials.ts';
import { writeLinks } from '../src/lib/protocol/links.ts';
import type { InviteRole } from '../src/lib/protocol/roles.ts';
import { ApiClient } from '../src/lib/mesh/api-client.ts';
import { Credential } from '../src/lib/mesh/credential.ts';
import { DisposableStore } from '../src/lib/mesh/events.ts';
import { Mesh } from '../src/lib/mesh/mesh.ts';
import { newRoomSecret, roomKey } from '../src/lib/mesh/room-crypto.ts';
import { AuditLog } from './audit.ts';
import type { HostCapability } from './capability.ts';
import { makeCertificate, type DtlsCertificate } from './cert.ts';
import { EnvHost } from './env/env-host.ts';
import { ShareLinksHost } from './share-links.ts';
import { TerminalHub } from './terminals/hub.ts';
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

function definedEnv(): Record<string, string> {
  return Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined));
}

/** A bit of what a refused message held, for the audit log. */
function refusedDetail(msg: Typed): { term?: number; bytes?: number } {
  const m = msg as { id?: unknown; data?: unknown };
  return {
    term: typeof m.id === 'number' ? m.id : undefined,
    bytes: m.data instanceof Uint8Array ? m.data.length : undefined
  };
}

export class HostAgent {
  readonly session: string;
  readonly links: Record<InviteRole, string>;
  readonly audit: AuditLog;
  readonly mesh: Mesh;
  readonly terminals: TerminalSet;
  readonly hub: TerminalHub;
  #capabilities: HostCapability[];
  #store = new DisposableStore();
  #cert: DtlsCertificate;
  #credential: Credential;
  #disposed = false;

  private constructor(p: { session: string; links: Record<InviteRole, string>; audit: AuditLog; mesh: Mesh; terminals: TerminalSet; cert: DtlsCertificate; credential: Credential; env: EnvHost; log: (line: string) => void }) {
    this.session = p.session;
    this.links = p.links;
    this.audit = p.audit;
    this.mesh = p.mesh;
    this.terminals = p.terminals;
    this.#cert = p.cert;
    this.#credential = p.credential;
    this.hub = new TerminalHub(p.terminals, p.audit, p.log);
    this.#capabilities = [this.hub, new ShareLinksHost(p.links), p.env];
    this.#compose(p.log);
  }

  #compose(log: (line: string) => void): void {
    const { mesh, audit } = this;
    const s = this.#store;
    for (const c of this.#capabilities) s.add(mesh.router.register(c.protocol, (p, m) => c.handle(p, m)));
    s.add(
      mesh.peerJoined.on((p) => {
        log(`${p.name} joined as ${p.claims.role}`);
        audit.record(p.claims, { kind: 'join' });
        for (const c of this.#capabilities) c.addPeer(p);
      })
    );
    s.add(
      mesh.peerGone.on(({ peer, reason }) => {
        log(`${peer.name} left (${reason.kind}: ${reason.detail})`);
        audit.record(peer.claims, { kind: 'leave' });
        for (const c of this.#capabilities) c.removePeer(peer);
      })
    );
    s.add(
      mesh.router.refused.on(({ peer, capability, msg }) => {
        log(`refused ${capability} ${msg.type} from ${peer.claims.role} ${peer.name} (${peer.id})`);
        audit.record(peer.claims, { kind: 'refused', what: `${capability} ${msg.type}`, ...refusedDetail(msg) });
      })
    );
    s.add(mesh.signalingStatus.on((st) => log(`signaling ${st}`)));
    s.addFn(this.#credential.onRefresh((t) => mesh.signaling.refreshed(t)));
  }

  static async start(o: HostOptions): Promise<HostAgent> {
    const cert = makeCertificate();
    try {
      const api = new ApiClient(o.signaling);
      const created = await api.createSession({ role: 'host', name: o.name, fp: cert.fingerprint });
      const verify = localVerifier(await api.jwks());
      const secret = newRoomSecret();
      const key = await roomKey(secret, created.session);
      const links = writeLinks(o.signaling, created.session, created.invites, secret);
      const credential = new Credential(api, created, cert.fingerprint);
      const audit = new AuditLog(join(o.stateDir, created.session, 'audit.jsonl'));
      // the environment capability snapshots the box now; its socket's path goes into the shells
      const env = new EnvHost({ cwd: o.cwd, env: o.env ?? process.env, audit, log: o.log });
      const terminals = new TerminalSet({ shell: o.shell, cwd: o.cwd, env: { ...(o.env ?? definedEnv()), ...env.shellEnv } });
      terminals.open(100, 30);
      const mesh = new Mesh({
        session: created.session,
        selfId: created.participant,
        role: 'host',
        signalingUrl: new URL('/signal', o.signaling.replace(/^http/, 'ws')).href,
        token: () => credential.token,
        verify,
        key,
        RTCPeerConnection: NodeRTCPeerConnection,
        dropMdnsCandidates: true,
        rtcConfig: { iceServers: created.ice, certificatePemFile: cert.certFile, keyPemFile: cert.keyFile } as RTCConfiguration,
        log: o.log
      });
      return new HostAgent({ session: created.session, links, audit, mesh, terminals, cert, credential, env, log: o.log });
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
    this.#store.dispose();
    for (const c of this.#capabilities) c.dispose();
    this.terminals.dispose();
    await this.audit.close();
    this.#credential.dispose();
    this.#cert.dispose();
  }
}
