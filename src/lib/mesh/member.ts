/** One admitted (or still verifying) participant on the other end of a Peer connection. */
import { laneOf, type MessageOf, type Protocol, type Typed } from '../protocol/capability.ts';
import type { Claims } from '../protocol/credentials.ts';
import type { Lane, Message } from '../protocol/frames.ts';
import { writeMesh } from '../protocol/mesh.ts';
import type { Role } from '../protocol/roles.ts';
import type { ProtocolError } from '../protocol/validate.ts';
import { Budget, Strikes } from './budget.ts';
import { SILENT_MS } from './mesh-limits.ts';
import type { GoneReason, Peer } from './peer.ts';
import type { ConnectionPath } from './connection-path.ts';

/** Strikes (bad, forbidden or over-budget messages) that drop a peer… */
export const MAX_STRIKES = 10;
/** …each forgotten after this long, ms. */
export const STRIKE_DECAY_MS = 3_000;

/** An authenticated participant, as the capabilities see it. */
export interface MeshPeer {
  readonly id: string;
  readonly claims: Claims;
  /** the role now: the credential's, unless the owner changed it since (statements.ts) */
  readonly role: Role;
  /** display name: the credential's, then whatever the peer renamed itself to */
  readonly name: string;
  /** sends one message of a capability's protocol */
  send<P extends Protocol<Typed, Typed>>(protocol: P, msg: MessageOf<P>): void;
  /** sends a message `protocol.write` already encoded (one encoding fanned out to many peers) */
  sendEncoded(message: Uint8Array, lane?: Lane): void;
  sendError(code: string, message: string): void;
  /** bytes not yet handed to the network */
  readonly backlog: number;
  /** bulk-lane bytes queued or unacknowledged */
  readonly bulkBacklog: number;
  onDrain(cb: () => void): () => void;
  /** counts a bad message against the peer (answered with an error unless `tell` is false);
   * too many in a short time and the peer is removed */
  strike(e: ProtocolError, tell?: boolean): void;
  close(reason: GoneReason): void;
  /** how the connection reaches it (direct, via STUN, TURN relay) and its round-trip time */
  path(): Promise<ConnectionPath | null>;
}

export class Member implements MeshPeer {
  claims!: Claims;
  name = '';
  readonly strikes = new Strikes(MAX_STRIKES, STRIKE_DECAY_MS);
  readonly budget = new Budget();
  readonly since = Date.now();
  /** when anything last arrived from it, ms */
  heard = Date.now();
  ready = false;
  /** drops the peer once its credential lapsed unrenewed */
  expiry: ReturnType<typeof setTimeout> | undefined;
  /** messages that arrived while the hello was being verified */
  held: Message[] = [];
  heldBytes = 0;
  verifying = false;
  readonly peer: Peer;
  readonly #decided: (id: string) => Role | undefined;
  constructor(peer: Peer, decided: (id: string) => Role | undefined) {
    this.peer = peer;
    this.#decided = decided;
  }
  get id() {
    return this.peer.id;
  }
  get role(): Role {
    return this.#decided(this.id) ?? this.claims.role;
  }
  get backlog() {
    return this.peer.backlog;
  }
  get bulkBacklog() {
    return this.peer.bulkBacklog;
  }
  send<P extends Protocol<Typed, Typed>>(protocol: P, msg: MessageOf<P>) {
    this.peer.send(protocol.write(msg), laneOf(protocol, msg));
  }
  sendEncoded(message: Uint8Array, lane: Lane = 'urgent') {
    this.peer.send(message, lane);
  }
  sendError(code: string, message: string) {
    this.peer.send(writeMesh({ type: 'error', code, message }));
  }
  onDrain(cb: () => void) {
    return this.peer.onDrain(cb);
  }
  strike(e: ProtocolError, tell = true) {
    if (this.peer.closed) return;
    if (tell) this.sendError(e.code, e.message);
    if (this.strikes.add()) this.close({ kind: 'removed', detail: `too many bad messages (last: ${e.message})` });
  }
  close(reason: GoneReason) {
    this.peer.close(reason);
  }
  path() {
    return this.peer.path();
  }
}

/** An `error` message a peer sent us. */
export interface PeerError {
  peer: MeshPeer;
  code: string;
  message: string;
}

/** Signs of life out; admitted peers that gave none for SILENT_MS are lost (a killed host is noticed in seconds). */
export function heartbeat(members: Iterable<Member>, now = Date.now()): void {
  const ping = writeMesh({ type: 'ping' });
  for (const m of members) {
    if (!m.ready) continue;
    if (now - m.heard > SILENT_MS) m.close({ kind: 'lost', detail: `no sign of life for ${SILENT_MS / 1000} s` });
    else m.sendEncoded(ping);
  }
}
