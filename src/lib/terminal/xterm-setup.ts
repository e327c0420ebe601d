/**
 * Creates one browser xterm with the addons every shared terminal gets: search, clickable links,
 * OSC 52 clipboard writes, and the WebGL renderer when the GPU allows it (the DOM renderer
 * otherwise, and again after a lost WebGL context). The first screen is drawn by the DOM renderer:
 * probing the GPU and starting WebGL (20-60 ms of the main thread in Chromium here) waits until
 * the first output was parsed and drawn and the page is idle, so a joining page's first frame
 * does not wait for it; the WebGL addon's code is loaded then, and only when a GPU is there.
 */
import { Terminal, type IDisposable, type ITheme } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import { SearchAddon } from '@xterm/addon-search';
import { WebLinksAddon } from '@xterm/addon-web-links';
import type { WebglAddon } from '@xterm/addon-webgl';
import { ClipboardAddon, type IClipboardProvider } from '@xterm/addon-clipboard';
import { clipboardWritesAllowed } from './clipboard-setting.ts';
import { deferViewportSyncInSyncOutput } from './viewport-sync.ts';

export const THEME: ITheme = {
  background: '#0a0c10',
  foreground: '#d7dde5',
  cursor: '#4f9dff',
  cursorAccent: '#0a0c10',
  selectionBackground: '#2f4a73',
  black: '#1b1f26',
  red: '#f85149',
  green: '#3fb950',
  yellow: '#d29922',
  blue: '#4f9dff',
  magenta: '#bc8cff',
  cyan: '#39c5cf',
  white: '#c9d1d9',
  brightBlack: '#6e7681',
  brightRed: '#ff7b72',
  brightGreen: '#56d364',
  brightYellow: '#e3b341',
  brightBlue: '#79c0ff',
  brightMagenta: '#d2a8ff',
  brightCyan: '#56d4dd',
  brightWhite: '#f0f6fc'
};

/**
 * Programs in the shared shell never read this browser's clipboard (a read would send it into a
 * PTY others can see), and set it (OSC 52) only when this person turned that on: otherwise
 * `cat app.log` could put `curl … | sh` in everyone's clipboard.
 */
const writeOnlyClipboard: IClipboardProvider = {
  readText: () => '',
  writeText: (selection, text) => {
    if (clipboardWritesAllowed() && selection === 'c') return navigator.clipboard?.writeText(text).catch(() => undefined);
  }
};

export interface XtermParts {
  terminal: Terminal;
  fit: FitAddon;
  search: SearchAddon;
  /** attach to the page (WebGL needs the element in the document, so it is loaded here) */
  open(parent: HTMLElement): void;
  /** which renderer ended up drawing */
  renderer(): 'webgl' | 'dom';
  dispose(): void;
}

export function createXterm(opts: { cols: number; rows: number; readonly: boolean; a11y: boolean }): XtermParts {
  const terminal = new Terminal({
    cols: opts.cols,
    rows: opts.rows,
    theme: THEME,
    fontFamily: "ui-monospace, 'DejaVu Sans Mono', 'Cascadia Mono', 'Liberation Mono', Menlo, Consolas, monospace",
    fontSize: 13,
    scrollback: 5000,
    cursorBlink: !opts.readonly,
    disableStdin: opts.readonly,
    screenReaderMode: opts.a11y,
    // the search addon highlights (and so counts) matches with decorations, a "proposed" API
    allowProposedApi: true
  });
  const fit = new FitAddon();
  const search = new SearchAddon();
  terminal.loadAddon(fit);
  terminal.loadAddon(search);
  terminal.loadAddon(new WebLinksAddon((_e, uri) => openLink(uri)));
  terminal.loadAddon(new ClipboardAddon(undefined, writeOnlyClipboard));

  let webgl: WebglAddon | null = null;
  let disposed = false;
  let noOutput: ReturnType<typeof setTimeout> | undefined;
  let viewportSync: IDisposable | null = null;
  function loadWebgl(): void {
    if (disposed || !hardwareWebgl()) return;
    // its code (≈ 125 kB) only where a GPU draws, and not before the first frame
    import('@xterm/addon-webgl')
      .then(({ WebglAddon }) => {
        if (disposed) return;
        const addon = new WebglAddon();
        addon.onContextLoss(() => {
          // xterm goes back to its DOM renderer once the addon is gone.
          addon.dispose();
          webgl = null;
        });
        terminal.loadAddon(addon);
        webgl = addon;
      })
      .catch(() => {
        webgl = null; // no WebGL2 here (or its code did not load): the DOM renderer keeps drawing
      });
  }

  return {
    terminal,
    fit,
    search,
    open(parent) {
      terminal.open(parent);
      viewportSync = deferViewportSyncInSyncOutput(terminal);
      // once the first output (the snapshot) is parsed, after the frame that draws it
      const later = () => {
        parsed.dispose();
        clearTimeout(noOutput);
        requestAnimationFrame(() => whenIdle(loadWebgl));
      };
      const parsed = terminal.onWriteParsed(later);
      noOutput = setTimeout(later, WEBGL_NO_OUTPUT_MS);
    },
    renderer: () => (webgl ? 'webgl' : 'dom'),
    dispose() {
      disposed = true;
      clearTimeout(noOutput);
      webgl = null;
      viewportSync?.dispose();
      terminal.dispose(); // disposes the loaded addons too
    }
  };
}

/** Longest wait for an idle moment before WebGL is started anyway, ms. */
const WEBGL_IDLE_TIMEOUT_MS = 1000;
/** A terminal that shows no output this long gets WebGL all the same, ms. */
const WEBGL_NO_OUTPUT_MS = 2000;

/** Runs `f` once the page is idle (Safari has no requestIdleCallback: in the next task). */
function whenIdle(f: () => void): void {
  if (typeof requestIdleCallback === 'function') requestIdleCallback(f, { timeout: WEBGL_IDLE_TIMEOUT_MS });
  else setTimeout(f, 0);
}

/** Whether WebGL2 runs on a GPU here. Without one (a VM, a remote desktop, Chromium with
 * --disable-gpu) WebGL is emulated in software (SwiftShader, llvmpipe) and every frame waits on a
 * pixel read-back: the DOM renderer is then several times faster. Browsers do not refuse such a
 * context for failIfMajorPerformanceCaveat, so the renderer's name decides. */
const SOFTWARE_GL = /swiftshader|llvmpipe|softpipe|software|basic render/i;
let hardware: boolean | null = null;
function hardwareWebgl(): boolean {
  if (hardware === null) {
    const gl = document.createElement('canvas').getContext('webgl2');
    const info = gl?.getExtension('WEBGL_debug_renderer_info');
    hardware = !!gl && !SOFTWARE_GL.test(String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER)));
    gl?.getExtension('WEBGL_lose_context')?.loseContext();
  }
  return hardware;
}

/** Opens http(s) links from terminal output in a new tab, without giving it our window. */
export function openLink(uri: string): void {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return;
  window.open(url.href, '_blank', 'noopener,noreferrer');
}
