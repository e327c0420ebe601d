// @xterm/headless checks `'requestIdleCallback' in window` when it is not in Node: a worker has
// no `window`, so the check itself throws. Imported before xterm (imports run in order); the
// worker's global has no requestIdleCallback, so xterm then queues with timeouts.
(globalThis as { window?: unknown }).window ??= globalThis;
