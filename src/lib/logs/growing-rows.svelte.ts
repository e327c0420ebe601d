/**
 * The logs panel's rows as drawn: the newest first, at most NEW_ROWS_PER_FRAME new rows at a time
 * (draw.ts); the older rows follow once no line came for `growAfterMs`, a frame at a time. Under a
 * flood (following, the list jumps to its end on every message) that is the newest rows only:
 * laying out 1000 rows for each message took the page's main thread (the panel open, 1767 lines/s
 * delivered). Create it while a component initialises (it runs an effect).
 */
import { rowsToDraw } from './draw.ts';

export class GrowingRows<T> {
  shown = $state.raw<T[]>([]);
  #drawn = new Set<T>();
  #more = $state(0);
  #grown = 0;
  /** the next draw takes every row at once */
  #all = false;

  constructor(wanted: () => T[], growAfterMs: number) {
    $effect(() => {
      const growing = this.#more !== this.#grown;
      this.#grown = this.#more;
      const rows = wanted();
      const n = this.#all ? rows.length : rowsToDraw(rows, this.#drawn);
      this.#all = false;
      this.shown = n === rows.length ? rows : rows.slice(-n);
      this.#drawn = new Set(this.shown);
      if (n === rows.length) return;
      if (growing) {
        const frame = requestAnimationFrame(() => this.#more++);
        return () => cancelAnimationFrame(frame);
      }
      const timer = setTimeout(() => this.#more++, growAfterMs);
      return () => clearTimeout(timer);
    });
  }

  /** Draws every row at the next draw (a jump to a time looks for its row). */
  drawAll(): void {
    this.#all = true;
    this.#more++;
  }
}
