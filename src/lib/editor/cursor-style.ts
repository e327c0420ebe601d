/**
 * CSS for remote cursors and selections: one rule set per participant, since Monaco decorations
 * take class names only. Names and colours come from other peers' awareness, so they are
 * sanitised here: a colour must look like one of ours, a name is a quoted CSS string without
 * anything that could end it.
 */

const COLOR = /^(#[0-9a-f]{3,8}|hsl\(\d{1,3}(\.\d+)? \d{1,3}% \d{1,3}%\))$/i;
const FALLBACK = '#8b96a5';

export function safeColor(c: unknown): string {
  return typeof c === 'string' && COLOR.test(c) ? c : FALLBACK;
}

/** A CSS string literal: every character outside printable ASCII letters/digits/space escaped. */
export function cssString(s: string): string {
  let out = '"';
  for (const ch of s.slice(0, 64)) out += /[A-Za-z0-9 _.@-]/.test(ch) ? ch : `\\${ch.codePointAt(0)!.toString(16)} `;
  return out + '"';
}

export function cursorStyles(people: { id: number; name: string; color: string }[]): string {
  return people
    .map(({ id, name, color }) => {
      const c = safeColor(color);
      return (
        `.ls-sel-${id}{background:${c};opacity:.35}` +
        `.ls-head-${id}{border-left:2px solid ${c};margin-left:-1px}` +
        `.ls-head-${id}::after{content:${cssString(name)};background:${c}}`
      );
    })
    .join('\n');
}
