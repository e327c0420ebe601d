/**
 * The ws relay at /signal, after y-webrtc's bin/server.js: one switch, a heartbeat, cleanup on
 * close; but authenticated at the upgrade (subprotocols ['live-sessions', <credential>]), typed,
 * size-limited, and a socket only reaches the session (topic) its credential names.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { decodeJwt } from 'jose';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { CLOCK_SKEW_S, SESSION_ID_RE, type Claims } from '../src/lib/protocol/credentials.ts';
import { HEARTBEAT_MS, MAX_SIGNAL_BYTES, MAX_SIGNAL_DATA_CHARS, SIGNAL_SUBPROTOCOL, parseClientSignal, type ServerSignal } from '../src/lib/protocol/signaling.ts';
import { ProtocolError } from '../src/lib/protocol/validate.ts';
import { Budget } from '../src/lib/mesh/budget.ts';
import { clientKey } from './rate-limit.ts';
import { SocketCounts } from './socket-caps.ts';

/** Malformed or forbidden messages a socket may send before it is closed with 1008. */
export const MAX_BAD_MESSAGES = 20;
/** A receiver with more than this queued is too slow to keep, bytes. */
const MAX_BUFFERED_BYTES = 1024 * 1024;
export const CLOSE_EXPIRED = 4001;
/** The session ended: clients stop reconnecting. */
export { CLOSE_ENDED } from '../src/lib/mesh/signaling-client.ts';
import { CLOSE_ENDED } from '../src/lib/mesh/signaling-client.ts';
/** Closed for sending faster than its budget allows, again and again. */
export const CLOSE_FLOODING = 4008;

export * from './relay-options.ts';
import { SOCKET_BUDGET, type RelayOptions } from './relay-options.ts';

interface Conn {
  ws: WebSocket;
  /** the upgraded TCP socket under `ws` (corked while a batch of sends is written, see #send) */
  socket: Duplex;
  /** whether `socket` is corked until the end of this tick */
  corked: boolean;
  /** `{"type":"publish","topic":"<aud>","data":"`: a publish that starts so takes the fast path (#fastPublish) */
  inHead: Buffer;
  /** `{"type":"publish","topic":"<aud>","from":"<sub>","data":"`: what receivers get before the data */
  outHead: Buffer;
  claims: Claims;
  /** the client's address key (rate-limit.ts clientKey) */
  addr: string;
  /** its lease in the shared counts (RelayOptions.shared) */
  lease: string;
  topics: Set<string>;
  alive: boolean;
  bad: number;
  budget: Budget;
  expiry?: NodeJS.Timeout;
}

/** Refuses an upgrade with a plain HTTP response; the reason never contains the credential. */
export function refuseUpgrade(socket: Duplex, status: number, statusText: string, reason: string): void {
  if (!socket.writable) return void socket.destroy();
  socket.end(`HTTP/1.1 ${status} ${statusText}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(reason)}\r\n\r\n${reason}`);
}

export class Relay {
  readonly #wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_SIGNAL_BYTES,
    perMessageDeflate: false,
    clientTracking: false,
    handleProtocols: () => SIGNAL_SUBPROTOCOL
  });
  readonly #conns = new Set<Conn>();
  /** the per-participant, -session and -address caps (and the shared leases) */
  readonly #sockets: SocketCounts;
  readonly #topics = new Map<string, Set<Conn>>();
  readonly #opts: RelayOptions;
  readonly #heartbeat: NodeJS.Timeout;
  /** sockets corked during this tick, uncorked together at its end */
  readonly #corkedConns: Conn[] = [];

  constructor(opts: RelayOptions) {
    this.#opts = opts;
    this.#sockets = new SocketCounts(opts, () => this.#conns.size);
    this.#heartbeat = setInterval(() => this.#beat(), opts.heartbeatMs ?? HEARTBEAT_MS);
  }

  get connections(): number {
    return this.#conns.size;
  }

  async handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => socket.destroy());
    const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    const token = offered.find((p) => p !== SIGNAL_SUBPROTOCOL);
    if (!offered.includes(SIGNAL_SUBPROTOCOL) || !token || offered.length !== 2) {
      this.#opts.log('signal: upgrade refused: no credential (subprotocols must be live-sessions, <credential>)', 'warn');
      this.#opts.metrics?.rejects.inc({ reason: 'no-credential' });
      return refuseUpgrade(socket, 401, 'Unauthorized', 'a credential is required: subprotocols ["live-sessions", <credential>]');
    }
    let claims: Claims;
    try {
      // The credential names its session; verification then pins that audience (and alg, issuer, expiry).
      const aud = decodeJwt(token).aud;
      if (typeof aud !== 'string' || !SESSION_ID_RE.test(aud)) throw new ProtocolError('bad-credential', 'credential refused: it names no session');
      claims = await this.#opts.verify(token, aud);
      // Optional `?session=ID` on the upgrade pins the session the client means to reach.
      const wanted = new URL(req.url ?? '/', 'http://x').searchParams.get('session');
      if (wanted !== null && wanted !== aud) throw new ProtocolError('bad-credential', `credential refused: it is for another session than ${wanted}`);
      const refused = this.#opts.refusal?.(claims);
      if (refused) throw new ProtocolError('bad-credential', refused);
      let known = true;
      try {
        known = !this.#opts.hasSession || (await this.#opts.hasSession(aud));
      } catch {
        // the shared store (Redis) is unreachable: not the client's fault, it may retry
        this.#opts.metrics?.rejects.inc({ reason: 'backplane-down' });
        return refuseUpgrade(socket, 503, 'Service Unavailable', 'the signaling server cannot reach its shared store right now; try again in a moment');
      }
      if (!known) throw new ProtocolError('bad-credential', 'credential refused: its session does not exist on this server');
    } catch (e) {
      const reason = e instanceof ProtocolError ? e.message : 'credential refused: it is not a valid JWT';
      this.#opts.log(`signal: upgrade refused: ${reason}`, 'warn');
      this.#opts.metrics?.rejects.inc({ reason: 'bad-credential' });
      return refuseUpgrade(socket, 401, 'Unauthorized', reason);
    }
    if (socket.destroyed) return;
    const addr = clientKey(req.socket.remoteAddress, req.headers['x-forwarded-for'], this.#opts.trustProxy ?? false);
    const full = this.#sockets.full(claims, addr);
    if (full) return this.#refuseFull(socket, claims, full);
    const lease = this.#sockets.lease();
    if (this.#sockets.shared) {
      let refused;
      try {
        refused = await this.#sockets.admitShared(claims, addr, lease, () => socket.destroyed);
      } catch {
        this.#opts.metrics?.rejects.inc({ reason: 'backplane-down' });
        return refuseUpgrade(socket, 503, 'Service Unavailable', 'the signaling server cannot reach its shared store right now; try again in a moment');
      }
      if (refused) return refused === 'gone' ? undefined : this.#refuseFull(socket, claims, refused);
    }
    // (ws completes the upgrade synchronously here, so the counts #open adds are up to date for the next)
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#open(ws, socket, claims, addr, lease));
  }

  #refuseFull(socket: Duplex, claims: Claims, full: string): void {
    this.#opts.log(`signal: upgrade refused for ${claims.sub}: ${full}`, 'warn');
    this.#opts.metrics?.rejects.inc({ reason: 'socket-cap' });
    refuseUpgrade(socket, full.startsWith('the server') ? 503 : 429, full.startsWith('the server') ? 'Service Unavailable' : 'Too Many Requests', full);
  }

  #open(ws: WebSocket, socket: Duplex, claims: Claims, addr: string, lease: string): void {
    const conn: Conn = {
      ws,
      socket,
      corked: false,
      inHead: Buffer.from(`{"type":"publish","topic":"${claims.aud}","data":"`),
      outHead: Buffer.from(`{"type":"publish","topic":"${claims.aud}","from":${JSON.stringify(claims.sub)},"data":"`),
      claims,
      addr,
      lease,
      topics: new Set(),
      alive: true,
      bad: 0,
      budget: new Budget(SOCKET_BUDGET)
    };
    this.#conns.add(conn);
    this.#sockets.add(conn);
    this.#armExpiry(conn);
    this.#opts.log(`signal: ${claims.sub} (${claims.role}) connected to ${claims.aud}`);
    ws.on('pong', () => (conn.alive = true));
    // A socket whose messages keep arriving is alive, even when its pong waits behind them
    // (a flooder must end with CLOSE_FLOODING, not be taken for dead mid-flood).
    ws.on('message', (data, isBinary) => {
      conn.alive = true;
      void this.#message(conn, data, isBinary);
    });
    ws.on('error', () => ws.terminate());
    ws.on('close', () => this.#cleanup(conn));
  }

  async #message(conn: Conn, data: RawData, isBinary: boolean): Promise<void> {
    // the common case, a publish as our clients write it, without parsing (same checks, same output)
    if (!isBinary && Buffer.isBuffer(data) && this.#fastPublish(conn, data)) return;
    let msg;
    try {
      if (isBinary) throw new ProtocolError('bad-message', 'signaling messages are JSON text, not binary');
      msg = parseClientSignal(data.toString());
    } catch (e) {
      return this.#bad(conn, e instanceof ProtocolError ? e.code : 'bad-message', e instanceof Error ? e.message : 'malformed message');
    }
    const { aud } = conn.claims;
    switch (msg.type) {
      case 'subscribe':
        for (const topic of msg.topics) {
          if (topic !== aud) {
            this.#bad(conn, 'forbidden-topic', `your credential is for session ${aud}; you cannot subscribe to ${topic}`);
            continue;
          }
          conn.topics.add(topic);
          let subs = this.#topics.get(topic);
          if (!subs) {
            this.#topics.set(topic, (subs = new Set()));
            this.#opts.bus?.watch(topic, true);
          }
          subs.add(conn);
        }
        break;
      case 'unsubscribe':
        for (const topic of msg.topics) this.#unsubscribe(conn, topic);
        break;
      case 'publish': {
        if (msg.topic !== aud) return this.#bad(conn, 'forbidden-topic', `your credential is for session ${aud}; you cannot publish to ${msg.topic}`);
        this.#publish(conn, Buffer.from(JSON.stringify({ type: 'publish', topic: aud, from: conn.claims.sub, data: msg.data } satisfies ServerSignal)), msg.data.length);
        break;
      }
      case 'ping':
        send(conn.ws, { type: 'pong' });
        break;
      case 'auth':
        try {
          const next = await this.#opts.verify(msg.token, aud);
          if (next.sub !== conn.claims.sub) throw new ProtocolError('bad-credential', 'credential refused: it is for another participant');
          const refused = this.#opts.refusal?.(next);
          if (refused) throw new ProtocolError('bad-credential', refused);
          conn.claims = next;
          this.#armExpiry(conn);
        } catch (e) {
          this.#bad(conn, 'bad-credential', e instanceof Error ? e.message : 'credential refused');
        }
        break;
      default:
        msg satisfies never;
    }
  }

  /**
   * A publish exactly as our clients write it (`{"type":"publish","topic":"<own session>","data":"…"}`,
   * data printable ASCII without quotes or escapes, as sealed base64 is) is relayed by splicing
   * bytes: no JSON parse, no re-serialising, no string round trip. Anything else (another order,
   * escapes, another topic) returns false and takes the parsing path, which validates and answers.
   */
  #fastPublish(conn: Conn, buf: Buffer): boolean {
    const head = conn.inHead;
    const end = buf.length - 2;
    const len = end - head.length;
    if (len < 1 || len > MAX_SIGNAL_DATA_CHARS || buf[end] !== 0x22 || buf[end + 1] !== 0x7d) return false;
    if (head.compare(buf, 0, head.length) !== 0) return false;
    for (let i = head.length; i < end; i++) {
      const c = buf[i];
      if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) return false;
    }
    this.#publish(conn, Buffer.concat([conn.outHead, buf.subarray(head.length)]), len);
    return true;
  }

  /** Relays `out` (a publish with `from` stamped) to the session's other members here and on the bus. */
  #publish(conn: Conn, out: Buffer, dataLength: number): void {
    const aud = conn.claims.aud;
    if (!conn.budget.take(dataLength)) return this.#flooding(conn);
    this.#opts.touch?.(aud);
    let sent = 0;
    for (const peer of this.#topics.get(aud) ?? []) if (peer !== conn && this.#send(peer, out)) sent++;
    this.#opts.metrics?.relayedMessages.inc(sent);
    this.#opts.metrics?.relayedBytes.inc(sent * dataLength);
    this.#opts.bus?.publish(aud, out);
  }

  /**
   * Sends a text frame, corking the receiver's socket until the end of this tick: the publishes
   * one read brought in (a joining peer's burst of offers and candidates) leave in one write per
   * receiver instead of one system call each. A receiver too far behind is closed instead.
   */
  #send(peer: Conn, out: Buffer): boolean {
    if (peer.ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      peer.ws.close(1013, 'too slow to keep up with signaling');
      return false;
    }
    if (peer.ws.readyState !== WebSocket.OPEN) return false;
    if (!peer.corked) {
      peer.corked = true;
      peer.socket.cork();
      if (this.#corkedConns.push(peer) === 1) process.nextTick(this.#uncork);
    }
    peer.ws.send(out, { binary: false });
    return true;
  }

  readonly #uncork = () => {
    for (const conn of this.#corkedConns) {
      conn.corked = false;
      conn.socket.uncork();
    }
    this.#corkedConns.length = 0;
  };

  /** An over-budget publish is dropped; told once, and a socket that keeps on is closed. */
  #flooding(conn: Conn): void {
    this.#opts.metrics?.rateLimited.inc({ limit: 'socket-budget' });
    if (conn.budget.dropped === 1) send(conn.ws, { type: 'error', code: 'rate-limited', message: 'too many signaling messages: some were dropped' });
    if (conn.budget.dropped >= 10 * MAX_BAD_MESSAGES) conn.ws.close(CLOSE_FLOODING, 'flooding: too many messages');
  }

  #bad(conn: Conn, code: string, message: string): void {
    this.#opts.metrics?.rejects.inc({ reason: code });
    send(conn.ws, { type: 'error', code, message });
    if (++conn.bad >= MAX_BAD_MESSAGES) conn.ws.close(1008, 'too many malformed or forbidden messages');
  }

  /** Closes the socket when its credential runs out (with the same skew verification allows). */
  #armExpiry(conn: Conn): void {
    clearTimeout(conn.expiry);
    const ms = (conn.claims.exp + CLOCK_SKEW_S) * 1000 - Date.now();
    conn.expiry = setTimeout(() => conn.ws.close(CLOSE_EXPIRED, 'credential expired'), Math.max(0, ms));
  }

  #unsubscribe(conn: Conn, topic: string): void {
    conn.topics.delete(topic);
    const subs = this.#topics.get(topic);
    subs?.delete(conn);
    if (subs?.size === 0) {
      this.#topics.delete(topic);
      this.#opts.bus?.watch(topic, false);
    }
  }

  /** A publish another instance relayed (RelayBus): to this instance's members of the session. */
  deliver(session: string, out: Buffer): void {
    let sent = 0;
    for (const peer of this.#topics.get(session) ?? []) if (this.#send(peer, out)) sent++;
    this.#opts.metrics?.relayedMessages.inc(sent);
    this.#opts.metrics?.relayedBytes.inc(sent * out.length);
  }

  #cleanup(conn: Conn): void {
    clearTimeout(conn.expiry);
    for (const topic of conn.topics) this.#unsubscribe(conn, topic);
    if (this.#conns.delete(conn)) {
      this.#sockets.remove(conn);
    }
    this.#opts.log(`signal: ${conn.claims.sub} left ${conn.claims.aud}`);
  }

  #beat(): void {
    this.#sockets.renew(this.#conns);
    for (const conn of this.#conns) {
      if (!conn.alive) {
        conn.ws.terminate();
        continue;
      }
      conn.alive = false;
      conn.ws.ping();
    }
  }

  /** Closes every socket of a session that ended (CLOSE_ENDED). */
  closeSession(session: string): void {
    for (const conn of this.#conns) if (conn.claims.aud === session) conn.ws.close(CLOSE_ENDED, 'the session has ended');
  }

  /** Closes every socket (by default 1001) and stops the heartbeat. */
  async close(code = 1001, reason = 'signaling server shutting down'): Promise<void> {
    clearInterval(this.#heartbeat);
    for (const conn of this.#conns) conn.ws.close(code, reason);
    // Give the close handshake a moment (until every socket answered, 1 s at most), then drop whatever did not answer.
    const until = Date.now() + 1000;
    while (this.#conns.size && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    for (const conn of this.#conns) conn.ws.terminate();
    await new Promise<void>((r) => this.#wss.close(() => r()));
  }
}

function send(ws: WebSocket, msg: ServerSignal): void {
  if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(msg));
}
