/**
 * Which of the panel's rows to draw now: the newest ones, at most `fresh` of them not drawn
 * before. A flood replaces every row many times a second; drawing them all each time held the
 * page (with the panel open it took a few hundred lines a second), so the newest go first and the
 * older ones follow on the next frames. At a readable rate every row is there a few frames later.
 */

/** Rows a frame adds at most. */
export const NEW_ROWS_PER_FRAME = 100;

/** How many of the newest `rows` to draw, given those `drawn` already (by identity). */
export function rowsToDraw<T>(rows: readonly T[], drawn: ReadonlySet<T>, fresh = NEW_ROWS_PER_FRAME): number {
  let n = 0;
  let added = 0;
  for (let i = rows.length - 1; i >= 0; i--, n++) {
    if (!drawn.has(rows[i]) && ++added > fresh) break;
  }
  return n;
}
