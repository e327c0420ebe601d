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
import { laneOf, type MessageOf, type Protocol, type Typed } from '../protocol/capability.ts';
import type { Verifier } from '../protocol/credentials.ts';
import type { Message } from '../protocol/frames.ts';
import { meshProtocol, writeMesh, type MeshMessage } from '../protocol/mesh.ts';
import { sessionProtocol, type SessionControl } from '../protocol/session.ts';
import { verifyStatement, type Decision, type Statement } from '../protocol/statements.ts';
import { signStatement } from './owner-key.ts';
import { Decisions } from './decisions.ts';
import type { Role } from '../protocol/roles.ts';
import { parseEnvelope, type SignalEnvelope } from '../protocol/signaling.ts';
import { ProtocolError } from '../protocol/validate.ts';
import { admit, type AdmissionHooks } from './admission.ts';
import { PeerCredentials } from './peer-credentials.ts';
import { heartbeat, Member, type MeshPeer, type PeerError } from './member.ts';
import { Emitter } from './events.ts';
import { Peer, type GoneKind, type GoneReason } from './peer.ts';
import { open, seal } from './room-crypto.ts';
import { asProtocolError, Router } from './router.ts';
import { SignalingClient, type SignalingStatus } from './signaling-client.ts';
import { MAX_PEERS, MAX_PENDING, HELLO_TIMEOUT_MS, MAX_CONNECT_ATTEMPTS, RETRY_OFFERER_MS, RETRY_ANSWERER_MS, REFUSED_FOR_MS, PING_MS, REMOVE_NOTICE_MS, BYE_WAIT_MS } from './mesh-limits.ts';

export type { GoneKind, GoneReason, MeshPeer, PeerError };
export { MAX_STRIKES, STRIKE_DECAY_MS } from './member.ts';

export * from './mesh-limits.ts';

export interface MeshOptions {
  session: string;
  selfId: string;
  /** this participant's role: the router checks what arrives against it */
  role: Role;
  /** ws(s)://…/signal */
  signalingUrl: string;
  /** that socket, already opening with the current token (see SignalingClientOptions.socket) */
  signalingSocket?: WebSocket;
  token: () => string;
  verify: Verifier;
  key: CryptoKey;
  RTCPeerConnection: typeof RTCPeerConnection;
  /** read for each new connection: ICE servers and their credentials change on every refresh */
  rtcConfig?: RTCConfiguration | (() => RTCConfiguration);
  /** see PeerOptions.dropMdnsCandidates (true in Node) */
  dropMdnsCandidates?: boolean;
  log?: (line: string) => void;
}

function newCid(): string {
  return Math.random().toString(36).slice(2, 12);
}

export class Mesh {
  readonly signaling: SignalingClient;
  /** every message from admitted peers passes through it; capabilities register here */
  readonly router: Router;
  /** a peer was admitted (its credential verified) */
  readonly peerJoined = new Emitter<MeshPeer>();
  /** an admitted peer is gone, and why */
  readonly peerGone = new Emitter<{ peer: MeshPeer; reason: GoneReason }>();
  /** an admitted peer changed its display name (`peer.name`) */
  readonly peerRenamed = new Emitter<MeshPeer>();
  /** a peer answered something we sent with an error */
  readonly peerError = new Emitter<PeerError>();
  /** a connection to a peer that never opened (or never said hello), and why: the page says it instead of spinning */
  readonly unreachable = new Emitter<{ id: string; detail: string }>();
  /** a connection whose hello did not verify, and why */
  readonly peerRefused = new Emitter<{ id: string; error: ProtocolError }>();
  readonly signalingStatus = new Emitter<SignalingStatus>();
  /** the signaling server says the session has ended (its socket closed for good) */
  readonly ended = new Emitter<void>();
  /** an owner's statement was verified and applied (also one about this participant) */
  readonly decided = new Emitter<Statement>();
  #o: MeshOptions;
  #heartbeat: ReturnType<typeof setInterval>;
  #decisions = new Decisions();
  #members = new Map<string, Member>();
  #disposed = false;
  #refused = new Map<string, number>();
  #attempts = new Map<string, number>();
  #inbox: Promise<void> = Promise.resolve();
  /** since when signaling is reachable (ms), null while it is not */
  #onlineSince: number | null = null;
  #outbox: Promise<void> = Promise.resolve();
  #credentials: PeerCredentials;
  #admission: AdmissionHooks;

  constructor(o: MeshOptions) {
    this.#o = o;
    this.#credentials = new PeerCredentials(o.session, o.verify, () => this.#onlineSince);
    this.#admission = {
      credentials: this.#credentials,
      isRemoved: (id) => this.#decisions.isRemoved(id),
      admitted: (m) => {
        this.#attempts.delete(m.id);
        // what the owner decided so far, for a peer that may have missed it
        for (const c of this.#decisions.statements()) m.send(sessionProtocol, c);
        this.peerJoined.fire(m);
        for (const held of m.held.splice(0)) this.router.receive(m, held);
      },
      refused: (m, err) => {
        this.#o.log?.(`refused peer ${m.id}: ${err.message}`);
        this.#ignore(m.id);
        this.peerRefused.fire({ id: m.id, error: err });
        m.sendError(err.code, err.message);
        m.close({ kind: 'refused', detail: err.message });
      }
    };
    this.router = new Router(() => o.role);
    this.router.register(meshProtocol, (p, m) => this.#onMeshMessage(p as Member, m));
    this.#heartbeat = setInterval(() => heartbeat(this.#members.values()), PING_MS);
    this.router.consume(sessionProtocol, 'control', (p, m) => void this.#onControl(p as Member, m as SessionControl));
    this.signaling = new SignalingClient({
      url: o.signalingUrl,
      socket: o.signalingSocket,
      session: o.session,
      token: o.token,
      onOpen: () => void this.#publish({ type: 'announce', from: o.selfId }),
      // Sealing and opening are async: chain them so offers, answers and candidates keep their order.
      onPublish: (from, data) => {
        this.#inbox = this.#inbox.then(() => this.#onPublish(from, data)).catch((e) => o.log?.(`signal handling failed: ${e}`));
      },
      onStatus: (s) => {
        if (s === 'online') this.#onlineSince ??= Date.now();
        else this.#onlineSince = null;
        this.signalingStatus.fire(s);
      },
      onError: (m) => o.log?.(m),
      onEnded: () => this.ended.fire()
    });
  }

  /** this participant's id */
  get selfId(): string {
    return this.#o.selfId;
  }

  /** Admitted peers. */
  get peers(): MeshPeer[] {
    return [...this.#members.values()].filter((m) => m.ready);
  }

  /** The admitted host agent, if it is connected. */
  get host(): MeshPeer | undefined {
    return this.peers.find((p) => p.claims.role === 'host');
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
        if (env.to) existing?.peer.close({ kind: 'superseded', detail: 'the peer reset the connection' });
        else if (existing && !existing.peer.closed) return;
        if (this.#o.selfId < from) this.#connect(from, true, undefined, env.relay);
        else void this.#publish({ type: 'announce', from: this.#o.selfId, to: from, ...this.#relayMark() });
        return;
      case 'description': {
        let m = existing;
        // Every offer starts a new connection: whatever we had with that peer is stale.
        if (env.description.type === 'offer') {
          m?.peer.close({ kind: 'superseded', detail: 'a new offer replaced it' });
          m = this.#connect(from, false, env.cid, env.relay);
        }
        await m?.peer.handle(env);
        return;
      }
      case 'candidate':
        await existing?.peer.handle(env);
        return;
    }
  }

  #connect(id: string, initiator: boolean, cid = newCid(), relay = false): Member | undefined {
    if (!this.#members.has(id)) {
      const all = [...this.#members.values()];
      if (all.filter((m) => m.ready).length >= MAX_PEERS) {
        this.#o.log?.(`refused peer ${id}: the mesh is full (${MAX_PEERS} peers)`);
        return undefined;
      }
      // Unauthenticated slots are few and apart from admitted ones; the oldest gives way.
      const pending = all.filter((m) => !m.ready && !m.peer.closed).sort((a, b) => a.since - b.since);
      if (pending.length >= MAX_PENDING) pending[0].close({ kind: 'lost', detail: `too many connections waiting for hello (${MAX_PENDING})` });
    }
    let member!: Member;
    let helloTimer: ReturnType<typeof setTimeout> | null = null;
    const config = typeof this.#o.rtcConfig === 'function' ? this.#o.rtcConfig() : this.#o.rtcConfig;
    const relayOnly = relay || this.#decisions.relayOnly;
    const peer = new Peer(id, {
      RTCPeerConnection: this.#o.RTCPeerConnection,
      config: relayOnly ? { ...config, iceTransportPolicy: 'relay' } : config,
      initiator,
      cid,
      dropMdnsCandidates: this.#o.dropMdnsCandidates,
      signal: (s) => void this.#publish({ ...s, from: this.#o.selfId, to: id, cid, ...(relayOnly && s.type === 'description' ? { relay: true } : {}) } as SignalEnvelope),
      onOpen: () => {
        peer.send(writeMesh({ type: 'hello', token: this.#o.token() }));
        helloTimer = setTimeout(() => member.ready || peer.close({ kind: 'lost', detail: 'no valid hello in time' }), HELLO_TIMEOUT_MS);
      },
      onMessage: (m) => void this.#onMessage(member, m),
      onBadFrame: (e) => member.strike(e),
      onClose: (reason) => {
        if (helloTimer) clearTimeout(helloTimer);
        clearTimeout(member.expiry);
        if (this.#members.get(id) === member) this.#members.delete(id);
        this.#o.log?.(`peer ${id} closed (${reason.kind}): ${reason.detail}`);
        // A peer dropped for abuse is ignored like one refused at hello: it must not flood again at once.
        if (reason.kind === 'removed') this.#ignore(id);
        if (member.ready) this.peerGone.fire({ peer: member, reason });
        else if (reason.kind === 'lost' && !this.#disposed) this.unreachable.fire({ id, detail: reason.detail });
        // Only a lost connection is retried, and only while no newer one replaced it.
        if (this.#disposed || this.#members.has(id) || reason.kind !== 'lost' || (this.#refused.get(id) ?? 0) > Date.now()) return;
        this.#retry(id, member.ready);
      }
    });
    member = new Member(peer, (pid) => this.roleOf(pid));
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
      else void this.#publish({ type: 'announce', from: this.#o.selfId, to: id, ...this.#relayMark() });
    }, (this.#o.selfId < id ? RETRY_OFFERER_MS : RETRY_ANSWERER_MS) * 2 ** attempt);
  }

  #relayMark = (): { relay?: true } => (this.#decisions.relayOnly ? { relay: true } : {});

  /** Whether the owner made the session relay-only (every new connection is, from then on). */
  get relayOnly(): boolean {
    return this.#decisions.relayOnly;
  }

  /** The owner made the session relay-only: every connection that is not is made again, through the
   * relay only. The side that offers does it; the other one keeps its connection (the statement is
   * on its way over it) and asks for it (a directed announce marked relay) only if no relay-only
   * offer came in time, so a peer that never got the statement does not offer its addresses. */
  #reconnectRelayOnly(): void {
    for (const m of [...this.#members.values()]) {
      if (m.peer.relayOnly || m.peer.closed) continue;
      if (this.#o.selfId < m.id) {
        m.peer.close({ kind: 'superseded', detail: 'the session became relay-only' });
        this.#connect(m.id, true);
        continue;
      }
      setTimeout(() => {
        if (this.#disposed || this.#members.get(m.id)?.peer.relayOnly) return;
        void this.#publish({ type: 'announce', from: this.#o.selfId, to: m.id, relay: true });
      }, RETRY_ANSWERER_MS);
    }
  }

  async #onMessage(m: Member, msg: Message): Promise<void> {
    m.heard = Date.now();
    // The host is trusted with the PTYs anyway and streams output at whatever rate a program writes;
    // before its hello verified, what a peer sends is bounded by the hold below instead.
    if (m.ready && m.claims.role !== 'host' && !m.budget.take(msg.body.length + 1)) {
      // told once; every refused message is a strike, so a sustained flood is dropped within seconds
      return m.strike(new ProtocolError('rate-limited', 'too many messages: slow down'), m.budget.dropped === 1);
    }
    if (m.ready) return this.router.receive(m, msg);
    return admit(m, msg, this.#admission);
  }

  /** Hands a refreshed credential to signaling and to every peer (call on each refresh). */
  renewed(token: string): void {
    this.signaling.refreshed(token);
    this.broadcast(meshProtocol, { type: 'renew', token });
  }

  /** The role the owner gave a participant, if it changed it. */
  roleOf(id: string): Role | undefined {
    return this.#decisions.roleOf(id);
  }

  /** Whether the owner removed a participant. */
  isRemoved(id: string): boolean {
    return this.#decisions.isRemoved(id);
  }

  /** An owner decides: signs with its key, applies it here, tells everyone; returns the statement. */
  async decide(key: CryptoKey, d: Decision): Promise<string> {
    const token = this.#o.token();
    const statement = await signStatement(key, { sub: this.#o.selfId, aud: this.#o.session }, d);
    await this.#onControl(null, { type: 'control', statement, owner: token });
    return statement;
  }

  async #onControl(from: Member | null, c: SessionControl): Promise<void> {
    let s: Statement;
    try {
      s = await verifyStatement(c.statement, c.owner, this.#o.session, this.#o.verify);
    } catch (e) {
      if (from) from.strike(asProtocolError(e, 'bad-statement'));
      else throw e;
      return;
    }
    if (this.#disposed || !this.#decisions.apply(s, c)) return;
    // pass it on, so peers the owner is not connected to learn it too (and the target itself)
    const bytes = sessionProtocol.write(c);
    for (const p of this.peers) if (p !== from) p.sendEncoded(bytes);
    if (s.sub === this.#o.selfId && s.act === 'role') this.#o.role = s.role;
    this.decided.fire(s);
    if (s.act === 'relay-only') return this.#reconnectRelayOnly();
    if (s.act === 'remove') {
      if (s.sub === this.#o.selfId) return void this.dispose('removed by the owner');
      this.#refused.set(s.sub, Infinity);
      const m = this.#members.get(s.sub);
      if (m) setTimeout(() => m.close({ kind: 'removed', detail: 'the owner removed this participant' }), REMOVE_NOTICE_MS);
    }
  }

  /** Ignores a peer's signals for REFUSED_FOR_MS. */
  #ignore(id: string): void {
    const now = Date.now();
    for (const [other, until] of this.#refused) if (until < now) this.#refused.delete(other);
    if ((this.#refused.get(id) ?? 0) < now + REFUSED_FOR_MS) this.#refused.set(id, now + REFUSED_FOR_MS);
  }

  #onMeshMessage(m: Member, msg: MeshMessage): void {
    switch (msg.type) {
      case 'hello':
        return;
      case 'rename':
        m.name = msg.name;
        return this.peerRenamed.fire(m);
      case 'error':
        return this.peerError.fire({ peer: m, code: msg.code, message: msg.message });
      case 'bye':
        return m.close({ kind: 'bye', detail: msg.reason });
      case 'renew':
        return void this.#credentials.renew(m, msg.token);
      case 'ping':
        return;
    }
  }

  /** Sends one message to every admitted peer (optionally only some). */
  broadcast<P extends Protocol<Typed, Typed>>(protocol: P, msg: MessageOf<P>, only?: (p: MeshPeer) => boolean): void {
    const peers = this.peers.filter((p) => !only || only(p));
    if (!peers.length) return;
    const bytes = protocol.write(msg);
    for (const p of peers) p.sendEncoded(bytes, laneOf(protocol, msg));
  }

  /** Says bye to every peer (waiting briefly for it to leave) and leaves. */
  async dispose(reason = 'left'): Promise<void> {
    if (this.#disposed) return;
    this.broadcast(meshProtocol, { type: 'bye', reason });
    this.#disposed = true;
    clearInterval(this.#heartbeat);
    const deadline = Date.now() + BYE_WAIT_MS;
    while (this.peers.some((p) => p.backlog > 0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 50));
    for (const m of [...this.#members.values()]) m.peer.close({ kind: 'bye', detail: reason });
    this.#members.clear();
    this.signaling.dispose();
    this.router.dispose();
    for (const e of [this.peerJoined, this.peerGone, this.peerRenamed, this.peerError, this.peerRefused, this.unreachable, this.signalingStatus, this.decided, this.ended]) e.dispose();
  }
}
