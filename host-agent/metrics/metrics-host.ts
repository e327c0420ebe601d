/**
 * The metrics capability on the host: one sampler for the session, its recent window to each
 * participant that subscribes, then every sample to the subscribers. A second subscribe from the
 * same connection is ignored, so a peer cannot make the host resend its window in a loop. The
 * window also names the session's trace, when there is one.
 */
import { metricsProtocol, type MetricsMessage } from '../../src/lib/protocol/metrics.ts';
import type { MeshPeer } from '../../src/lib/mesh/mesh.ts';
import type { HostCapability } from '../capability.ts';
import { Sampler } from './sampler.ts';

export class MetricsHost implements HostCapability<typeof metricsProtocol> {
  readonly protocol = metricsProtocol;
  readonly sampler: Sampler;
  #peers = new Set<MeshPeer>();
  #traceId: () => string | null;

  constructor(o: { intervalMs?: number; traceId?: () => string | null } = {}) {
    this.#traceId = o.traceId ?? (() => null);
    this.sampler = new Sampler({ intervalMs: o.intervalMs });
    this.sampler.sampled.on((sample) => {
      // encoded once for everyone
      const bytes = metricsProtocol.write({ type: 'sample', sample });
      for (const p of this.#peers) p.sendEncoded(bytes);
    });
    this.sampler.start();
  }

  addPeer(): void {}

  removePeer(peer: MeshPeer): void {
    this.#peers.delete(peer);
  }

  handle(peer: MeshPeer, msg: MetricsMessage): void {
    if (msg.type !== 'subscribe' || this.#peers.has(peer)) return;
    this.#peers.add(peer);
    const s = this.sampler;
    peer.send(metricsProtocol, { type: 'window', intervalMs: s.intervalMs, cores: s.cores, traceId: this.#traceId(), samples: s.window });
  }

  dispose(): void {
    this.sampler.dispose();
    this.#peers.clear();
  }
}
