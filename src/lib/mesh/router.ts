/**
 * The router: every message from an admitted peer passes here once. It decodes the message with
 * the protocol registered for its capability byte, checks the sender's role (and this peer's own)
 * against that protocol's rules, and hands the typed message to the capability. `tapped` sees every
 * accepted message (for recording); `refused` every message a role did not allow (for the audit).
 *
 * A malformed message is a strike against the sender (too many in a short time and it is dropped).
 * A message the sender's role may not send is refused and is a strike too: when the rule has a
 * `denied` text (a viewer's keystrokes) the sender is told that text once per message type;
 * otherwise (a guest pretending to be the host) it is told every time.
 *
 * A body its protocol must `unpack` first (compressed log lines) is read once that is done; until
 * then the peer's later messages of that capability wait behind it, so each capability still sees
 * one peer's messages in the order they were sent (other capabilities do not wait).
 */
import { permits, type MessageOf, type Protocol, type Rule, type Typed } from '../protocol/capability.ts';
import { CAP, type Message } from '../protocol/frames.ts';
import type { Role } from '../protocol/roles.ts';
import { ProtocolError } from '../protocol/validate.ts';
import { Emitter, type Disposable } from './events.ts';
import type { MeshPeer } from './mesh.ts';

const KNOWN_CAPS = new Set<number>(Object.values(CAP));

export interface Routed {
  peer: MeshPeer;
  /** the protocol's name (`terminal`, …) */
  capability: string;
  msg: Typed;
}

type Handler = (peer: MeshPeer, msg: Typed) => void;
interface Route {
  protocol: Protocol<Typed, Typed>;
  handler: Handler | null;
  /** message types the mesh handles itself instead of the capability (session `control`) */
  consumed: Map<string, Handler>;
}

export function asProtocolError(e: unknown, code = 'bad-message'): ProtocolError {
  return e instanceof ProtocolError ? e : new ProtocolError(code, String((e as Error)?.message ?? e));
}

export class Router {
  readonly tapped = new Emitter<Routed>();
  readonly refused = new Emitter<Routed>();
  #routes = new Map<number, Route>();
  #selfRole: () => Role;
  /** message types each peer was already told it may not send */
  #told = new WeakMap<MeshPeer, Set<string>>();
  /** per peer and capability byte: the last message still being unpacked (or waiting behind one) */
  #unpacking = new WeakMap<MeshPeer, Map<number, Promise<void>>>();

  constructor(selfRole: () => Role) {
    this.#selfRole = selfRole;
  }

  /** Routes the messages of one capability to `handler`; one handler per capability. */
  register<P extends Protocol<Typed, Typed>>(protocol: P, handler: (peer: MeshPeer, msg: MessageOf<P>) => void): Disposable {
    const route = this.#route(protocol);
    if (route.handler) throw new Error(`capability ${protocol.name} (${protocol.cap}) is already registered`);
    route.handler = handler as Handler;
    return { dispose: () => void (route.handler === handler && (route.handler = null)) };
  }

  /** Takes one message type of a capability away from its handler (the mesh's own business). */
  consume<P extends Protocol<Typed, Typed>>(protocol: P, type: MessageOf<P>['type'], handler: (peer: MeshPeer, msg: MessageOf<P>) => void): void {
    this.#route(protocol).consumed.set(type, handler as Handler);
  }

  #route(protocol: Protocol<Typed, Typed>): Route {
    let route = this.#routes.get(protocol.cap);
    if (route && route.protocol !== protocol) {
      if (route.handler || route.consumed.size) throw new Error(`capability byte ${protocol.cap} is taken by ${route.protocol.name}`);
      route = undefined;
    }
    if (!route) this.#routes.set(protocol.cap, (route = { protocol, handler: null, consumed: new Map() }));
    return route;
  }

  receive(peer: MeshPeer, m: Message): void {
    const route = this.#routes.get(m.cap);
    if (!route) {
      // a capability this participant does not run (a Node peer without the commands client, a
      // page without some panel): its messages are none of its business, not the sender's fault
      if (KNOWN_CAPS.has(m.cap)) return;
      return peer.strike(new ProtocolError('bad-frame', `unknown capability ${m.cap}`));
    }
    let unpacked: Promise<Uint8Array> | null;
    try {
      unpacked = route.protocol.unpack?.(m.body) ?? null;
    } catch (e) {
      return peer.strike(asProtocolError(e));
    }
    let waits = this.#unpacking.get(peer);
    const before = waits?.get(m.cap);
    if (!unpacked && !before) return this.#read(peer, m.cap, m.body);
    if (!waits) this.#unpacking.set(peer, (waits = new Map()));
    const body = unpacked ?? Promise.resolve(m.body);
    body.catch(() => {}); // handled below, once the messages before it were read
    const done: Promise<void> = (before ?? Promise.resolve())
      .then(() => body)
      .then(
        (b) => this.#read(peer, m.cap, b),
        (e) => peer.strike(asProtocolError(e))
      )
      .finally(() => waits.get(m.cap) === done && waits.delete(m.cap));
    waits.set(m.cap, done);
  }

  #read(peer: MeshPeer, cap: number, body: Uint8Array): void {
    const route = this.#routes.get(cap);
    if (!route) return; // unregistered meanwhile
    let msg: Typed;
    try {
      msg = route.protocol.read(body);
    } catch (e) {
      return peer.strike(asProtocolError(e));
    }
    const routed = { peer, capability: route.protocol.name, msg };
    const rule = (route.protocol.rules as Record<string, Rule>)[msg.type];
    // the role now (the owner may have changed it since the credential was issued)
    if (!permits(rule, peer.role, this.#selfRole())) return this.#refuse(routed, rule);
    this.tapped.fire(routed);
    (route.consumed.get(msg.type) ?? route.handler)?.(peer, msg);
  }

  #refuse(r: Routed, rule: Rule): void {
    this.refused.fire(r);
    const what = `${r.capability} ${r.msg.type}`;
    const role = r.peer.role;
    if (!rule.denied) {
      const why = rule.from.includes(role) ? `a ${what} message is not for a ${this.#selfRole()}` : `a ${role} may not send ${what} (only ${rule.from.join(', ')})`;
      return r.peer.strike(new ProtocolError('forbidden', why));
    }
    let told = this.#told.get(r.peer);
    if (!told) this.#told.set(r.peer, (told = new Set()));
    // A refused action is a strike too (a flood of them is dropped), told once per message type.
    const tell = !told.has(what);
    told.add(what);
    r.peer.strike(new ProtocolError('forbidden', rule.denied), tell);
  }

  dispose(): void {
    this.#routes.clear();
    this.tapped.dispose();
    this.refused.dispose();
  }
}
