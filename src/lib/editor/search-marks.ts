/**
 * Where a search hit opens a file: the line to show, and what the search looked for, marked in
 * the file wherever it occurs (Monaco decorations, also in the scrollbar's overview ruler).
 */
import type * as Monaco from 'monaco-editor/editor/editor.api.js';
import type { Sought } from '../files/highlight.ts';

export interface Goto {
  /** the file this is for (a goto is ignored by any other file's editor) */
  path: string;
  line: number;
  sought?: Sought;
}

/** At most this many matches marked in one file (a one-letter query in a 5-MB file). */
export const MAX_FILE_MARKS = 2000;

export function searchMarks(monaco: typeof Monaco, model: Monaco.editor.ITextModel, sought: Sought): Monaco.editor.IModelDeltaDecoration[] {
  if (!sought.query) return [];
  const found = model.findMatches(sought.query, false, false, sought.caseSensitive, null, false, MAX_FILE_MARKS);
  return found.map((m) => ({
    range: m.range,
    options: {
      inlineClassName: 'ls-search-hit',
      stickiness: monaco.editor.TrackedRangeStickiness.NeverGrowsWhenTypingAtEdges,
      overviewRuler: { color: '#d7b34c', position: monaco.editor.OverviewRulerLane.Center }
    }
  }));
}
