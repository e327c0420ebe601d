import { describe, expect, it } from 'vitest';
import { fileName, snapshotJson, snapshotMarkdown } from './export.ts';
import { snapshot } from '../../../test/helpers/env-fixtures.ts';

describe('export', () => {
  const s = snapshot(2);

  it('writes JSON that reads back as the same snapshot', () => {
    expect(JSON.parse(snapshotJson(s))).toEqual(s);
    expect(fileName(s, 'json')).toBe('environment-2-checkpoint-2.json');
  });

  it('writes Markdown with every section, absent tools, and what was redacted', () => {
    const md = snapshotMarkdown(s);
    expect(md).toMatch(/^# Environment snapshot 2: checkpoint 2/);
    for (const h of ['System', 'Environment variables', 'Processes', 'Listening ports', 'Disks', 'Git', 'Runtimes', 'Redacted']) expect(md).toContain(`## ${h}`);
    expect(md).toContain('_Absent: docker is not installed_');
    expect(md).toContain('| env | GITHUB_TOKEN | secret-name |');
    expect(md).toContain('| GITHUB_TOKEN | [REDACTED:secret-name] |');
  });
});
