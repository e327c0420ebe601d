/**
 * What an operator watches, as Prometheus text at /metrics (prom-client): connections, sessions,
 * messages and bytes relayed, refusals by reason, credentials issued, rate-limit hits, and the
 * process's own figures (event-loop lag, memory, descriptors). One registry per server, so two
 * servers in one process (tests, `start`) never share counters. Counts only: no ids, no names.
 */
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';

export class SignalingMetrics {
  readonly registry = new Registry();
  readonly relayedMessages = new Counter({ name: 'signaling_relayed_messages_total', help: 'Publishes relayed (counted once per receiving socket)', registers: [this.registry] });
  readonly relayedBytes = new Counter({ name: 'signaling_relayed_bytes_total', help: 'Payload bytes relayed (once per receiving socket)', registers: [this.registry] });
  readonly rejects = new Counter({ name: 'signaling_rejects_total', help: 'Requests, upgrades and messages refused, by reason', labelNames: ['reason'] as const, registers: [this.registry] });
  readonly credentials = new Counter({ name: 'signaling_credentials_issued_total', help: 'Credentials signed, by how (create, join, refresh)', labelNames: ['kind'] as const, registers: [this.registry] });
  readonly rateLimited = new Counter({ name: 'signaling_rate_limited_total', help: 'Requests and messages refused by a rate limit or budget, by which', labelNames: ['limit'] as const, registers: [this.registry] });

  constructor(read: { connections: () => number; sessions: () => number | Promise<number> }) {
    new Gauge({ name: 'signaling_connections', help: 'Signaling sockets open now', registers: [this.registry], collect() { this.set(read.connections()); } });
    new Gauge({ name: 'signaling_sessions', help: 'Sessions this instance knows now', registers: [this.registry], async collect() { this.set(await read.sessions()); } });
    // nodejs_eventloop_lag_seconds (and p99), heap, RSS, open descriptors, GC
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 20 });
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
