/**
 * One WebRTC connection to one other participant: a pre-negotiated, ordered, reliable data
 * channel (id 0) carrying frames (protocol/frames.ts) of two lanes, sent through an Outbox:
 * urgent frames first, bulk within a window the receiver's acks open, so a transfer never makes
 * keystrokes and terminal output wait. Works with the browser's RTCPeerConnection and with
 * node-datachannel's polyfill.
 */
import { FrameReader, isBulkFrame, readAck, writeAck, type Lane, type Message } from '../protocol/frames.ts';
import { ProtocolError } from '../protocol/validate.ts';
import type { SignalEnvelope } from '../protocol/signaling.ts';
import { sdpFingerprint } from './fingerprint.ts';
import { LOW_WATER_BYTES, Outbox } from './outbox.ts';
import { connectionPath, type ConnectionPath } from './connection-path.ts';
import { connectFailure, type GatherFacts } from './connect-failure.ts';
import { isRelayCandidate, relayOnlySdp, scrubRelayCandidate } from './relay-only.ts';

export { HIGH_WATER_BYTES, LOW_WATER_BYTES } from './outbox.ts';
/** A connection that stays 'disconnected' this long is given up, ms. */
export const DISCONNECTED_GRACE_MS = 8_000;
/** A connection whose channel is not open this long after it started is given up (and retried), ms. */
export const CONNECT_TIMEOUT_MS = 8_000;

/** Why a connection ended: `lost` ones are reconnected, the others are final. */
export type GoneKind = 'bye' | 'refused' | 'lost' | 'superseded' | 'removed';
export interface GoneReason {
  kind: GoneKind;
  /** for logs and people */
  detail: string;
}
const lost = (detail: string): GoneReason => ({ kind: 'lost', detail });

export type PeerSignal =
  | { type: 'description'; description: { type: 'offer' | 'answer'; sdp: string } }
  | { type: 'candidate'; candidate: { candidate: string; sdpMid: string | null; sdpMLineIndex: number | null } };

export interface PeerOptions {
  RTCPeerConnection: typeof RTCPeerConnection;
  config?: RTCConfiguration;
  initiator: boolean;
  /** id of this connection attempt: the offerer picks it, the answerer takes it from the offer */
  cid: string;
  /** drop the other side's mDNS (`….local`) host candidates: libdatachannel resolves them with a
   * blocking getaddrinfo that stalls ~12 s where no mDNS responder runs; the peer-reflexive
   * candidate the checks discover connects anyway */
  dropMdnsCandidates?: boolean;
  signal: (s: PeerSignal) => void;
  onOpen: () => void;
  onMessage: (m: Message) => void;
  onBadFrame: (e: ProtocolError) => void;
  onClose: (reason: GoneReason) => void;
}

export class Peer {
  readonly id: string;
  readonly initiator: boolean;
  readonly cid: string;
  #o: PeerOptions;
  #pc: RTCPeerConnection;
  #dc: RTCDataChannel;
  #reader = new FrameReader();
  #outbox = new Outbox();
  #pendingCandidates: PeerSignal[] = [];
  #haveRemote = false;
  #offered = false;
  #grace: ReturnType<typeof setTimeout> | null = null;
  #connectTimer: ReturnType<typeof setTimeout> | null = null;
  /** iceTransportPolicy 'relay': only relay candidates leave (relay-only.ts) */
  readonly relayOnly: boolean;
  #localTypes = new Set<string>();
  #relayProtocols = new Set<string>();
  /** the other side's SDP came from libdatachannel (connect-failure.ts says why it matters) */
  #remoteLibjuice = false;
  #iceError: GatherFacts['iceError'] = null;
  closed = false;
  open = false;

  constructor(id: string, o: PeerOptions) {
    this.id = id;
    this.initiator = o.initiator;
    this.cid = o.cid;
    this.#o = o;
    this.relayOnly = o.config?.iceTransportPolicy === 'relay';
    this.#pc = new o.RTCPeerConnection(o.config);
    this.#dc = this.#pc.createDataChannel('live-sessions', { negotiated: true, id: 0, ordered: true });
    this.#dc.binaryType = 'arraybuffer';
    this.#dc.bufferedAmountLowThreshold = LOW_WATER_BYTES;
    this.#connectTimer = setTimeout(() => this.close(lost(`connect timeout: ${this.#whyNot()}`)), CONNECT_TIMEOUT_MS);
    this.#dc.onopen = () => {
      if (this.#connectTimer) clearTimeout(this.#connectTimer);
      this.open = true;
      o.onOpen();
      this.#flush();
    };
    this.#dc.onclose = () => this.close(lost('channel closed'));
    this.#dc.onmessage = (ev) => this.#receive(ev.data);
    this.#dc.addEventListener('bufferedamountlow', () => this.#flush());
    this.#pc.onicecandidate = (ev) => {
      const c = ev.candidate;
      const type = c?.candidate && /\styp\s+(\S+)/.exec(c.candidate)?.[1];
      if (type) this.#localTypes.add(type);
      const relayProtocol = (c as { relayProtocol?: string | null } | null)?.relayProtocol;
      if (type === 'relay' && relayProtocol) this.#relayProtocols.add(relayProtocol.toLowerCase());
      if (!c || !c.candidate || (this.relayOnly && !isRelayCandidate(c.candidate))) return;
      const candidate = this.relayOnly ? scrubRelayCandidate(c.candidate) : c.candidate;
      o.signal({ type: 'candidate', candidate: { candidate, sdpMid: c.sdpMid ?? null, sdpMLineIndex: c.sdpMLineIndex ?? null } });
    };
    this.#pc.onconnectionstatechange = () => this.#onState(this.#pc.connectionState);
    // (browsers only: node-datachannel reports no gathering errors)
    this.#pc.addEventListener('icecandidateerror', (ev) => {
      const e = ev as RTCPeerConnectionIceErrorEvent;
      this.#iceError = { code: e.errorCode, url: String(e.url ?? ''), text: String(e.errorText ?? '') };
    });
    if (o.initiator) void this.#offer();
  }

  async #offer(): Promise<void> {
    try {
      const offer = await this.#pc.createOffer();
      await this.#pc.setLocalDescription(offer);
      this.#offered = true;
      this.#o.signal({ type: 'description', description: { type: 'offer', sdp: this.#outgoing(offer.sdp) } });
    } catch (e) {
      this.close(lost(`could not create an offer: ${(e as Error).message}`));
    }
  }

  #outgoing(sdp: string | undefined): string {
    return this.relayOnly ? relayOnlySdp(sdp ?? '') : (sdp ?? '');
  }

  /** A description or candidate from the other side, relayed by signaling. */
  async handle(s: Extract<SignalEnvelope, { type: 'description' | 'candidate' }>): Promise<void> {
    if (this.closed || s.cid !== this.cid) return;
    try {
      if (s.type === 'candidate') {
        if (this.#o.dropMdnsCandidates && /\s\S+\.local\s/.test(s.candidate.candidate)) return;
        // a relay-only peer has no use for a direct address (the policy would not try it anyway)
        if (this.relayOnly && !isRelayCandidate(s.candidate.candidate)) return;
        // (node-datachannel's remoteDescription is never null, so we keep our own flag)
        if (!this.#haveRemote) this.#pendingCandidates.push(s);
        else await this.#pc.addIceCandidate(s.candidate);
        return;
      }
      // An answer is only meaningful to the offer of this very connection (a stale one can arrive
      // after a reconnect replaced it); an offer only to a fresh answerer.
      const expected = this.initiator ? 'answer' : 'offer';
      if (s.description.type !== expected || this.#haveRemote || (this.initiator && !this.#offered)) return;
      await this.#pc.setRemoteDescription(s.description);
      this.#haveRemote = true;
      // libdatachannel's SDP origin is `o=rtc` (read here: Chromium re-serializes remoteDescription)
      this.#remoteLibjuice = /^o=rtc /m.test(s.description.sdp ?? '');
      if (s.description.type === 'offer') {
        const answer = await this.#pc.createAnswer();
        await this.#pc.setLocalDescription(answer);
        this.#o.signal({ type: 'description', description: { type: 'answer', sdp: this.#outgoing(answer.sdp) } });
      }
      const pending = this.#pendingCandidates.splice(0);
      for (const c of pending) if (c.type === 'candidate') await this.#pc.addIceCandidate(c.candidate);
    } catch (e) {
      this.close(lost(`negotiation failed: ${(e as Error).message}`));
    }
  }

  /** Why no path worked, from what gathering saw (connect-failure.ts). */
  #whyNot(): string {
    const hasTurn = (this.#o.config?.iceServers ?? []).some((s) => [s.urls].flat().some((u) => /^turns?:/.test(u)));
    return connectFailure({ relayOnly: this.relayOnly, hasTurn, localTypes: this.#localTypes, iceError: this.#iceError, relayProtocols: this.#relayProtocols, remoteLibjuice: this.#remoteLibjuice });
  }

  /** How this connection reaches the other side (null before it is connected or once closed). */
  async path(): Promise<ConnectionPath | null> {
    if (this.closed || !this.open) return null;
    try {
      return await connectionPath(this.#pc);
    } catch {
      return null;
    }
  }

  /** The DTLS fingerprint the other side announced in its SDP. */
  get remoteFingerprint(): string | null {
    return sdpFingerprint(this.#pc.remoteDescription?.sdp);
  }

  #onState(s: RTCPeerConnectionState): void {
    if (s === 'failed') return this.close(lost(this.open ? 'connection failed' : `connection failed: ${this.#whyNot()}`));
    if (s === 'closed') return this.close(lost(`connection ${s}`));
    if (s === 'disconnected' && !this.#grace) {
      this.#grace = setTimeout(() => this.close(lost('connection lost')), DISCONNECTED_GRACE_MS);
    } else if (s === 'connected' && this.#grace) {
      clearTimeout(this.#grace);
      this.#grace = null;
    }
  }

  #receive(data: unknown): void {
    let bytes: Uint8Array;
    if (data instanceof ArrayBuffer) bytes = new Uint8Array(data);
    else if (ArrayBuffer.isView(data)) bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    else return this.#o.onBadFrame(new ProtocolError('bad-frame', 'text frames are not part of the protocol; send binary frames'));
    let m: Message | null;
    try {
      const ack = readAck(bytes);
      if (ack !== null) {
        this.#outbox.acked(ack);
        return this.#flush();
      }
      if (isBulkFrame(bytes)) {
        const total = this.#outbox.received(bytes.length);
        if (total !== null) this.send(writeAck(total));
      }
      m = this.#reader.read(bytes);
    } catch (e) {
      return this.#o.onBadFrame(e instanceof ProtocolError ? e : new ProtocolError('bad-frame', String(e)));
    }
    if (m) this.#o.onMessage(m);
  }

  /** Urgent bytes waiting: our queue plus what the data channel still buffers. */
  /** bulk bytes not yet sent or not yet acknowledged (a log flood, a large file) */
  get bulkBacklog(): number {
    return this.#outbox.bulkQueued + this.#outbox.inFlight;
  }

  get backlog(): number {
    return this.#outbox.urgentQueued + (this.open ? this.#dc.bufferedAmount : 0);
  }

  /** Bulk bytes sent and not yet acknowledged by the other side. */
  get bulkInFlight(): number {
    return this.#outbox.inFlight;
  }

  /** Sends one message (split into ≤ 16 KiB wire frames when larger) on a lane, in order within it. */
  send(message: Uint8Array, lane: Lane = 'urgent'): void {
    if (this.closed) return;
    this.#outbox.enqueue(message, lane);
    this.#flush();
  }

  #flush(): void {
    if (!this.open || this.closed) return;
    try {
      this.#outbox.flush(this.#dc);
    } catch (e) {
      this.close(lost(`send failed: ${(e as Error).message}`));
    }
  }

  /** Called whenever everything urgent reached the data channel and it is below the low mark. */
  onDrain(cb: () => void): () => void {
    const sub = this.#outbox.drained.on(cb);
    return () => sub.dispose();
  }

  close(reason: GoneReason): void {
    if (this.closed) return;
    this.closed = true;
    this.open = false;
    if (this.#grace) clearTimeout(this.#grace);
    if (this.#connectTimer) clearTimeout(this.#connectTimer);
    this.#outbox.dispose();
    try {
      this.#dc.close();
      this.#pc.close();
    } catch {
      /* already closed */
    }
    this.#o.onClose(reason);
  }
}
