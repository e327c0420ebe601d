/**
 * Who is in the session, without DOM: the admitted peers with their names and roles, kept up to
 * date from the mesh's events, and this participant's own renames told to everyone.
 */
import { meshProtocol } from '../protocol/mesh.ts';
import type { Role } from '../protocol/roles.ts';
import { DisposableStore, Emitter } from '../mesh/events.ts';
import type { Mesh, MeshPeer } from '../mesh/mesh.ts';
import { colorFor } from './names.ts';

export interface Participant {
  id: string;
  name: string;
  role: Role;
  /** true for this browser's own entry */
  self: boolean;
  /** a peer connection is open and its credential verified (always true for self) */
  connected: boolean;
  /** stable colour for avatars and cursors, a CSS colour */
  color: string;
  /** when the credential they connected with was issued (s, the server's clock): who came after whom */
  since?: number;
}

export function participantOf(p: MeshPeer): Participant {
  return { id: p.id, name: p.name, role: p.role, self: false, connected: true, color: colorFor(p.id), since: p.claims.iat };
}

export class PresenceClient {
  /** everyone else, in the order they joined */
  peers: Participant[] = [];
  readonly changed = new Emitter<Participant[]>();
  #mesh: Mesh;
  #selfName: () => string;
  #store = new DisposableStore();

  constructor(mesh: Mesh, selfName: () => string) {
    this.#mesh = mesh;
    this.#selfName = selfName;
    this.#store.add(
      mesh.peerJoined.on((p) => {
        this.#set([...this.peers.filter((x) => x.id !== p.id), participantOf(p)]);
        // our credential may carry an older name than the one we go by now
        if (p.claims.name !== selfName()) p.send(meshProtocol, { type: 'rename', name: selfName() });
      })
    );
    this.#store.add(mesh.peerGone.on(({ peer }) => this.#set(this.peers.filter((x) => x.id !== peer.id))));
    // the owner changed someone's role: show the role the peers now enforce
    this.#store.add(mesh.decided.on((d) => d.act === 'role' && this.#set(this.peers.map((x) => (x.id === d.sub ? { ...x, role: d.role } : x)))));
    this.#store.add(mesh.peerRenamed.on((p) => this.#set(this.peers.map((x) => (x.id === p.id ? { ...x, name: p.name } : x)))));
    this.#store.add(this.changed);
  }

  #set(list: Participant[]): void {
    this.peers = list;
    this.changed.fire(list);
  }

  /** Tells everyone this participant's new name (the caller already checked and remembered it). */
  announceName(): void {
    this.#mesh.broadcast(meshProtocol, { type: 'rename', name: this.#selfName() });
  }

  dispose(): void {
    this.#store.dispose();
  }
}
