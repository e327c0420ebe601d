/**
 * Our own Monaco ↔ Y.Text binding (instead of y-monaco 0.1.6, whose undo ignores Y.UndoManager,
 * which shares only the first selection, rebuilds every cursor decoration on every change and
 * calls setValue on the whole text):
 *
 * - local edits become one Yjs transaction per Monaco change event (origin: this binding);
 * - remote edits (one Yjs event per transaction) become one `applyEdits` call on the model, so
 *   the cursors and scroll position of the local user stay where they were;
 * - undo/redo go through a Y.UndoManager that tracks this binding's origin only: Ctrl+Z undoes
 *   your own edits, never someone else's;
 * - every selection of every remote participant (multi-cursor) is drawn, re-rendered at most
 *   once per animation frame whatever the number of changes;
 * - offsets are the same on both sides because the model keeps the file's line endings (CRLF
 *   files get a CRLF model), so a CRLF file round-trips unchanged.
 */
import * as Y from 'yjs';
import type * as Monaco from 'monaco-editor/editor/editor.api.js';
import { othersChanged, type AwareState, type EditorClient } from './editor-client.ts';
import { cursorStyles, safeColor } from './cursor-style.ts';

type M = typeof Monaco;

export class MonacoBinding {
  readonly undo: Y.UndoManager;
  #monaco: M;
  #text: Y.Text;
  #model: Monaco.editor.ITextModel;
  #editor: Monaco.editor.IStandaloneCodeEditor;
  #client: EditorClient;
  #path: string;
  #remote = false;
  #decorations: Monaco.editor.IEditorDecorationsCollection;
  #style = document.createElement('style');
  #frame = 0;
  #cleanup: (() => void)[] = [];
  /** awareness client whose cursor this editor keeps in view (follow mode) */
  #following: number | null = null;
  /** called when the local user moves (stops following) */
  onMoved: () => void = () => {};

  constructor(monaco: M, text: Y.Text, model: Monaco.editor.ITextModel, editor: Monaco.editor.IStandaloneCodeEditor, client: EditorClient, path: string) {
    this.#monaco = monaco;
    this.#text = text;
    this.#model = model;
    this.#editor = editor;
    this.#client = client;
    this.#path = path;
    // The model normalises line endings it does not use: that changes the length, except for a
    // lone CR — only then is the whole text compared (a 5-MB model's getValue costs tens of ms).
    const current = text.toString();
    if (model.getValueLength() !== current.length || (current.includes('\r') && model.getValue() !== current)) model.setValue(current);
    this.undo = new Y.UndoManager(text, { trackedOrigins: new Set([this]), captureTimeout: 500 });
    this.#decorations = editor.createDecorationsCollection();
    document.head.append(this.#style);

    const observer = (e: Y.YTextEvent, tr: Y.Transaction) => {
      if (tr.origin !== this) this.#applyRemote(e);
      this.#scheduleRender();
    };
    text.observe(observer);
    const content = model.onDidChangeContent((e) => {
      if (this.#remote) return;
      const changes = [...e.changes].sort((a, b) => b.rangeOffset - a.rangeOffset);
      text.doc!.transact(() => {
        for (const c of changes) {
          if (c.rangeLength) text.delete(c.rangeOffset, c.rangeLength);
          if (c.text) text.insert(c.rangeOffset, c.text);
        }
      }, this);
    });
    const cursor = editor.onDidChangeCursorSelection((e) => {
      this.#shareSelections();
      if (e.source === 'keyboard' || e.source === 'mouse') this.onMoved();
    });
    const onAware = (change: { added: number[]; updated: number[]; removed: number[] }) => {
      if (othersChanged(change, client.awareness.clientID)) this.#scheduleRender();
    };
    client.awareness.on('change', onAware);
    const undoKey = editor.addAction({ id: 'ls-undo', label: 'Undo (mine)', keybindings: [monaco.KeyMod.CtrlCmd | monaco.KeyCode.KeyZ], run: () => void this.undo.undo() });
    const redoKey = editor.addAction({
      id: 'ls-redo',
      label: 'Redo (mine)',
      keybindings: [monaco.KeyMod.CtrlCmd | monaco.KeyMod.Shift | monaco.KeyCode.KeyZ, monaco.KeyMod.CtrlCmd | monaco.KeyCode.KeyY],
      run: () => void this.undo.redo()
    });
    this.#cleanup.push(
      () => text.unobserve(observer),
      () => client.awareness.off('change', onAware),
      () => content.dispose(),
      () => cursor.dispose(),
      () => undoKey.dispose(),
      () => redoKey.dispose()
    );
    this.#shareSelections();
    this.#scheduleRender();
  }

  /** One Yjs event → one edit batch on the model. */
  #applyRemote(e: Y.YTextEvent): void {
    const edits: Monaco.editor.IIdentifiedSingleEditOperation[] = [];
    let at = 0;
    for (const d of e.delta) {
      if (d.retain !== undefined) at += d.retain;
      else if (d.delete !== undefined) {
        edits.push({ range: this.#range(at, at + d.delete), text: '' });
        at += d.delete;
      } else if (typeof d.insert === 'string') edits.push({ range: this.#range(at, at), text: d.insert });
    }
    this.#remote = true;
    try {
      this.#model.applyEdits(edits);
    } finally {
      this.#remote = false;
    }
    // the model normalises line endings it does not use: resync rather than drift apart
    if (this.#model.getValueLength() !== this.#text.length) {
      this.#remote = true;
      this.#model.setValue(this.#text.toString());
      this.#remote = false;
    }
  }

  /** A range from offsets of the text before this event's edits (edits in one batch refer to the same original model). */
  #range(from: number, to: number): Monaco.IRange {
    const a = this.#model.getPositionAt(from);
    const b = this.#model.getPositionAt(to);
    return new this.#monaco.Range(a.lineNumber, a.column, b.lineNumber, b.column);
  }

  /** Keeps `client`'s cursor in view (null: stop). */
  follow(client: number | null): void {
    this.#following = client;
    this.#scheduleRender();
  }

  #shareSelections(): void {
    const rel = (offset: number) => Y.relativePositionToJSON(Y.createRelativePositionFromTypeIndex(this.#text, offset));
    const sel = (this.#editor.getSelections() ?? []).map((s) => ({
      anchor: rel(this.#model.getOffsetAt(s.getSelectionStart())),
      head: rel(this.#model.getOffsetAt(s.getPosition()))
    }));
    this.#client.setPresence({ file: this.#path, sel });
  }

  #scheduleRender(): void {
    if (this.#frame) return;
    this.#frame = requestAnimationFrame(() => {
      this.#frame = 0;
      this.#render();
    });
  }

  #abs(json: unknown): number | null {
    try {
      const p = Y.createAbsolutePositionFromRelativePosition(Y.createRelativePositionFromJSON(json), this.#text.doc!);
      return p && p.type === this.#text ? p.index : null;
    } catch {
      return null;
    }
  }

  #render(): void {
    const decs: Monaco.editor.IModelDeltaDecoration[] = [];
    const people: [number, AwareState][] = [];
    for (const [id, s] of this.#client.others()) {
      if (s.file !== this.#path || !Array.isArray(s.sel)) continue;
      people.push([id, s]);
      for (const { anchor, head } of s.sel.slice(0, 32)) {
        const [a, h] = [this.#abs(anchor), this.#abs(head)];
        if (a === null || h === null) continue;
        const [from, to] = a < h ? [a, h] : [h, a];
        if (id === this.#following) this.#editor.revealPositionInCenterIfOutsideViewport(this.#model.getPositionAt(h));
        if (from !== to) decs.push({ range: this.#range(from, to), options: { className: `ls-sel ls-sel-${id}` } });
        decs.push({ range: this.#range(h, h), options: { beforeContentClassName: `ls-head ls-head-${id}`, stickiness: 1, hoverMessage: { value: s.user.name } } });
      }
    }
    // (a style sheet set again, even unchanged, makes the browser recompute the whole page's styles)
    const css = cursorStyles(people.map(([id, s]) => ({ id, name: s.user.name, color: safeColor(s.user.color) })));
    if (css !== this.#style.textContent) this.#style.textContent = css;
    this.#decorations.set(decs);
  }

  dispose(): void {
    if (this.#frame) cancelAnimationFrame(this.#frame);
    for (const c of this.#cleanup) c();
    this.#decorations.clear();
    this.#style.remove();
    this.undo.destroy();
    this.#client.setPresence({ file: null, sel: [] });
  }
}
