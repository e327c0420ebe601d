/**
 * The host agent: creates a session on the signaling server, joins the mesh as the `host` peer and
 * composes its capabilities (terminals, the owners' share links, files with the shared document) behind one interface: each is told
 * who joins and leaves and gets the messages the router accepted for its protocol. Refused
 * messages (a viewer's keystrokes) are recorded in the audit log with their author.
 */
import { join } from 'node:path';
import type { Typed } from '../src/lib/protocol/capability.ts';
import { localVerifier } from '../src/lib/protocol/credentials.ts';
import { readFullLink, writeLinks } from '../src/lib/protocol/links.ts';
import type { CredentialResponse } from '../src/lib/protocol/api.ts';
import type { InviteRole } from '../src/lib/protocol/roles.ts';
import { ApiClient } from '../src/lib/mesh/api-client.ts';
import { Credential } from '../src/lib/mesh/credential.ts';
import { DisposableStore } from '../src/lib/mesh/events.ts';
import { Mesh } from '../src/lib/mesh/mesh.ts';
import { newRoomSecret, roomKey } from '../src/lib/mesh/room-crypto.ts';
import { EditorClient } from '../src/lib/editor/editor-client.ts';
import { AuditLog, who, type AuditEvent } from './audit.ts';
import type { Statement } from '../src/lib/protocol/statements.ts';
import { UNDISCLOSED_NAME } from '../src/lib/protocol/credentials.ts';
import type { HostCapability } from './capability.ts';
import { RefusalLog } from './refusals.ts';
import { makeCertificate, type DtlsCertificate } from './cert.ts';
import { previousLog, TerminalRecorder } from './record/recorder.ts';
import { FileBridge } from './files/bridge.ts';
import { EnvHost } from './env/env-host.ts';
import { ShareLinksHost } from './share-links.ts';
import { CommandsHost } from './commands/host.ts';
import { LogsHost } from './logs/logs-host.ts';
import { MetricsHost } from './metrics/metrics-host.ts';
import type { OtlpConfig } from './otel/config.ts';
import { Telemetry } from './otel/telemetry.ts';
import { redactText } from './redact/redact.ts';
import { shellLaunch, type ShellLaunch } from './commands/shell-integration.ts';
import { recordRedactor } from './redact/record-rules.ts';
import { TerminalHub } from './terminals/hub.ts';
import { TerminalSet } from './terminals/terminal-set.ts';
import { nodeRtcConfig, NodeRTCPeerConnection } from './webrtc.ts';

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
  /** a relay-only session: every peer connects through TURN only (the server must have it) */
  relayOnly?: boolean;
  /** log sources (`--log`, `--log-cmd`): files as absolute paths, globs expanded */
  logs?: { files: string[]; globs?: string[]; commands: string[]; historyBytes?: number; ratePerS?: number };
  /** export the session as OpenTelemetry spans (null or absent: no tracing) */
  otlp?: OtlpConfig | null;
  /** `--redact` rules for the record, on top of the built-in patterns (redact/record-rules.ts) */
  redact?: RegExp[];
  /** a host link an owner made (`#invite=…&key=…`, role host): join that session instead of creating one */
  attach?: string;
}

/** How the host got into its session: it created it (and has its links), or it was attached to one. */
/** Who made an owner's decision: the owner as a peer, or by id when the statement was relayed. */
function ownerOf(mesh: Mesh, st: Statement): ReturnType<typeof who> {
  const p = mesh.peers.find((x) => x.id === st.iss);
  return p ? who(p) : { sub: st.iss, name: UNDISCLOSED_NAME, role: 'owner' };
}

function decisionEvent(st: Statement, nameOf: (id: string) => string): AuditEvent {
  if (st.act === 'relay-only') return { kind: 'decision', act: 'relay-only' };
  const name = nameOf(st.sub);
  return st.act === 'role' ? { kind: 'decision', act: 'role', of: st.sub, name, role: st.role } : { kind: 'decision', act: 'remove', of: st.sub, name };
}

/** Where the terminals' casts go, and the host's `--redact` rules for them. */
interface RecordPlace {
  dir: string;
  rules?: RegExp[];
}

interface Admission {
  created: CredentialResponse;
  /** the share links; null when attached (the owner who attached it has them) */
  links: Record<InviteRole, string> | null;
  key: CryptoKey;
}

async function admit(o: HostOptions, api: ApiClient, fp: string): Promise<Admission> {
  if (o.attach === undefined) {
    const created = await api.createSession({ role: 'host', name: o.name, fp, relay: o.relayOnly || undefined });
    const secret = newRoomSecret();
    return { created, links: writeLinks(o.signaling, created.session, created.invites, secret), key: await roomKey(secret, created.session) };
  }
  const link = readFullLink(o.attach);
  const created = await api.join(link.session, { invite: link.invite, name: o.name, fp });
  if (created.role !== 'host') throw new Error(`That is a ${created.role}'s link, not a host link. In the session page, the owner copies the command under "Attach a host agent".`);
  return { created, links: null, key: await roomKey(link.key, link.session) };
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
  /** null when the host was attached to a session a browser started */
  readonly links: Record<InviteRole, string> | null;
  readonly audit: AuditLog;
  readonly recorder: TerminalRecorder;
  readonly mesh: Mesh;
  readonly terminals: TerminalSet;
  readonly hub: TerminalHub;
  readonly commands: CommandsHost;
  /** the session's shared document (the host seeds files into it) */
  readonly editor: EditorClient;
  readonly files: FileBridge;
  readonly logs: LogsHost;
  /** the session's OpenTelemetry traces, when exported */
  readonly telemetry: Telemetry | null;
  #capabilities: HostCapability[];
  #store = new DisposableStore();
  #launch: ShellLaunch;
  #cert: DtlsCertificate;
  #credential: Credential;
  #api: ApiClient;
  #disposed = false;

  private constructor(p: { session: string; links: Record<InviteRole, string> | null; audit: AuditLog; record: RecordPlace; launch: ShellLaunch; mesh: Mesh; terminals: TerminalSet; cert: DtlsCertificate; credential: Credential; api: ApiClient; env: EnvHost; log: (line: string) => void; cwd: string; maxFileBytes?: number; logs?: HostOptions['logs']; telemetry: Telemetry | null }) {
    this.#api = p.api;
    this.telemetry = p.telemetry;
    this.session = p.session;
    this.links = p.links;
    this.audit = p.audit;
    this.#launch = p.launch;
    this.mesh = p.mesh;
    this.terminals = p.terminals;
    this.#cert = p.cert;
    this.#credential = p.credential;
    this.hub = new TerminalHub(p.terminals, p.audit, p.log);
    // after the hub: its output listener (the send to peers) runs first, the record's after it
    this.recorder = new TerminalRecorder(p.terminals, p.record.dir, p.session, (e) => p.log(`recording failed, the session goes on without it: ${e.message}`), p.record.rules);
    this.commands = new CommandsHost(p.mesh, p.terminals, p.audit, this.recorder, p.launch.integrated);
    this.editor = new EditorClient(p.mesh, 'host');
    this.files = new FileBridge({ root: p.cwd, editor: this.editor, audit: p.audit, log: p.log, maxFileBytes: p.maxFileBytes });
    this.logs = new LogsHost({ files: [], commands: [], ...p.logs, cwd: p.cwd, audit: p.audit, log: p.log });
    this.#capabilities = [this.hub, ...(p.links ? [new ShareLinksHost(p.links)] : []), this.commands, this.files, p.env, this.logs, new MetricsHost({ traceId: () => p.telemetry?.traceId ?? null })];
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
    s.add(mesh.peerRenamed.on((p) => audit.renamed(who(p))));
    // the names people went by, for a decision about one who has just left (a removed page may
    // close its connections before the owner's statement reaches us)
    const names = new Map<string, string>();
    s.add(mesh.peerJoined.on((p) => names.set(p.id, p.name)));
    s.add(mesh.peerRenamed.on((p) => names.set(p.id, p.name)));
    s.add(mesh.decided.on((st) => audit.record(ownerOf(mesh, st), decisionEvent(st, (id) => (id === mesh.selfId ? 'host' : (mesh.peers.find((x) => x.id === id)?.name ?? names.get(id) ?? UNDISCLOSED_NAME))))));
    s.add(this.#credential.refreshed.on((t) => mesh.renewed(t)));
  }

  static async start(o: HostOptions): Promise<HostAgent> {
    const cert = makeCertificate();
    let launch: ShellLaunch | null = null;
    let telemetry: Telemetry | null = null;
    try {
      const api = new ApiClient(o.signaling);
      const { created, links, key } = await admit(o, api, cert.fingerprint);
      const verify = localVerifier(await api.jwks());
      const credential = new Credential(api, created, cert.fingerprint);
      const recordDir = o.recordDir ?? join(o.stateDir, created.session);
      const redact = recordRedactor(o.redact ?? []);
      const audit = new AuditLog(join(recordDir, o.recordDir ? `${created.session}.jsonl` : 'audit.jsonl'), previousLog(recordDir), redact, (e) =>
        o.log(`audit log failed, the session goes on without it: ${e.message}`)
      );
      // the environment capability snapshots the box now; its socket's path goes into the shells
      telemetry = o.otlp ? startTelemetry(o.otlp, created.session, o, audit) : null;
      const env = new EnvHost({ cwd: o.cwd, env: o.env ?? process.env, audit, log: o.log });
      const shellEnv = o.env ?? definedEnv();
      launch = shellLaunch(o.shell, shellEnv);
      const terminals = new TerminalSet({ shell: o.shell, args: launch.args, cwd: o.cwd, env: { ...shellEnv, ...env.shellEnv, ...launch.env } });
      const first = terminals.open(100, 30);
      // the host's own first terminal is in the record like those participants open
      audit.record({ sub: created.participant, name: o.name, role: 'host' }, { kind: 'terminal', action: 'open', term: first.id });
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
        rtcConfig: () => nodeRtcConfig(credential.rtcConfig({ certificatePemFile: cert.certFile, keyPemFile: cert.keyFile } as RTCConfiguration)),
        log: o.log
      });
      return new HostAgent({ session: created.session, links, audit, record: { dir: recordDir, rules: o.redact }, launch, mesh, terminals, cert, credential, api, env, log: o.log, cwd: o.cwd, maxFileBytes: o.maxFileBytes, logs: o.logs, telemetry });
    } catch (e) {
      cert.dispose();
      launch?.dispose();
      void telemetry?.dispose();
      throw e;
    }
  }

  /** Tells peers, kills the PTYs, removes the certificate. */
  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    // The end is final: the server stops honouring the session's links and credentials (best
    // effort, briefly: peers learn it from the bye anyway). An attached host only leaves: the
    // session is its owner's, and goes on in the browsers.
    if (this.links) await Promise.race([this.#api.end(this.session, this.#credential.token).catch(() => {}), new Promise((r) => setTimeout(r, 2_000))]);
    await this.mesh.dispose(this.links ? 'the host agent stopped' : 'the host agent detached');
    this.#store.dispose();
    for (const c of this.#capabilities) c.dispose();
    this.editor.dispose();
    this.terminals.dispose();
    await Promise.all([this.audit.close(), this.recorder.dispose(), this.telemetry?.dispose()]);
    this.#launch.dispose();
    this.#credential.dispose();
    this.#cert.dispose();
  }
}

/** Traces to `config.url`; a receiver that is down is said once (and again when it answers). */
function startTelemetry(config: OtlpConfig, session: string, o: HostOptions, audit: AuditLog): Telemetry {
  const t = new Telemetry({ config, session, name: o.name, cwd: o.cwd, audit });
  // a URL may carry a password: the log gets it redacted
  const url = redactText(config.url).text;
  o.log(`tracing to ${url}: trace ${t.traceId}${config.traceparent ? ` (part of ${config.traceparent})` : ''}`);
  t.exporter.status.on((s) =>
    o.log(s.status === 'failing' ? `OpenTelemetry: cannot send spans to ${url} (${s.error}); the session goes on, spans are dropped until it answers` : `OpenTelemetry: ${url} takes spans again`)
  );
  return t;
}
