/**
 * How the replay keeps a capability's messages in its state, when "the latest message of each
 * type" is not enough (replay-state.ts keeps that by default): a capability registers a fold that
 * updates `latest` itself. Metrics keep a bounded window of samples, so the replay's charts follow
 * the position and a keyframe carries two minutes of samples rather than the join's ten.
 */
import type { Typed } from '../protocol/capability.ts';
import { foldReplayMetrics } from '../metrics/window.ts';

export type StateFold = (latest: Record<string, Typed>, msg: Typed) => void;

export const STATE_FOLDS: Record<string, StateFold> = {
  metrics: foldReplayMetrics
};
