/**
 * Runs `draw` on an animation frame after a poke, at most once every `minMs`: a log flood pokes
 * the panel dozens of times a second, and drawing its rows on every frame took the page's main
 * thread from receiving the lines (with the panel open it took a few thousand lines a second).
 * Ten draws a second still look live; what came meanwhile is drawn at once.
 */
export class Paced {
  #draw: () => void;
  #minMs: number;
  #last = -Infinity;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #frame = 0;

  constructor(draw: () => void, minMs: number) {
    this.#draw = draw;
    this.#minMs = minMs;
  }

  poke(): void {
    if (this.#timer !== undefined || this.#frame) return;
    const wait = this.#last + this.#minMs - performance.now();
    const frame = () => {
      this.#timer = undefined;
      this.#frame = requestAnimationFrame(() => {
        this.#frame = 0;
        this.#last = performance.now();
        this.#draw();
      });
    };
    if (wait <= 0) frame();
    else this.#timer = setTimeout(frame, wait);
  }

  dispose(): void {
    clearTimeout(this.#timer);
    cancelAnimationFrame(this.#frame);
    this.#timer = undefined;
    this.#frame = 0;
  }
}
