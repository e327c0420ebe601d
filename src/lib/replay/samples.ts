/**
 * Messages recorded as a bounded sample rather than whole. A capability whose messages can come by
 * the thousand a second (log lines) registers here how two of its messages merge: the recorder
 * then keeps one message per batch (FLUSH_MS) for each such kind, and every later one of the
 * batch is merged into it instead of being copied, queued and stored.
 *
 * Log lines: up to LOG_SAMPLE_LINES per batch are kept, the others counted in the kept message's
 * `skipped` (as the live panel counts lines it could not take). At a rate anyone reads, that is
 * every line; under a flood it is what was on the screen each second and how much went by — the
 * lines themselves stay on the box (its history, by source and line number), rather than a
 * copy of a 100-MB flood in every participant's browser, at a cost the live session would pay.
 */
import type { Typed } from '../protocol/capability.ts';
import type { LogsDown } from '../protocol/logs.ts';

/** Log lines kept per batch at most. */
export const LOG_SAMPLE_LINES = 200;

/** Starts a kept message from `msg` (`kept` absent; its own copy), or merges `msg` into `kept`:
 * false when the two cannot merge (then `msg` starts a kept message of its own). */
export type MessageSample = (msg: Typed, kept?: Typed) => Typed | boolean;

type Lines = Extract<LogsDown, { type: 'lines' }>;

const logLines: MessageSample = (msg, kept) => {
  const m = msg as Lines;
  if (!kept) return { ...m, lines: m.lines.slice(0, LOG_SAMPLE_LINES), skipped: m.skipped + Math.max(0, m.lines.length - LOG_SAMPLE_LINES) } satisfies Lines;
  const k = kept as Lines;
  if (k.gen !== m.gen || k.history !== m.history) return false;
  const room = Math.max(0, LOG_SAMPLE_LINES - k.lines.length);
  for (let i = 0; i < room && i < m.lines.length; i++) k.lines.push(m.lines[i]);
  k.skipped += m.skipped + Math.max(0, m.lines.length - room);
  return true;
};

/** By `capability.type`. */
export const MESSAGE_SAMPLES: Record<string, MessageSample> = {
  'logs.lines': logLines
};
