/**
 * The session as this browser sees it: joins through the signaling server, then composes the
 * capability clients over the peer mesh (presence, terminals, the owner's share links) into the
 * reactive state the page shows. The only code on the page that touches the network.
 */
import { CREDENTIAL_TTL_S, localVerifier, nameProblem } from '../protocol/credentials.ts';
import type { Snapshot, SnapshotInfo } from '../protocol/env.ts';
import { canWrite } from '../protocol/roles.ts';
import { sessionProtocol, type ShareLinks } from '../protocol/session.ts';
import type { Command } from '../protocol/commands.ts';
import type { TermInfo } from '../protocol/terminal.ts';
import { CommandsClient } from '../commands/commands-client.ts';
import { HttpError } from '../protocol/api.ts';
import { Credential } from '../mesh/credential.ts';
import { DisposableStore } from '../mesh/events.ts';
import { Mesh } from '../mesh/mesh.ts';
import type { ConnectionPath } from '../mesh/connection-path.ts';
import { PathWatcher } from '../mesh/path-watcher.ts';
import { EnvClient } from '../env/env-client.ts';
import { MetricsClient, type MetricsState } from '../metrics/metrics-client.ts';
import type { SignalingStatus } from '../mesh/signaling-client.ts';
import { colorFor, distinctColor, pickName, rememberName } from '../presence/names.ts';
import { activityOf, TYPING_MS, type Activity } from '../presence/activity.ts';
import { ARRIVAL_SHOW_MS, type Arrival } from '../presence/arrivals.ts';
import { PresenceClient, type Participant } from '../presence/presence-client.ts';
import type { TerminalSink } from '../terminal/output-stream.ts';
import { TerminalClient } from '../terminal/terminal-client.ts';
import type { Decision } from '../protocol/statements.ts';
import { InviteList } from './invites.svelte.ts';
import { EditorClient } from '../editor/editor-client.ts';
import { FilesClient } from '../files/files-client.ts';
import { LogsClient } from '../logs/logs-client.ts';
import { logFilterLabel } from '../logs/query.ts';
import type { LiveRecording } from '../replay/live.ts';
import { recordingEnabled } from '../replay/record-setting.ts';
import type { RecorderStatus } from '../replay/recorder.ts';
import { REMOVED_KEY, takeJoin } from './early-join.ts';
import { signalingUrl } from './join.ts';
import { rememberedLinks } from './new-session.ts';
import type { JoinStatus, SessionView } from './view.ts';

export interface SessionOptions {
  session: string;
  /** the URL fragment, "#invite=…&key=…" */
  hash: string;
  name: string | null;
  origin: string;
}

function storage(): Storage | null {
  try {
    return localStorage;
  } catch {
    return null;
  }
}

export class SessionState implements SessionView {
  status = $state<JoinStatus>('joining');
  error = $state<string | null>(null);
  signaling = $state<SignalingStatus>('connecting');
  self = $state<Participant>({ id: '', name: '', role: 'viewer', self: true, connected: true, color: '#888' });
  peers = $state<Participant[]>([]);
  terminals = $state<TermInfo[]>([]);
  links = $state<ShareLinks>({});
  commands = $state.raw<Command[]>([]);
  /** terminals whose commands are unknown (no shell integration) */
  blindTerms = $state.raw<number[]>([]);
  editor = $state.raw<EditorClient | null>(null);
  files = $state.raw<FilesClient | null>(null);
  logs = $state.raw<LogsClient | null>(null);
  snapshots = $state<SnapshotInfo[]>([]);
  metrics = $state.raw<MetricsState | null>(null);
  /** this browser's recording of the session (replay) */
  recording = $state<RecorderStatus | null>(null);
  /** how each connected peer is reached, and its round-trip time */
  paths = $state.raw<Record<string, ConnectionPath>>({});
  /** why a connection to someone did not open (until it does) */
  connectProblem = $state<string | null>(null);
  /** joins and leaves to announce briefly (newest last) */
  arrivals = $state.raw<Arrival[]>([]);
  #arrivalKey = 0;
  #arrivalTimers = new Set<ReturnType<typeof setTimeout>>();
  /** what everyone (self included) has open and where they type, by participant id (awareness) */
  activity = $state.raw<Record<string, Activity>>({});
  /** peers in the colour they announced (the one their cursors have), distinct within the session */
  participants = $derived([this.self, ...this.peers.map((p) => ({ ...p, color: this.activity[p.id]?.color ?? p.color }))]);
  hostConnected = $derived(this.peers.some((p) => p.role === 'host' && p.connected));

  #mesh: Mesh | null = null;
  #credential: Credential | null = null;
  #presence: PresenceClient | null = null;
  #terms: TerminalClient | null = null;
  #commands: CommandsClient | null = null;
  #env: EnvClient | null = null;
  #metrics: MetricsClient | null = null;
  #recording: LiveRecording | null = null;
  #store = new DisposableStore();
  #control: ((d: Decision) => Promise<void>) | null = null;
  #typingIn: number | null = null;
  #typingTimer: ReturnType<typeof setTimeout> | undefined;
  invites = $state.raw<InviteList | null>(null);
  relayOnly = $state(false);
  #session = '';
  relayAvailable = $state(false);

  constructor(o: SessionOptions) {
    this.self.name = pickName(o.name, storage());
    // removed once: this browser does not join again through any link of that session
    if (storage()?.getItem(REMOVED_KEY + o.session)) {
      this.status = 'removed';
      return;
    }
    void this.#join(o).catch((e: Error) => {
      // a link of a session that ended says so (with when and by whom), it is not a failure
      this.status = e instanceof HttpError && e.code === 'session-ended' ? 'ended' : 'failed';
      this.error = e.message;
    });
  }

  async #join(o: SessionOptions): Promise<void> {
    // the recorder (IndexedDB, a keyframe terminal) loads while the invite is exchanged, not before the page starts
    const live = recordingEnabled() ? import('../replay/live.ts').catch((e: Error) => (console.warn(`recording is off: ${e.message}`), null)) : null;
    const [{ link, api, cert, fingerprint, cred, jwks, key, ownerKey, socket }, recorder] = await Promise.all([takeJoin(o.origin, o.session, o.hash), live]);
    if (this.#store.disposed) return socket.close(1000, 'left');
    const since = cred.exp - CREDENTIAL_TTL_S;
    this.self = { id: cred.participant, name: this.self.name, role: cred.role, self: true, connected: true, color: colorFor(cred.participant), since };
    // a session this browser created ("New session"): its links, until a host sends them
    if (cred.role === 'owner') this.links = rememberedLinks(link.session);
    const credential = (this.#credential = new Credential(api, cred, fingerprint));
    this.relayOnly = cred.relay;
    this.#session = link.session;
    this.relayAvailable = cred.ice.some((s) => s.urls.some((u) => /^turns?:/.test(u)));
    const mesh = (this.#mesh = new Mesh({
      session: link.session,
      selfId: cred.participant,
      role: cred.role,
      signalingUrl: signalingUrl(o.origin),
      signalingSocket: socket,
      token: () => credential.token,
      verify: localVerifier(jwks),
      key,
      RTCPeerConnection,
      rtcConfig: () => credential.rtcConfig({ certificates: [cert] }),
      log: (line) => console.debug(`[mesh] ${line}`)
    }));
    const presence = (this.#presence = new PresenceClient(mesh, () => this.self.name));
    const terms = (this.#terms = new TerminalClient(mesh));
    const commands = (this.#commands = new CommandsClient(mesh));
    // registered before any connection opens, like the clients above
    const editor = (this.editor = new EditorClient(mesh, cred.role));
    this.files = new FilesClient(mesh);
    const logs = (this.logs = new LogsClient(mesh));
    this.#announce();
    const onAware = () => {
      this.activity = activityOf(editor.awareness);
      this.#recolor();
    };
    editor.awareness.on('change', onAware);
    this.#store.addFn(() => editor.awareness.off('change', onAware));
    const env = (this.#env = new EnvClient(mesh));
    const metrics = (this.#metrics = new MetricsClient(mesh));
    if (recorder) this.#recording = recorder.startRecording(mesh, link.session, { id: cred.participant, name: this.self.name, role: cred.role }, (st) => (this.recording = st));
    const s = this.#store;
    s.add(credential.refreshed.on((t) => mesh.renewed(t)));
    const paths = s.add(new PathWatcher(mesh));
    s.add(paths.changed.on((st) => ((this.paths = st.paths), (this.connectProblem = st.problem), this.#tellHostRtt())));
    s.add(mesh.signalingStatus.on((st) => (this.signaling = st)));
    s.add(presence.changed.on((list) => ((this.peers = list), this.#recolor())));
    // announced: who joins after this page did (a credential issued since), and who leaves
    s.add(mesh.peerJoined.on((p) => p.claims.iat >= since && this.#announceArrival({ id: p.id, name: p.name, what: 'joined', color: colorFor(p.id) })));
    s.add(mesh.peerGone.on(({ peer }) => this.#announceArrival({ id: peer.id, name: peer.name, what: 'left', color: '#888' })));
    s.add(terms.changed.on((list) => (this.terminals = list)));
    s.add(commands.changed.on((list) => (this.commands = list)));
    s.add(commands.blindChanged.on((ids) => (this.blindTerms = ids)));
    // Only the host's errors are shown: any other peer could write anything into them.
    s.add(mesh.peerError.on((e) => e.peer.role === 'host' && (this.error = e.message)));
    // The end is final: the host said bye, or signaling says the session ended. This page leaves
    // the mesh (no reconnects, not listed as present) and keeps what its terminals show.
    // A host attached with a host link (its credential names the invite) only detaches: the session goes on.
    s.add(mesh.peerGone.on(({ peer, reason }) => peer.role === 'host' && !peer.claims.inv && reason.kind === 'bye' && this.#ended()));
    s.add(mesh.ended.on(() => this.#ended()));
    s.add(env.changed.on((list) => (this.snapshots = list)));
    s.add(metrics.changed.on((st) => (this.metrics = st)));
    s.add(logs.filterChanged.on((f) => this.#recording?.recorder.record({ k: 'marker', kind: 'log-filter', label: logFilterLabel(f) })));
    s.add(
      mesh.decided.on((d) => {
        // (new connections read it from the mesh; a refresh would say it too)
        if (d.act === 'relay-only') return void ((this.relayOnly = true), (credential.relay = true));
        if (d.sub !== this.self.id) return;
        if (d.act === 'role') this.self.role = d.role;
        else this.#removed(o.session);
      })
    );
    // the owner's decisions: signed here, applied by every peer, and told to the server when it is reachable
    this.#control = async (d) => {
      const statement = await mesh.decide(ownerKey.privateKey, d);
      await api.control(link.session, credential.token, statement).catch((e: Error) => console.warn(`the server did not take the decision yet: ${e.message}`));
    };
    if (cred.role === 'owner') this.invites = new InviteList(api, link.session, link.key, () => credential.token);
    s.add(mesh.router.register(sessionProtocol, (_p, m) => m.type === 'links' && (this.links = m.links)));
    this.status = 'joined';
  }

  #announceArrival(a: Omit<Arrival, 'key'>): void {
    const key = this.#arrivalKey++;
    this.arrivals = [...this.arrivals.slice(-3), { key, ...a }];
    const t = setTimeout(() => {
      this.#arrivalTimers.delete(t);
      this.arrivals = this.arrivals.filter((a) => a.key !== key);
    }, ARRIVAL_SHOW_MS);
    this.#arrivalTimers.add(t);
  }

  #ended(): void {
    if (this.status === 'ended') return;
    this.status = 'ended';
    this.signaling = 'offline';
    this.#store.dispose();
    void this.#mesh?.dispose('the session ended');
    this.#credential?.dispose();
  }

  #removed(session: string): void {
    this.status = 'removed';
    storage()?.setItem(REMOVED_KEY + session, '1');
    this.dispose();
  }

  setRole(id: string, role: 'editor' | 'viewer'): void {
    if (this.self.role === 'owner') void this.#control?.({ act: 'role', sub: id, role });
  }

  remove(id: string, revokeLink = false): void {
    if (this.self.role !== 'owner') return;
    const inv = this.#mesh?.peers.find((p) => p.id === id)?.claims.inv;
    void this.#control?.({ act: 'remove', sub: id });
    if (revokeLink && inv) void this.invites?.revoke(inv);
  }

  makeRelayOnly(): void {
    if (this.self.role === 'owner' && !this.relayOnly && this.#session) void this.#control?.({ act: 'relay-only', sub: this.#session });
  }

  rename(name: string): void {
    const clean = name.trim().slice(0, 64);
    // peers refuse a name that looks like a role or hides characters: keep the old one
    if (!clean || clean === this.self.name || nameProblem(clean)) return;
    this.self.name = clean;
    rememberName(clean, storage());
    this.#presence?.announceName();
    this.#recording?.recorder.record({ k: 'rename', id: this.self.id, name: clean });
    this.#announce();
  }

  /**
   * Two people with one colour: the later id moves to a free one (every peer applies the same
   * rule). Peers that announce no colour (the host agent) keep the one their id gives them.
   */
  #recolor(): void {
    const others = this.peers.map((p) => ({ id: this.activity[p.id] ? p.id : '', color: this.activity[p.id]?.color ?? p.color }));
    const color = distinctColor(this.self.id, this.self.color, others);
    if (color === this.self.color) return;
    this.self.color = color;
    this.#announce();
  }

  /** this page's round trip to the host, ms (null: no host, or not measured yet) */
  get hostRttMs(): number | null {
    const host = this.peers.find((p) => p.role === 'host' && p.connected);
    return (host && this.paths[host.id]?.rttMs) ?? null;
  }

  #toldRtt: number | null = null;
  /** everyone sees each person's round trip to the host (awareness), told when it moves by 5 ms or more */
  #tellHostRtt(): void {
    const rtt = this.hostRttMs === null ? null : Math.round(this.hostRttMs);
    if (rtt === this.#toldRtt || (rtt !== null && this.#toldRtt !== null && Math.abs(rtt - this.#toldRtt) < 5)) return;
    this.editor?.setPresence({ hostRtt: (this.#toldRtt = rtt) });
  }

  /** who this participant is, in the shared document's awareness (cursors carry it) */
  #announce(): void {
    this.editor?.setPresence({ user: { name: this.self.name, color: this.self.color, id: this.self.id } });
  }

  /** Requests that change what everyone shares; never sent for a viewer (the host refuses them anyway). */
  #write(): TerminalClient | null {
    return canWrite(this.self.role) ? this.#terms : null;
  }

  openTerminal(cols: number, rows: number): void {
    this.#write()?.open(cols, rows);
  }

  closeTerminal(id: number): void {
    this.#write()?.close(id);
  }

  restartTerminal(id: number): void {
    this.#write()?.restart(id);
  }

  resize(id: number, cols: number, rows: number): void {
    this.#write()?.resize(id, cols, rows);
  }

  input(id: number, data: string): void {
    const t = this.#write();
    if (!t) return;
    t.input(id, data);
    // who is typing where: told once when it starts, and when it stops
    if (this.#typingIn !== id) this.editor?.setPresence({ typing: (this.#typingIn = id) });
    clearTimeout(this.#typingTimer);
    this.#typingTimer = setTimeout(() => this.editor?.setPresence({ typing: (this.#typingIn = null) }), TYPING_MS);
  }

  /** the terminal tab this participant looks at, for everyone's participant list and tabs */
  setActiveTerminal(id: number | null): void {
    this.editor?.setPresence({ term: id });
  }

  attachTerminal(id: number, sink: TerminalSink): () => void {
    return this.#terms?.attach(id, sink) ?? (() => {});
  }

  getSnapshot(id: number): Promise<Snapshot> {
    return this.#env?.get(id) ?? Promise.reject(new Error('Not joined yet.'));
  }

  checkpoint(label: string): void {
    if (canWrite(this.self.role)) this.#env?.checkpoint(label);
  }

  dispose(): void {
    clearTimeout(this.#typingTimer);
    for (const t of this.#arrivalTimers) clearTimeout(t);
    this.#store.dispose();
    this.#env?.dispose();
    this.#metrics?.dispose();
    void this.#recording?.dispose();
    this.#presence?.dispose();
    this.#terms?.dispose();
    this.#commands?.dispose();
    this.files?.dispose();
    this.logs?.dispose();
    this.editor?.dispose();
    void this.#mesh?.dispose('left');
    this.#credential?.dispose();
  }
}
