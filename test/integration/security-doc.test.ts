/**
 * SECURITY.md names, for each line, the test that shows it (`file › test name`, `…` ends a
 * shortened name, `a|b` lists variants of one parameterised name). Every one must exist, so the
 * document cannot claim a test that was renamed or removed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/processes.ts';

const doc = readFileSync(`${REPO_ROOT}SECURITY.md`, 'utf8');
/** every `…` span, line wraps joined into single spaces */
const spans = [...doc.matchAll(/`([^`]+)`/g)].map((m) => m[1].replace(/\s*\n\s*/g, ' ').trim());
const refs = spans.filter((s) => /^[\w./-]+\.(ts|md)( › |$)/.test(s));
const normal = (s: string) => s.replace(/\s+/g, ' ');

describe('SECURITY.md', () => {
  it('names tests', () => {
    expect(refs.filter((r) => r.includes(' › ')).length).toBeGreaterThan(20);
  });

  it.each(refs)('%s exists', (ref) => {
    const [file, name] = ref.split(' › ');
    expect(existsSync(`${REPO_ROOT}${file}`), `${file} does not exist`).toBe(true);
    if (name === undefined) return;
    // the name up to a shortening (…) or up to the word with variants (a|b|c)
    let prefix = name.split('…')[0];
    if (prefix.includes('|')) prefix = prefix.slice(0, prefix.lastIndexOf(' ', prefix.indexOf('|')) + 1);
    const source = normal(readFileSync(`${REPO_ROOT}${file}`, 'utf8')).replace(/\\'/g, "'");
    expect(source.includes(normal(prefix)), `${file} has no test named "${prefix}"`).toBe(true);
  });
});
