/**
 * The host agent: creates a session on the signaling server, joins the mesh as the `host` peer and
 * composes its capabilities (terminals, the owners' share links, files with the shared document) behind one interface: each is told
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
import { EditorClient } from '../src/lib/editor/editor-client.ts';
import { AuditLog, who } from './audit.ts';
import type { HostCapability } from './capability.ts';
import { RefusalLog } from './refusals.ts';
import { makeCertificate, type DtlsCertificate } from './cert.ts';
import { previousLog, TerminalRecorder } from './record/recorder.ts';
import { FileBridge } from './files/bridge.ts';
import { EnvHost } from './env/env-host.ts';
import { ShareLinksHost } from './share-links.ts';
import { CommandsHost } from './commands/host.ts';
import { shellLaunch, type ShellLaunch } from './commands/shell-integration.ts';
import { recordRedactor } from './redact/record-rules.ts';
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
  /** where this host keeps its records when `recordDir` is not given: `<stateDir>/<session>/` */
  stateDir: string;
  /** where the record goes: `<session>.jsonl` (the audit log) and one `<session>-terminal-N.cast` per terminal */
  recordDir?: string;
  /** the shells' environment (default: this process's) */
  env?: Record<string, string>;
  /** largest file opened in the shared editor, bytes (default 4 MiB) */
  maxFileBytes?: number;
  /** `--redact` rules for the record, on top of the built-in patterns (redact/record-rules.ts) */
  redact?: RegExp[];
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
  readonly recorder: TerminalRecorder;
  readonly mesh: Mesh;
  readonly terminals: TerminalSet;
  readonly hub: TerminalHub;
  readonly commands: CommandsHost;
  /** the session's shared document (the host seeds files into it) */
  readonly editor: EditorClient;
  readonly files: FileBridge;
  #capabilities: HostCapability[];
  #store = new DisposableStore();
  #launch: ShellLaunch;
  #cert: DtlsCertificate;
  #credential: Credential;
  #api: ApiClient;
  #disposed = false;

  private constructor(p: { session: string; links: Record<InviteRole, string>; audit: AuditLog; recorder: TerminalRecorder; launch: ShellLaunch; mesh: Mesh; terminals: TerminalSet; cert: DtlsCertificate; credential: Credential; api: ApiClient; env: EnvHost; log: (line: string) => void; cwd: string; maxFileBytes?: number }) {
    this.#api = p.api;
    this.session = p.session;
    this.links = p.links;
    this.audit = p.audit;
    this.recorder = p.recorder;
    this.#launch = p.launch;
    this.mesh = p.mesh;
    this.terminals = p.terminals;
    this.#cert = p.cert;
    this.#credential = p.credential;
    this.hub = new TerminalHub(p.terminals, p.audit, p.log);
    this.commands = new CommandsHost(p.mesh, p.terminals, p.audit, p.recorder);
    this.editor = new EditorClient(p.mesh, 'host');
    this.files = new FileBridge({ root: p.cwd, editor: this.editor, audit: p.audit, log: p.log, maxFileBytes: p.maxFileBytes });
    this.#capabilities = [this.hub, new ShareLinksHost(p.links), this.commands, this.files, p.env];
    this.#compose(p.log);
  }

  #compose(log: (line: string) => void): void {
    const { mesh, audit } = this;
    const s = this.#store;
    for (const c of this.#capabilities) s.add(mesh.router.register(c.protocol, (p, m) => c.handle(p, m)));
    s.add(
      mesh.peerJoined.on((p) => {
        log(`${p.name} joined as ${p.role}`);
        audit.record(who(p), { kind: 'join' });
        for (const c of this.#capabilities) c.addPeer(p);
      })
    );
    s.add(
      mesh.peerGone.on(({ peer, reason }) => {
        log(`${peer.name} left (${reason.kind}: ${reason.detail})`);
        audit.record(who(peer), { kind: 'leave' });
        for (const c of this.#capabilities) c.removePeer(peer);
      })
    );
    const refusals = s.add(new RefusalLog(audit, log));
    s.add(mesh.peerGone.on(({ peer }) => refusals.flush(peer.id)));
    s.add(mesh.router.refused.on(({ peer, capability, msg }) => refusals.record({ who: who(peer), what: `${capability} ${msg.type}`, ...refusedDetail(msg) })));
    s.add(mesh.signalingStatus.on((st) => log(`signaling ${st}`)));
    s.add(this.#credential.refreshed.on((t) => mesh.renewed(t)));
  }

  static async start(o: HostOptions): Promise<HostAgent> {
    const cert = makeCertificate();
    let launch: ShellLaunch | null = null;
    try {
      const api = new ApiClient(o.signaling);
      const created = await api.createSession({ role: 'host', name: o.name, fp: cert.fingerprint });
      const verify = localVerifier(await api.jwks());
      const secret = newRoomSecret();
      const key = await roomKey(secret, created.session);
      const links = writeLinks(o.signaling, created.session, created.invites, secret);
      const credential = new Credential(api, created, cert.fingerprint);
      const recordDir = o.recordDir ?? join(o.stateDir, created.session);
      const redact = recordRedactor(o.redact ?? []);
      const audit = new AuditLog(join(recordDir, o.recordDir ? `${created.session}.jsonl` : 'audit.jsonl'), previousLog(recordDir), redact, (e) =>
        o.log(`audit log failed, the session goes on without it: ${e.message}`)
      );
      // the environment capability snapshots the box now; its socket's path goes into the shells
      const env = new EnvHost({ cwd: o.cwd, env: o.env ?? process.env, audit, log: o.log });
      const shellEnv = o.env ?? definedEnv();
      launch = shellLaunch(o.shell, shellEnv);
      const terminals = new TerminalSet({ shell: o.shell, args: launch.args, cwd: o.cwd, env: { ...shellEnv, ...env.shellEnv, ...launch.env } });
      const recorder = new TerminalRecorder(terminals, recordDir, created.session, (e) => o.log(`recording failed, the session goes on without it: ${e.message}`), o.redact);
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
      return new HostAgent({ session: created.session, links, audit, recorder, launch, mesh, terminals, cert, credential, api, env, log: o.log, cwd: o.cwd, maxFileBytes: o.maxFileBytes });
    } catch (e) {
      cert.dispose();
      launch?.dispose();
      throw e;
    }
  }

  /** Tells peers, kills the PTYs, removes the certificate. */
  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    // The end is final: the server stops honouring the session's links and credentials (best
    // effort, briefly: peers learn it from the bye anyway).
    await Promise.race([this.#api.end(this.session, this.#credential.token).catch(() => {}), new Promise((r) => setTimeout(r, 2_000))]);
    await this.mesh.dispose('the host agent stopped');
    this.#store.dispose();
    for (const c of this.#capabilities) c.dispose();
    this.editor.dispose();
    this.terminals.dispose();
    await Promise.all([this.audit.close(), this.recorder.dispose()]);
    this.#launch.dispose();
    this.#credential.dispose();
    this.#cert.dispose();
  }
}
