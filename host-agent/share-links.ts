/** The session capability on the host: hands owners the share links when they join. */
import { sessionProtocol, type ShareLinks } from '../src/lib/protocol/session.ts';
import type { MeshPeer } from '../src/lib/mesh/mesh.ts';
import type { HostCapability } from './capability.ts';

export class ShareLinksHost implements HostCapability<typeof sessionProtocol> {
  readonly protocol = sessionProtocol;
  #links: ShareLinks;

  constructor(links: ShareLinks) {
    this.#links = links;
  }

  addPeer(peer: MeshPeer): void {
    if (peer.claims.role === 'owner') peer.send(sessionProtocol, { type: 'links', links: this.#links });
  }

  removePeer(): void {}

  /** owners send nothing on this capability yet (the router lets nothing through) */
  handle(): void {}

  dispose(): void {}
}
