/** The session capability on the host: hands owners the share links when they join, and editors
 * the viewer link (so they can pass it on). */
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
    if (peer.role === 'owner') peer.send(sessionProtocol, { type: 'links', links: this.#links });
    else if (peer.role === 'editor' && this.#links.viewer) peer.send(sessionProtocol, { type: 'links', links: { viewer: this.#links.viewer } });
  }

  removePeer(): void {}

  /** owners send nothing on this capability yet (the router lets nothing through) */
  handle(): void {}

  dispose(): void {}
}
