/**
 * Draws the echo predictor's guesses (echo-predictor.ts) over a page's xterm: a layer of cells
 * above xterm's own, so nothing predicted ever enters xterm's buffer and taking a guess back is
 * just removing it from the layer. Predicted characters are underlined, with a cursor after them,
 * until the host's echo confirms them. Reads the shell's OSC 133 marks from xterm's own parser.
 */
import type { IDisposable, Terminal } from '@xterm/xterm';
import { parseMark } from '../commands/shell-marks.ts';
import { EchoPredictor, type ScreenView } from './echo-predictor.ts';

export class LocalEcho {
  readonly predictor: EchoPredictor;
  #term: Terminal;
  #layer: HTMLDivElement | null = null;
  #subs: IDisposable[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #view: ScreenView;
  #drawn = '';

  constructor(term: Terminal, predictor = new EchoPredictor()) {
    this.#term = term;
    this.predictor = predictor;
    const buffer = () => term.buffer.active;
    this.#view = {
      get cols() {
        return term.cols;
      },
      get cursorX() {
        return buffer().cursorX;
      },
      get cursorY() {
        return buffer().baseY + buffer().cursorY;
      },
      get altScreen() {
        return buffer().type === 'alternate';
      },
      cell: (x, y) => buffer().getLine(y)?.getCell(x)?.getChars() ?? ''
    };
    this.#subs.push(
      term.onWriteParsed(() => this.#update(() => this.predictor.parsed(this.#view))),
      // fired for every line output scrolls: nothing to move while nothing is predicted
      term.onScroll(() => (this.#drawn || this.predictor.shown.length) && this.#draw()),
      term.onResize(() => this.#update(() => this.predictor.reset())),
      term.parser.registerOscHandler(133, (data) => {
        const m = parseMark(`133;${data}`);
        if (m?.kind === 'input') this.predictor.mark('prompt');
        else if (m?.kind === 'exec') this.predictor.mark('running');
        return false; // the command marks read them too
      })
    );
  }

  /** Keystrokes this person typed (xterm's onData), just before they are sent. */
  input(data: string): void {
    this.#update(() => this.predictor.input(data, this.#view));
  }

  setRtt(ms: number | null): void {
    this.#update(() => this.predictor.setRtt(ms));
  }

  setCanType(canType: boolean): void {
    this.#update(() => this.predictor.setCanType(canType));
  }

  #update(change: () => void): void {
    change();
    this.#draw();
    clearTimeout(this.#timer);
    const due = this.predictor.dueAt;
    if (due !== null) this.#timer = setTimeout(() => this.#update(() => this.predictor.tick()), Math.max(0, due - performance.now()) + 1);
  }

  #ensureLayer(): HTMLDivElement | null {
    if (this.#layer) return this.#layer;
    const screen = this.#term.element?.querySelector<HTMLElement>('.xterm-screen');
    if (!screen) return null;
    const layer = document.createElement('div');
    layer.className = 'echo-prediction';
    layer.dataset.testid = 'echo-prediction';
    layer.setAttribute('aria-hidden', 'true');
    Object.assign(layer.style, { position: 'absolute', inset: '0', pointerEvents: 'none', zIndex: '10' });
    screen.appendChild(layer);
    return (this.#layer = layer);
  }

  #draw(): void {
    const shown = this.predictor.shown;
    const t = this.#term;
    const layer = this.#ensureLayer();
    if (!layer) return;
    // what is drawn, and how many guesses the host confirmed, for anyone watching the page
    setData(layer, 'shown', shown.map((p) => p.ch).join(''));
    setData(layer, 'confirmed', String(this.predictor.stats.confirmed));
    setData(layer, 'wrong', String(this.predictor.stats.wrong));
    // An empty layer stays empty whatever the scroll position: xterm fires onScroll for every line
    // that output scrolls, and drawing reads the layout (offsetWidth) — a forced layout per line
    // of output, 35 ms of a replay seek's 80.
    const key = shown.length ? shown.map((p) => `${p.x},${p.y},${p.ch}`).join(';') + `@${t.buffer.active.viewportY}` : '';
    if (key === this.#drawn) return;
    this.#drawn = key;
    layer.replaceChildren();
    const screen = layer.parentElement!;
    const w = screen.offsetWidth / t.cols;
    const h = screen.offsetHeight / t.rows;
    const top = t.buffer.active.viewportY;
    const theme = t.options.theme ?? {};
    const cell = (x: number, y: number, text: string, css: Partial<CSSStyleDeclaration>) => {
      const row = y - top;
      if (row < 0 || row >= t.rows) return;
      const span = document.createElement('span');
      span.textContent = text;
      Object.assign(span.style, {
        position: 'absolute',
        left: `${x * w}px`,
        top: `${row * h}px`,
        width: `${w}px`,
        height: `${h}px`,
        lineHeight: `${h}px`,
        fontFamily: t.options.fontFamily ?? 'monospace',
        fontSize: `${t.options.fontSize ?? 13}px`,
        whiteSpace: 'pre',
        ...css
      });
      layer.appendChild(span);
    };
    for (const p of shown) cell(p.x, p.y, p.ch, { background: theme.background ?? '#000', color: theme.foreground ?? '#fff', textDecoration: 'underline' });
    const last = shown.at(-1);
    // the cursor where the echo will leave it (xterm's own sits under the first guess)
    if (last && last.x + 1 < t.cols) cell(last.x + 1, last.y, ' ', { background: theme.cursor ?? theme.foreground ?? '#fff', opacity: '0.7' });
  }

  dispose(): void {
    clearTimeout(this.#timer);
    for (const s of this.#subs) s.dispose();
    this.#layer?.remove();
  }
}

/** Sets a data attribute only when it changes (a DOM mutation per scrolled line otherwise). */
function setData(el: HTMLElement, key: string, value: string): void {
  if (el.dataset[key] !== value) el.dataset[key] = value;
}
