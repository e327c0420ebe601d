/**
 * Search hits shown with what matched: a hit's text split into pieces, `match` on each
 * occurrence of the query (the host sends the line, or a cut of it around the match, not the
 * match's place in the cut, so the query is looked for again here).
 */
/** What a search looked for (the editor marks it in the file a hit opens). */
export interface Sought {
  query: string;
  caseSensitive: boolean;
}

export interface Piece {
  text: string;
  match: boolean;
}

/** At most this many marked occurrences per line (a one-letter query on a long line). */
export const MAX_MARKS = 20;

export function highlight(text: string, query: string, caseSensitive: boolean): Piece[] {
  if (!query) return [{ text, match: false }];
  const hay = caseSensitive ? text : text.toLowerCase();
  const needle = caseSensitive ? query : query.toLowerCase();
  const out: Piece[] = [];
  let at = 0;
  for (let marks = 0; marks < MAX_MARKS; marks++) {
    const i = hay.indexOf(needle, at);
    if (i < 0) break;
    if (i > at) out.push({ text: text.slice(at, i), match: false });
    out.push({ text: text.slice(i, i + needle.length), match: true });
    at = i + needle.length;
  }
  if (at < text.length) out.push({ text: text.slice(at), match: false });
  return out;
}
