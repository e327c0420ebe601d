/**
 * Loads Monaco from our own build, once, on first use: the session page's first chunk stays as it
 * was, so joining a terminal-only session is not slower. Only the editor core, syntax colouring
 * for the usual languages (each loaded when a file needs it) and the editor's own worker — no
 * language servers, no CDN.
 */
import type * as Monaco from 'monaco-editor/editor/editor.api.js';

export type MonacoApi = typeof Monaco;

let loading: Promise<MonacoApi> | null = null;

export function loadMonaco(): Promise<MonacoApi> {
  loading ??= (async () => {
    const [monaco, worker] = await Promise.all([
      import('monaco-editor/editor/editor.api.js'),
      import('monaco-editor/editor/editor.worker.js?worker'),
      import('monaco-editor/basic-languages/monaco.contribution.js')
    ]);
    (self as unknown as { MonacoEnvironment: unknown }).MonacoEnvironment = { getWorker: () => new worker.default() };
    // Monaco's diff editor rejects a diff still computing in its worker when a model of it goes
    // (a conflict resolved while someone types) with this error, which nothing can catch: harmless
    // (the diff is gone), so it is not reported as an error of the page.
    self.addEventListener('unhandledrejection', (e) => {
      if (e.reason instanceof Error && e.reason.message === 'no diff result available') e.preventDefault();
    });
    monaco.editor.defineTheme('live-sessions', { base: 'vs-dark', inherit: true, rules: [], colors: { 'editor.background': '#0e1116' } });
    return monaco;
  })();
  return loading;
}

/** Monaco's language for a file name, by extension (plaintext when none matches). */
export function languageOf(monaco: MonacoApi, path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1).toLowerCase();
  const ext = name.includes('.') ? name.slice(name.lastIndexOf('.')) : name;
  for (const l of monaco.languages.getLanguages()) {
    if (l.extensions?.includes(ext) || l.filenames?.map((f) => f.toLowerCase()).includes(name)) return l.id;
  }
  return 'plaintext';
}

/** Above this many characters a text opens without bracket pair colouring, whose tree Monaco builds
 * over the whole text on the main thread (itself it gives up at 5,000,000). */
export const LARGE_TEXT_CHARS = 1_000_000;

/** The model's bracket pair colouring off for a large text (opening a 5-MB file built its tree). */
export function lightenLargeModel(model: Monaco.editor.ITextModel): void {
  if (model.getValueLength() <= LARGE_TEXT_CHARS) return;
  model.updateOptions({ bracketColorizationOptions: { enabled: false, independentColorPoolPerBracketType: false } });
}
