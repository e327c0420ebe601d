/**
 * The recent window of samples, folded from the host's messages without DOM: the live client
 * keeps MAX_WINDOW of them; the replay keeps a shorter one in its state (keyframes carry it), with
 * the busiest processes only on the newest sample so that a keyframe stays a few KiB.
 */
import type { Typed } from '../protocol/capability.ts';
import { MAX_WINDOW, type MetricsDown } from '../protocol/metrics.ts';
import type { MetricsState } from './metrics-client.ts';

/** Samples the replay keeps around its position: two minutes at one a second. */
export const REPLAY_SAMPLES = 120;

export const EMPTY_METRICS: MetricsState = { samples: [], intervalMs: 1000, cores: 1, traceId: null };

/** The state after one message from the host; the same object when the message added nothing. */
export function foldMetrics(st: MetricsState, m: MetricsDown, max = MAX_WINDOW): MetricsState {
  if (m.type === 'window') {
    // the window comes on the bulk lane: samples that overtook it are newer, keep them
    const last = m.samples.at(-1)?.t ?? -1;
    const samples = [...m.samples, ...st.samples.filter((s) => s.t > last)].slice(-max);
    return { samples, intervalMs: m.intervalMs, cores: m.cores, traceId: m.traceId };
  }
  if (m.sample.t <= (st.samples.at(-1)?.t ?? -1)) return st;
  return { ...st, samples: [...st.samples, m.sample].slice(-max) };
}

/** Where the replay keeps the window in its state (ReplayModel's `latest`). */
export const REPLAY_KEY = 'metrics.window';

/** The replay's fold (replay/folds.ts): the window, bounded, as a `window` message. */
export function foldReplayMetrics(latest: Record<string, Typed>, msg: Typed): void {
  if (msg.type !== 'window' && msg.type !== 'sample') return;
  const was = latest[REPLAY_KEY] as (MetricsState & Typed) | undefined;
  const st = foldMetrics(was ?? EMPTY_METRICS, msg as MetricsDown, REPLAY_SAMPLES);
  if (st === was) return;
  const samples = st.samples.map((s, i) => (i === st.samples.length - 1 || s.top.length === 0 ? s : { ...s, top: [] }));
  latest[REPLAY_KEY] = { type: 'window', ...st, samples } as Typed;
}

/** The window a replay state holds, if any (older recordings kept up to MAX_WINDOW). */
export function replayMetrics(latest: Record<string, Typed>): MetricsState | null {
  const w = latest[REPLAY_KEY] as (MetricsState & Typed) | undefined;
  return w ? { samples: w.samples.slice(-REPLAY_SAMPLES), intervalMs: w.intervalMs, cores: w.cores, traceId: w.traceId } : null;
}
