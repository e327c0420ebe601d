/**
 * The full mesh. Peers find each other through the signaling relay (sealed envelopes), connect
 * directly, and admit each other only after a `hello` whose credential verifies against the
 * cached JWKS, names the peer id the relay vouched for, and is bound to the DTLS fingerprint of
 * this very connection — so a copied token is useless to anyone else.
 *
 * Who calls whom: on (re)connecting to signaling a peer broadcasts `announce`. For each pair the
 * peer with the smaller id sends the offer; the larger one answers an announce with a directed
 * announce so the smaller one starts. A directed announce also means "I have no connection with
 * you": the receiver drops any stale one first. That is how a dropped peer resumes.
 */
import { normalizeFingerprint, type Claims, type Verifier } from '../protocol/credentials.ts';
import { parseFromPeer } from '../protocol/control.ts';
import { FRAME, writeControl, type Frame } from '../protocol/frames.ts';
import { parseEnvelope, type SignalEnvelope } from '../protocol/signaling.ts';
import { ProtocolError } from '../protocol/validate.ts';
import type { SignalingStatus } from '../session/view.ts';
import { Peer } from './peer.ts';
import { open, seal } from './room-crypto.ts';
import { SignalingClient } from './signaling-client.ts';

/** Most peers one participant connects to. */
export const MAX_PEERS = 32;
/** Bad frames tolerated from one peer before it is dropped. */
export const MAX_STRIKES = 10;
/** A peer that has not said a valid hello this long after its channel opened is dropped, ms. */
export const HELLO_TIMEOUT_MS = 10_000;
/** Failed connects to one peer retried before giving up (until it announces again). */
export const MAX_CONNECT_ATTEMPTS = 6;
/** First reconnect delay of the side that makes the offer; the other side only nudges (a
 * directed announce) if no offer came after its longer delay, ms. */
export const RETRY_OFFERER_MS = 100;
export const RETRY_ANSWERER_MS = 1_500;
/** How long a refused peer is ignored, ms. */
export const REFUSED_FOR_MS = 5 * 60_000;
/** How long leaving waits for the bye to reach peers, ms. */
export const BYE_WAIT_MS = 500;

export interface MeshOptions {
  session: string;
  selfId: string;
  /** ws(s)://…/signal */
  signalingUrl: string;
  token: () => string;
  verify: Verifier;
  key: CryptoKey;
  RTCPeerConnection: typeof RTCPeerConnection;
  rtcConfig?: RTCConfiguration;
  /** see PeerOptions.dropMdnsCandidates (true in Node) */
  dropMdnsCandidates?: boolean;
  log?: (line: string) => void;
}

/** An authenticated participant, as the application sees it. */
export interface MeshPeer {
  readonly id: string;
  readonly claims: Claims;
  send(frame: Uint8Array): void;
  control(msg: object): void;
  /** bytes not yet handed to the network */
  readonly backlog: number;
  onDrain(cb: () => void): () => void;
  /** answers a bad frame with an error message; too many and the peer is dropped */
  strike(e: ProtocolError): void;
  close(reason: string): void;
}

class Member implements MeshPeer {
  claims!: Claims;
  strikes = 0;
  ready = false;
  /** frames that arrived while the hello was being verified */
  held: Frame[] = [];
  verifying = false;
  readonly peer: Peer;
  constructor(peer: Peer) {
    this.peer = peer;
  }
  get id() {
    return this.peer.id;
  }
  get backlog() {
    return this.peer.backlog;
  }
  send(frame: Uint8Array) {
    this.peer.send(frame);
  }
  control(msg: object) {
    this.peer.send(writeControl(JSON.stringify(msg)));
  }
  onDrain(cb: () => void) {
    return this.peer.onDrain(cb);
  }
  strike(e: ProtocolError) {
    this.control({ type: 'error', code: e.code, message: e.message });
    if (++this.strikes >= MAX_STRIKES) this.close(`too many bad frames (last: ${e.message})`);
  }
  close(reason: string) {
    this.peer.close(reason);
  }
}

function newCid(): string {
  return Math.random().toString(36).slice(2, 12);
}

type Listener<A extends unknown[]> = (...a: A) => void;

export class Mesh {
  readonly signaling: SignalingClient;
  #o: MeshOptions;
  #members = new Map<string, Member>();
  #disposed = false;
  #refused = new Map<string, number>();
  #attempts = new Map<string, number>();
  #inbox: Promise<void> = Promise.resolve();
  #outbox: Promise<void> = Promise.resolve();
  #ready = new Set<Listener<[MeshPeer]>>();
  #gone = new Set<Listener<[MeshPeer, string]>>();
  #frame = new Set<Listener<[MeshPeer, Frame]>>();
  #status = new Set<Listener<[SignalingStatus]>>();

  constructor(o: MeshOptions) {
    this.#o = o;
    this.signaling = new SignalingClient({
      url: o.signalingUrl,
      session: o.session,
      token: o.token,
      onOpen: () => void this.#publish({ type: 'announce', from: o.selfId }),
      // Sealing and opening are async: chain them so offers, answers and candidates keep their order.
      onPublish: (from, data) => {
        this.#inbox = this.#inbox.then(() => this.#onPublish(from, data)).catch((e) => o.log?.(`signal handling failed: ${e}`));
      },
      onStatus: (s) => this.#status.forEach((l) => l(s)),
      onError: (m) => o.log?.(m)
    });
  }

  onPeer(cb: Listener<[MeshPeer]>) {
    this.#ready.add(cb);
    return () => this.#ready.delete(cb);
  }
  onPeerGone(cb: Listener<[MeshPeer, string]>) {
    this.#gone.add(cb);
    return () => this.#gone.delete(cb);
  }
  /** Every frame but the hello, from admitted peers only, in arrival order. */
  onFrame(cb: Listener<[MeshPeer, Frame]>) {
    this.#frame.add(cb);
    return () => this.#frame.delete(cb);
  }
  onSignalingStatus(cb: Listener<[SignalingStatus]>) {
    this.#status.add(cb);
    return () => this.#status.delete(cb);
  }

  /** Admitted peers. */
  get peers(): MeshPeer[] {
    return [...this.#members.values()].filter((m) => m.ready);
  }

  #publish(env: SignalEnvelope): Promise<void> {
    this.#outbox = this.#outbox
      .then(async () => {
        if (!this.#disposed) this.signaling.publish(await seal(this.#o.key, JSON.stringify(env)));
      })
      .catch((e) => this.#o.log?.(`could not send a signal: ${e}`));
    return this.#outbox;
  }

  async #onPublish(from: string, data: string): Promise<void> {
    let env: SignalEnvelope;
    try {
      env = parseEnvelope(await open(this.#o.key, data));
    } catch (e) {
      return this.#o.log?.(`ignored a signal from ${from} that does not open with the session key: ${(e as Error).message}`);
    }
    // The relay stamps `from` with the sender's authenticated id; the sealed copy must agree.
    if (env.from !== from || from === this.#o.selfId) return;
    if (env.to !== undefined && env.to !== this.#o.selfId) return;
    if (this.#disposed) return;
    // A peer we refused keeps its credential: don't let it make us reconnect again and again.
    if ((this.#refused.get(from) ?? 0) > Date.now()) return;
    const existing = this.#members.get(from);
    switch (env.type) {
      case 'announce':
        if (env.to) existing?.peer.close('peer reset the connection');
        else if (existing && !existing.peer.closed) return;
        if (this.#o.selfId < from) this.#connect(from, true);
        else void this.#publish({ type: 'announce', from: this.#o.selfId, to: from });
        return;
      case 'description': {
        let m = existing;
        // Every offer starts a new connection: whatever we had with that peer is stale.
        if (env.description.type === 'offer') {
          m?.peer.close('superseded by a new offer');
          m = this.#connect(from, false, env.cid);
        }
        await m?.peer.handle(env);
        return;
      }
      case 'candidate':
        await existing?.peer.handle(env);
        return;
    }
  }

  #connect(id: string, initiator: boolean, cid = newCid()): Member | undefined {
    if (this.#members.size >= MAX_PEERS && !this.#members.has(id)) {
      this.#o.log?.(`refused peer ${id}: the mesh is full (${MAX_PEERS} peers)`);
      return undefined;
    }
    let member!: Member;
    let helloTimer: ReturnType<typeof setTimeout> | null = null;
    const peer = new Peer(id, {
      RTCPeerConnection: this.#o.RTCPeerConnection,
      config: this.#o.rtcConfig,
      initiator,
      cid,
      dropMdnsCandidates: this.#o.dropMdnsCandidates,
      signal: (s) => void this.#publish({ ...s, from: this.#o.selfId, to: id, cid } as SignalEnvelope),
      onOpen: () => {
        member.control({ type: 'hello', token: this.#o.token() });
        helloTimer = setTimeout(() => member.ready || peer.close('no valid hello in time'), HELLO_TIMEOUT_MS);
      },
      onFrame: (f) => void this.#onFrame(member, f),
      onBadFrame: (e) => member.strike(e),
      onClose: (reason) => {
        if (helloTimer) clearTimeout(helloTimer);
        if (this.#members.get(id) === member) this.#members.delete(id);
        this.#o.log?.(`peer ${id} closed: ${reason}`);
        if (member.ready) this.#gone.forEach((l) => l(member, reason));
        // Reconnect, unless we are leaving, the peer was refused or said bye, or a newer
        // connection already replaced this one.
        if (this.#disposed || this.#members.has(id) || /^(bye|refused|superseded|peer reset)/.test(reason) || (this.#refused.get(id) ?? 0) > Date.now()) return;
        this.#retry(id, member.ready);
      }
    });
    member = new Member(peer);
    this.#members.set(id, member);
    return member;
  }

  /** Asks `id` to connect again (a directed announce resets both ends), with a growing delay. */
  #retry(id: string, wasReady: boolean): void {
    const attempt = wasReady ? 0 : (this.#attempts.get(id) ?? 0) + 1;
    if (attempt > MAX_CONNECT_ATTEMPTS) {
      this.#attempts.delete(id);
      return this.#o.log?.(`gave up connecting to ${id} after ${MAX_CONNECT_ATTEMPTS} attempts`);
    }
    this.#attempts.set(id, attempt);
    setTimeout(() => {
      if (this.#disposed || this.#members.has(id)) return;
      if (this.#o.selfId < id) this.#connect(id, true);
      else void this.#publish({ type: 'announce', from: this.#o.selfId, to: id });
    }, (this.#o.selfId < id ? RETRY_OFFERER_MS : RETRY_ANSWERER_MS) * 2 ** attempt);
  }

  async #onFrame(m: Member, f: Frame): Promise<void> {
    if (m.ready) return this.#frame.forEach((l) => l(m, f));
    if (m.verifying) {
      m.held.push(f);
      return;
    }
    if (f.kind !== FRAME.CONTROL) return m.strike(new ProtocolError('unauthenticated', 'send hello with your credential first'));
    let token: string;
    try {
      const msg = parseFromPeer(f.json);
      if (msg.type !== 'hello') throw new ProtocolError('unauthenticated', 'send hello with your credential first');
      token = msg.token;
    } catch (e) {
      return m.strike(e instanceof ProtocolError ? e : new ProtocolError('bad-message', String(e)));
    }
    m.verifying = true;
    try {
      const claims = await this.#o.verify(token, this.#o.session);
      if (claims.sub !== m.id) throw new ProtocolError('bad-credential', 'credential names another participant');
      const fp = m.peer.remoteFingerprint;
      if (!claims.fp || !fp || normalizeFingerprint(claims.fp) !== fp) {
        throw new ProtocolError('bad-credential', 'credential is not bound to the certificate of this connection');
      }
      m.claims = claims;
    } catch (e) {
      const err = e instanceof ProtocolError ? e : new ProtocolError('bad-credential', String(e));
      this.#o.log?.(`refused peer ${m.id}: ${err.message}`);
      const now = Date.now();
      for (const [id, until] of this.#refused) if (until < now) this.#refused.delete(id);
      this.#refused.set(m.id, now + REFUSED_FOR_MS);
      m.control({ type: 'error', code: err.code, message: err.message });
      return m.close(`refused: ${err.message}`);
    }
    m.verifying = false;
    m.ready = true;
    this.#attempts.delete(m.id);
    this.#ready.forEach((l) => l(m));
    for (const held of m.held.splice(0)) this.#frame.forEach((l) => l(m, held));
  }

  /** Sends a control message to every admitted peer (optionally only some). */
  broadcast(msg: object, only?: (p: MeshPeer) => boolean): void {
    for (const p of this.peers) if (!only || only(p)) p.control(msg);
  }

  /** Says bye to every peer (waiting briefly for it to leave) and leaves. */
  async dispose(reason = 'left'): Promise<void> {
    if (this.#disposed) return;
    this.broadcast({ type: 'bye', reason });
    this.#disposed = true;
    const deadline = Date.now() + BYE_WAIT_MS;
    while (this.peers.some((p) => p.backlog > 0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 50));
    for (const m of [...this.#members.values()]) m.peer.close(`bye: ${reason}`);
    this.#members.clear();
    this.signaling.dispose();
  }
}
