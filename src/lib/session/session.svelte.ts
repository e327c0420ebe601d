/**
 * The session as this browser sees it: joins through the signaling server, then composes the
 * capability clients over the peer mesh (presence, terminals, the owner's share links) into the
 * reactive state the page shows. The only code on the page that touches the network.
 */
import { localVerifier } from '../protocol/credentials.ts';
import { canWrite } from '../protocol/roles.ts';
import { sessionProtocol, type ShareLinks } from '../protocol/session.ts';
import type { TermInfo } from '../protocol/terminal.ts';
import { Credential } from '../mesh/credential.ts';
import { DisposableStore } from '../mesh/events.ts';
import { Mesh } from '../mesh/mesh.ts';
import type { SignalingStatus } from '../mesh/signaling-client.ts';
import { colorFor, pickName, rememberName } from '../presence/names.ts';
import { PresenceClient, type Participant } from '../presence/presence-client.ts';
import type { TerminalSink } from '../terminal/output-stream.ts';
import { TerminalClient } from '../terminal/terminal-client.ts';
import { startRecording, type LiveRecording } from '../replay/live.ts';
import type { RecorderStatus } from '../replay/recorder.ts';
import { join } from './join.ts';
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
  /** this browser's recording of the session (replay) */
  recording = $state<RecorderStatus | null>(null);
  participants = $derived([this.self, ...this.peers]);
  hostConnected = $derived(this.peers.some((p) => p.role === 'host' && p.connected));

  #mesh: Mesh | null = null;
  #credential: Credential | null = null;
  #presence: PresenceClient | null = null;
  #terms: TerminalClient | null = null;
  #recording: LiveRecording | null = null;
  #store = new DisposableStore();

  constructor(o: SessionOptions) {
    this.self.name = pickName(o.name, storage());
    void this.#join(o).catch((e: Error) => {
      this.status = 'failed';
      this.error = e.message;
    });
  }

  async #join(o: SessionOptions): Promise<void> {
    const { link, api, cert, fingerprint, cred, jwks, key } = await join(o.origin, o.session, o.hash, this.self.name);
    if (this.#store.disposed) return;
    this.self = { id: cred.participant, name: cred.name, role: cred.role, self: true, connected: true, color: colorFor(cred.participant) };
    const credential = (this.#credential = new Credential(api, cred, fingerprint));
    const mesh = (this.#mesh = new Mesh({
      session: link.session,
      selfId: cred.participant,
      role: cred.role,
      signalingUrl: `${o.origin.replace(/^http/, 'ws')}/signal`,
      token: () => credential.token,
      verify: localVerifier(jwks),
      key,
      RTCPeerConnection,
      rtcConfig: { iceServers: cred.ice, certificates: [cert] },
      log: (line) => console.debug(`[mesh] ${line}`)
    }));
    const presence = (this.#presence = new PresenceClient(mesh, () => this.self.name));
    const terms = (this.#terms = new TerminalClient(mesh));
    this.#recording = startRecording(mesh, link.session, { id: cred.participant, name: cred.name, role: cred.role }, (st) => (this.recording = st));
    const s = this.#store;
    s.addFn(credential.onRefresh((t) => mesh.signaling.refreshed(t)));
    s.add(mesh.signalingStatus.on((st) => (this.signaling = st)));
    s.add(presence.changed.on((list) => (this.peers = list)));
    s.add(terms.changed.on((list) => (this.terminals = list)));
    s.add(mesh.peerError.on((e) => (this.error = e.message)));
    s.add(
      mesh.peerJoined.on((p) => {
        if (p.claims.role === 'host' && this.status === 'ended') this.status = 'joined';
      })
    );
    s.add(
      mesh.peerGone.on(({ peer, reason }) => {
        if (peer.claims.role === 'host' && reason.kind === 'bye') this.status = 'ended';
      })
    );
    s.add(mesh.router.register(sessionProtocol, (_p, m) => (this.links = m.links)));
    this.status = 'joined';
  }

  rename(name: string): void {
    const clean = name.trim().slice(0, 64);
    if (!clean || clean === this.self.name) return;
    this.self.name = clean;
    rememberName(clean, storage());
    if (this.#credential) this.#credential.name = clean;
    this.#presence?.announceName();
    this.#recording?.recorder.record({ k: 'rename', id: this.self.id, name: clean });
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
    this.#write()?.input(id, data);
  }

  attachTerminal(id: number, sink: TerminalSink): () => void {
    return this.#terms?.attach(id, sink) ?? (() => {});
  }

  dispose(): void {
    this.#store.dispose();
    void this.#recording?.dispose();
    this.#presence?.dispose();
    this.#terms?.dispose();
    void this.#mesh?.dispose('left');
    this.#credential?.dispose();
  }
}
