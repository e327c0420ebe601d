/**
 * What the relay (relay.ts) is configured with: its socket caps and publish budget, and the options
 * the server composes it from (verification, metrics, the Redis bus and shared counts).
 */
import type { Claims, Verifier } from '../src/lib/protocol/credentials.ts';
import type { BudgetOptions } from '../src/lib/mesh/budget.ts';
import type { SignalingMetrics } from './metrics.ts';
import type { SharedLimits } from './redis-limits.ts';

/**
 * What one socket may publish: joining a mesh of 32 takes a few hundred sealed offers, answers
 * and candidates (a few KiB each) in a burst; then almost nothing. Beyond it publishes are
 * dropped (answered with `rate-limited`, counted as bad: a flood ends in 1008).
 */
export const SOCKET_BUDGET: BudgetOptions = {
  messages: { burst: 300, perSecond: 30 },
  bytes: { burst: 1024 * 1024, perSecond: 128 * 1024 }
};
/** Sockets one participant may hold at once (a page that reconnects overlaps its old socket briefly). */
export const MAX_SOCKETS_PER_PARTICIPANT = 3;
/** Sockets one session may hold (32 peers, each reconnecting once). */
export const MAX_SOCKETS_PER_SESSION = 64;
/**
 * Sockets one client address may hold (an IPv6 /64 counts as one address): an office behind one
 * NAT holds a few dozen; a spray of credentials from one machine cannot take the server's descriptors.
 */
export const MAX_SOCKETS_PER_ADDRESS = 256;
/** Sockets the whole relay holds: past it new ones are refused (503), so file descriptors never run out. */
export const MAX_SOCKETS = 4000;

export type LogLevel = 'info' | 'warn' | 'error';

export interface RelayOptions {
  verify: Verifier;
  log: (line: string, level?: LogLevel) => void;
  /** counters for /metrics */
  metrics?: SignalingMetrics;
  /** whether the session still exists (a credential for a forgotten session is refused) */
  hasSession?: (session: string) => Promise<boolean>;
  /** called for every relayed message (keeps the session from going idle) */
  touch?: (session: string) => void;
  heartbeatMs?: number;
  /** why the server refuses a verified credential (retired, participant removed), or null */
  refusal?: (claims: Claims) => string | null;
  /** global socket cap, default MAX_SOCKETS */
  maxSockets?: number;
  /** per-address socket cap, default MAX_SOCKETS_PER_ADDRESS */
  maxSocketsPerAddress?: number;
  /** behind a reverse proxy: the address is the last X-Forwarded-For entry */
  trustProxy?: boolean;
  /** other instances' members of a session (redis-backplane.ts): what is published here goes there too */
  bus?: RelayBus;
  /** socket counts shared with the other instances (redis-limits.ts): the per-participant, -session and -address caps hold across them */
  shared?: SharedLimits;
}

/** Carries publishes between instances; they come back through Relay.deliver() on the others. */
export interface RelayBus {
  publish(session: string, out: Buffer): void;
  /** whether this instance has members of `session` (it hears that session's publishes only then) */
  watch(session: string, on: boolean): void;
}
