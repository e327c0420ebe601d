/**
 * The mesh's connection to the signaling relay: subscribes to the session topic, publishes sealed
 * envelopes, reconnects with backoff, and reports whether signaling is reachable. Uses the global
 * WebSocket (browsers, and Node ≥ 22). The credential travels as a ws subprotocol, never in a URL.
 */
import { parseServerSignal, SIGNAL_SUBPROTOCOL, type ClientSignal } from '../protocol/signaling.ts';
/** The connection to the signaling server, as the page shows it. */
export type SignalingStatus = 'connecting' | 'online' | 'offline';

/** Backoff between reconnect attempts, ms. */
export const RECONNECT_MIN_MS = 250;
export const RECONNECT_MAX_MS = 5_000;
/** Client-side liveness ping; two missed pongs close the socket, ms. */
export const PING_MS = 10_000;

export interface SignalingClientOptions {
  /** ws(s)://…/signal */
  url: string;
  session: string;
  token: () => string;
  onOpen: () => void;
  onPublish: (from: string, data: string) => void;
  onStatus: (status: SignalingStatus) => void;
  onError?: (message: string) => void;
  /** the server closed the socket because the session ended: no reconnect follows */
  onEnded?: () => void;
  /** a socket to `url` already opening with the current token (the page's early join, see
   * openSignalingSocket): taken for the first connection while it is not closed */
  socket?: WebSocket;
}

/**
 * Opens the signaling socket with `token` ahead of the mesh, so that its handshake runs while the
 * page's code loads. The server sends nothing on it until the mesh subscribes.
 */
export function openSignalingSocket(url: string, token: string): WebSocket {
  return new WebSocket(url, [SIGNAL_SUBPROTOCOL, token]);
}

/** Close code of a socket whose session ended (signaling/relay.ts). */
export const CLOSE_ENDED = 4010;

export class SignalingClient {
  #o: SignalingClientOptions;
  #ws: WebSocket | null = null;
  #backoff = RECONNECT_MIN_MS;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #ping: ReturnType<typeof setInterval> | null = null;
  #awaitingPong = 0;
  #disposed = false;
  status: SignalingStatus = 'connecting';

  constructor(o: SignalingClientOptions) {
    this.#o = o;
    this.#connect(o.socket);
  }

  get online(): boolean {
    return this.status === 'online';
  }

  publish(data: string): boolean {
    return this.#send({ type: 'publish', topic: this.#o.session, data });
  }

  /** Hands the socket a refreshed credential. */
  refreshed(token: string): void {
    this.#send({ type: 'auth', token });
  }

  #send(m: ClientSignal): boolean {
    if (this.#ws?.readyState !== WebSocket.OPEN) return false;
    this.#ws.send(JSON.stringify(m));
    return true;
  }

  #setStatus(s: SignalingStatus): void {
    if (s === this.status) return;
    this.status = s;
    this.#o.onStatus(s);
  }

  #connect(early?: WebSocket): void {
    if (this.#disposed) return early?.close(1000, 'bye');
    let ws: WebSocket;
    if (early && early.readyState <= WebSocket.OPEN) ws = early;
    else {
      try {
        ws = new WebSocket(this.#o.url, [SIGNAL_SUBPROTOCOL, this.#o.token()]);
      } catch (e) {
        this.#o.onError?.(`cannot open signaling socket: ${(e as Error).message}`);
        return this.#retry();
      }
    }
    this.#ws = ws;
    const opened = () => {
      this.#backoff = RECONNECT_MIN_MS;
      this.#send({ type: 'subscribe', topics: [this.#o.session] });
      this.#setStatus('online');
      this.#awaitingPong = 0;
      this.#ping = setInterval(() => {
        if (this.#awaitingPong >= 2) return ws.close(4000, 'no pong');
        this.#awaitingPong++;
        this.#send({ type: 'ping' });
      }, PING_MS);
      this.#o.onOpen();
    };
    // an early socket that is open already: told after the constructor returned, as an open event would be
    if (ws.readyState === WebSocket.OPEN) queueMicrotask(() => this.#ws === ws && opened());
    else ws.onopen = opened;
    ws.onmessage = (ev) => {
      if (typeof ev.data !== 'string') return;
      try {
        const m = parseServerSignal(ev.data);
        if (m.type === 'pong') this.#awaitingPong = 0;
        else if (m.type === 'publish') this.#o.onPublish(m.from, m.data);
        else this.#o.onError?.(`signaling: ${m.message}`);
      } catch (e) {
        this.#o.onError?.(`signaling sent a bad message: ${(e as Error).message}`);
      }
    };
    ws.onclose = (ev) => {
      if (this.#ping) clearInterval(this.#ping);
      this.#ping = null;
      if (this.#ws === ws) this.#ws = null;
      if (ev.code === CLOSE_ENDED) {
        this.#disposed = true;
        this.#setStatus('offline');
        return this.#o.onEnded?.();
      }
      this.#retry();
    };
    ws.onerror = () => {
      /* onclose follows and schedules the retry */
    };
  }

  #retry(): void {
    if (this.#disposed || this.#timer) return;
    this.#setStatus('offline');
    const wait = this.#backoff;
    this.#backoff = Math.min(RECONNECT_MAX_MS, this.#backoff * 2);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#connect();
    }, wait);
  }

  dispose(): void {
    this.#disposed = true;
    if (this.#timer) clearTimeout(this.#timer);
    if (this.#ping) clearInterval(this.#ping);
    this.#ws?.close(1000, 'bye');
    this.#ws = null;
  }
}
