/**
 * What the host agent composes: each capability (terminals, and files, logs, env… to come) owns
 * one protocol, is told who joins and leaves, and handles the messages the router accepted for it.
 */
import type { MessageOf, Protocol, Typed } from '../src/lib/protocol/capability.ts';
import type { MeshPeer } from '../src/lib/mesh/mesh.ts';

export interface HostCapability<P extends Protocol<Typed, Typed> = Protocol<Typed, Typed>> {
  readonly protocol: P;
  addPeer(peer: MeshPeer): void;
  removePeer(peer: MeshPeer): void;
  /** a message the router decoded and allowed (the sender's role was checked against the protocol's rules) */
  handle(peer: MeshPeer, msg: MessageOf<P>): void;
  dispose(): void;
}
