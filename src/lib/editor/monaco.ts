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

/** Above this many characters a text is shown without the features that go through all of it
 * again and again: those that build Monaco's bracket tree over the whole text on the main thread
 * (which it does up to 5,000,000 characters: bracket pair colouring, matching and guides,
 * auto-closed brackets), and those Monaco itself drops for files over 20 MB — folding, occurrence
 * highlighting (a whole-text search at each cursor stop), sticky scroll, code lenses — plus links
 * and colour swatches (the editor worker scans the whole text after each change). */
export const LARGE_TEXT_CHARS = 1_000_000;

/** Those features off for a large text: now — also when its first slice is here and the whole
 * will be large (`seededLength`: built over the first slices, the bracket tree cost ~0.5 s of main
 * thread per three 5-MB opens) — or once a text still arriving grows past it. */
export function lightenWhenLarge(editor: Monaco.editor.IStandaloneCodeEditor, model: Monaco.editor.ITextModel, seededLength = 0): Monaco.IDisposable {
  const lighten = () => {
    if (Math.max(seededLength, model.getValueLength()) <= LARGE_TEXT_CHARS) return false;
    model.updateOptions({ bracketColorizationOptions: { enabled: false, independentColorPoolPerBracketType: false } });
    editor.updateOptions({
      matchBrackets: 'never',
      autoClosingBrackets: 'never',
      guides: { bracketPairs: false, highlightActiveBracketPair: false },
      folding: false,
      occurrencesHighlight: 'off',
      stickyScroll: { enabled: false },
      codeLens: false,
      links: false,
      colorDecorators: false
    });
    return true;
  };
  if (lighten()) return { dispose: () => {} };
  const growing = model.onDidChangeContent(() => lighten() && growing.dispose());
  return growing;
}
