/**
 * A participant's side of the host's live metrics, without DOM (the page and Node tests use it
 * alike): subscribes whenever a host is there, then keeps the recent window up to date sample by
 * sample, bounded like the host's ring.
 */
import { metricsProtocol, type MetricsMessage, type Sample } from '../protocol/metrics.ts';
import { DisposableStore, Emitter } from '../mesh/events.ts';
import type { Mesh } from '../mesh/mesh.ts';
import { foldMetrics } from './window.ts';

export interface MetricsState {
  /** oldest first, one per interval */
  samples: Sample[];
  intervalMs: number;
  cores: number;
  /** the session's OpenTelemetry trace, when the host exports one */
  traceId: string | null;
}

export class MetricsClient {
  state: MetricsState = { samples: [], intervalMs: 1000, cores: 1, traceId: null };
  readonly changed = new Emitter<MetricsState>();
  #store = new DisposableStore();

  constructor(mesh: Mesh) {
    this.#store.add(mesh.router.register(metricsProtocol, (_p, m) => this.#receive(m)));
    // a host that comes back is a new connection: it knows no subscription
    this.#store.add(mesh.peerJoined.on((p) => p.claims.role === 'host' && p.send(metricsProtocol, { type: 'subscribe' })));
    mesh.host?.send(metricsProtocol, { type: 'subscribe' });
    this.#store.add(this.changed);
  }

  #receive(m: MetricsMessage): void {
    const st = this.state;
    // for the host: the router never hands it to a participant
    if (m.type === 'subscribe') return;
    const next = foldMetrics(st, m);
    if (next === st) return;
    this.state = next;
    this.changed.fire(this.state);
  }

  dispose(): void {
    this.#store.dispose();
  }
}
