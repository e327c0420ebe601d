/**
 * xterm 6.0 syncs its scrollbar (DOM reads and writes) on every line that scrolls, even inside a
 * synchronized-output block (DEC mode 2026), where it already holds the screen's drawing back.
 * xterm's PR #5770 (after 6.0.0) defers that sync too, to the first frame after the block; this
 * does the same for 6.0. A replay seek writes its keyframe and the output after it (hundreds of
 * lines) inside such a block, and the per-line sync was about half of its parse time.
 * Private API: when xterm's internals differ (a newer xterm has the fix), it does nothing.
 */
import type { IDisposable, Terminal } from '@xterm/xterm';

interface ViewportLike {
  _sync(ydisp?: number): void;
}

export function deferViewportSyncInSyncOutput(terminal: Terminal): IDisposable {
  const viewport = (terminal as unknown as { _core?: { _viewport?: ViewportLike } })._core?._viewport;
  if (!viewport || typeof viewport._sync !== 'function') return { dispose() {} };
  const sync = viewport._sync;
  let waiting: IDisposable | null = null;
  viewport._sync = function (this: ViewportLike, ydisp?: number) {
    if (!terminal.modes.synchronizedOutputMode) return sync.call(this, ydisp);
    // once, on the first frame drawn after the block (its end redraws the whole screen)
    waiting ??= terminal.onRender(() => {
      if (terminal.modes.synchronizedOutputMode) return;
      waiting?.dispose();
      waiting = null;
      sync.call(viewport);
    });
  };
  return {
    dispose() {
      waiting?.dispose();
      waiting = null;
      viewport._sync = sync;
    }
  };
}
