/**
 * The filter's cheap part as one function: sources, time range, level, text (smart case) and field
 * values. Field values are found by substring first and confirmed by parsing only the lines that
 * contain them, so a filter by request id scans a large history at about the speed of indexOf.
 * The regex part is not here: the host evaluates user regexes off its main loop (regex-worker.ts).
 */
import { levelNumber, type LogFilter, type LogLine } from '../protocol/logs.ts';
import { fieldMatches, levelOf, parseLine } from './parse.ts';

export type LineTest = (line: LogLine) => boolean;

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Case-insensitive unless the text has a capital letter (as ripgrep's smart case). */
export function textTest(text: string): (s: string) => boolean {
  if (/[A-Z]/.test(text)) return (s) => s.includes(text);
  // a literal pattern: linear, and case folding without lowercasing every line
  const re = new RegExp(escape(text), 'i');
  return (s) => re.test(s);
}

export function compileFilter(f: LogFilter): LineTest {
  const tests: LineTest[] = [];
  if (f.sources) {
    const set = new Set(f.sources);
    tests.push((l) => set.has(l.src));
  }
  if (f.from !== undefined) {
    const from = f.from;
    tests.push((l) => l.t >= from);
  }
  if (f.to !== undefined) {
    const to = f.to;
    tests.push((l) => l.t <= to);
  }
  if (f.level) {
    const min = levelNumber(f.level);
    tests.push((l) => l.lv >= min);
  }
  if (f.text) {
    const t = textTest(f.text);
    tests.push((l) => t(l.text));
  }
  const fields = f.fields ?? [];
  for (const { key, value } of fields.filter((x) => x.key === 'level')) {
    const lv = levelOf(value);
    tests.push((l) => lv !== null && l.lv === levelNumber(lv));
  }
  const others = fields.filter((x) => x.key !== 'level');
  if (others.length) {
    tests.push((l) => {
      for (const { value } of others) if (!l.text.includes(value)) return false;
      const p = parseLine(l.text);
      return others.every(({ key, value }) => fieldMatches(p, key, value));
    });
  }
  if (tests.length === 0) return () => true;
  return (l) => {
    for (const t of tests) if (!t(l)) return false;
    return true;
  };
}

/** True when nothing is filtered. */
export function isEmptyFilter(f: LogFilter): boolean {
  return !f.text && !f.regex && !f.level && !f.fields?.length && f.from === undefined && f.to === undefined && !f.sources;
}
