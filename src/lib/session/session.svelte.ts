/**
 * The session as this browser sees it — the only code on the page that touches the network.
 * Joins through the signaling server, then lives on the peer mesh: terminals come from the host
 * peer, names and presence from every peer.
 */
import type { JSONWebKeySet } from 'jose';
import { parseFromHost, parseFromPeer, type TermInfo } from '../protocol/control.ts';
import { localVerifier } from '../protocol/credentials.ts';
import { FRAME, MAX_INPUT_BYTES, writeTermInput, type Frame } from '../protocol/frames.ts';
import { canWrite } from '../protocol/roles.ts';
import { ProtocolError } from '../protocol/validate.ts';
import { Credential } from '../mesh/credential.ts';
import { Mesh, type MeshPeer } from '../mesh/mesh.ts';
import { roomKey } from '../mesh/room-crypto.ts';
import { OutputStream } from '../terminal/output-stream.ts';
import { exchangeInvite, makeCertificate, parseLink } from './join.ts';
import { colorFor, pickName, rememberName } from './names.ts';
import type { JoinStatus, Participant, SessionView, SignalingStatus, TerminalSink } from './view.ts';

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
  links = $state<Partial<Record<'owner' | 'editor' | 'viewer', string>>>({});
  participants = $derived([this.self, ...this.peers]);
  hostConnected = $derived(this.peers.some((p) => p.role === 'host' && p.connected));

  #mesh: Mesh | null = null;
  #credential: Credential | null = null;
  #host: MeshPeer | null = null;
  #streams = new Map<number, OutputStream>();
  #disposed = false;

  constructor(o: SessionOptions) {
    this.self.name = pickName(o.name, storage());
    void this.#join(o).catch((e: Error) => {
      this.status = 'failed';
      this.error = e.message;
    });
  }

  async #join(o: SessionOptions): Promise<void> {
    const link = parseLink(o.session, o.hash);
    const { cert, fingerprint } = await makeCertificate();
    const cred = await exchangeInvite(o.origin, link, this.self.name, fingerprint);
    const jwks = (await (await fetch(`${o.origin}/.well-known/jwks.json`)).json()) as JSONWebKeySet;
    const key = await roomKey(link.key, link.session);
    if (this.#disposed) return;
    this.self = { id: cred.participant, name: cred.name, role: cred.role, self: true, connected: true, color: colorFor(cred.participant) };
    const credential = (this.#credential = new Credential(o.origin, cred, fingerprint));
    const mesh = (this.#mesh = new Mesh({
      session: link.session,
      selfId: cred.participant,
      signalingUrl: `${o.origin.replace(/^http/, 'ws')}/signal`,
      token: () => credential.token,
      verify: localVerifier(jwks),
      key,
      RTCPeerConnection,
      rtcConfig: { iceServers: cred.ice, certificates: [cert] },
      log: (line) => console.debug(`[mesh] ${line}`)
    }));
    credential.onRefresh((t) => mesh.signaling.refreshed(t));
    mesh.onSignalingStatus((s) => (this.signaling = s));
    mesh.onPeer((p) => this.#onPeer(p));
    mesh.onPeerGone((p) => this.#onPeerGone(p));
    mesh.onFrame((p, f) => this.#onFrame(p, f));
    this.status = 'joined';
  }

  #onPeer(p: MeshPeer): void {
    this.peers = [
      ...this.peers.filter((x) => x.id !== p.id),
      { id: p.id, name: p.claims.name, role: p.claims.role, self: false, connected: true, color: colorFor(p.id) }
    ];
    if (this.self.name !== p.claims.name) p.control({ type: 'rename', name: this.self.name });
    if (p.claims.role !== 'host') return;
    this.#host = p;
    if (this.status === 'ended') this.status = 'joined';
    for (const [id, s] of this.#streams) p.control({ type: 'term-sub', id, from: s.resumeFrom() });
  }

  #onPeerGone(p: MeshPeer): void {
    this.peers = this.peers.filter((x) => x.id !== p.id);
    if (this.#host === p) this.#host = null;
  }

  #onFrame(p: MeshPeer, f: Frame): void {
    const fromHost = p.claims.role === 'host';
    // Only the host publishes terminal output; only the host receives input.
    if (f.kind !== FRAME.CONTROL && !(fromHost && f.kind === FRAME.TERM_OUTPUT)) {
      return p.strike(new ProtocolError('forbidden', 'only the host sends terminal output'));
    }
    if (f.kind === FRAME.TERM_OUTPUT) return this.#streams.get(f.id)?.output(f.seq, f.data);
    let m;
    try {
      m = fromHost ? parseFromHost(f.json) : parseFromPeer(f.json);
    } catch (e) {
      return p.strike(e instanceof ProtocolError ? e : new ProtocolError('bad-message', String(e)));
    }
    switch (m.type) {
      case 'hello':
        return;
      case 'rename':
        this.peers = this.peers.map((x) => (x.id === p.id ? { ...x, name: m.name } : x));
        return;
      case 'error':
        this.error = m.message;
        return;
      case 'bye':
        if (fromHost) this.status = 'ended';
        return p.close(`bye: ${m.reason}`);
      case 'terms':
        this.terminals = m.list;
        return;
      case 'term-snapshot':
        return this.#streams.get(m.id)?.snapshot(m.seq, m.data, m.cols, m.rows);
      case 'links':
        this.links = m.links;
        return;
    }
  }

  #toHost(msg: object): void {
    this.#host?.control(msg);
  }

  rename(name: string): void {
    const clean = name.trim().slice(0, 64);
    if (!clean || clean === this.self.name) return;
    this.self.name = clean;
    rememberName(clean, storage());
    if (this.#credential) this.#credential.name = clean;
    this.#mesh?.broadcast({ type: 'rename', name: clean });
  }

  openTerminal(cols: number, rows: number): void {
    if (canWrite(this.self.role)) this.#toHost({ type: 'term-open', cols, rows });
  }

  closeTerminal(id: number): void {
    if (canWrite(this.self.role)) this.#toHost({ type: 'term-close', id });
  }

  restartTerminal(id: number): void {
    if (canWrite(this.self.role)) this.#toHost({ type: 'term-restart', id });
  }

  resize(id: number, cols: number, rows: number): void {
    if (canWrite(this.self.role)) this.#toHost({ type: 'term-resize', id, cols, rows });
  }

  attachTerminal(id: number, sink: TerminalSink): () => void {
    const stream = new OutputStream(sink, (from) => this.#toHost({ type: 'term-sub', id, from }));
    this.#streams.set(id, stream);
    this.#toHost({ type: 'term-sub', id });
    return () => {
      if (this.#streams.get(id) === stream) this.#streams.delete(id);
    };
  }

  input(id: number, data: string): void {
    // The host refuses a viewer's input anyway; not sending it keeps the mesh quiet.
    if (!canWrite(this.self.role) || !this.#host) return;
    const bytes = new TextEncoder().encode(data);
    for (let at = 0; at < bytes.length; at += MAX_INPUT_BYTES) {
      this.#host.send(writeTermInput(id, bytes.subarray(at, at + MAX_INPUT_BYTES)));
    }
  }

  /**
   * Sends a frame to the host as-is, skipping this browser's own role checks. For tests and
   * debugging from the console: the host must refuse whatever the role does not allow.
   */
  sendRawToHost(frame: Uint8Array): boolean {
    if (!this.#host) return false;
    this.#host.send(frame);
    return true;
  }

  dispose(): void {
    this.#disposed = true;
    void this.#mesh?.dispose('left');
    this.#credential?.dispose();
  }
}
