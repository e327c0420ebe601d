/**
 * A record that cannot be written: reported once, and everything else goes on. Disk full is the
 * kernel's own (/dev/full answers every write with ENOSPC); a record directory that went bad is
 * one replaced by a file while terminals run.
 */
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { shellTestEnv } from '../../test/helpers/processes.ts';
import { makeTempDir } from '../../test/helpers/tmp.ts';
import { until } from '../../test/helpers/wait.ts';
import { AuditLog } from '../audit.ts';
import { TerminalSet } from '../terminals/terminal-set.ts';
import { TerminalRecorder } from './recorder.ts';

const who = { sub: 'p_a', name: 'Alice', role: 'editor' as const };

describe('write errors in the record', () => {
  it('a full disk under the audit log is reported once; recording calls go on without throwing', async () => {
    const errors: Error[] = [];
    const log = new AuditLog('/dev/full', null, null, (e) => errors.push(e));
    for (let i = 0; i < 50; i++) {
      log.record(who, { kind: 'join' });
      log.input(who, 1, new TextEncoder().encode(`ls ${i}\r`), false);
    }
    await until(() => errors.length > 0, 'the write error');
    log.record(who, { kind: 'leave' });
    await log.close();
    expect(errors).toHaveLength(1);
    expect((errors[0] as NodeJS.ErrnoException).code).toBe('ENOSPC');
  });

  it('a record directory that went bad mid-session is reported once; the terminals keep working', async () => {
    // (the casts are written by the recorder's worker thread: errors come back from there)
    const dir = join(makeTempDir('record-bad-'), 'rec');
    const terms = new TerminalSet({ shell: '/bin/bash', args: ['--norc', '-i'], cwd: makeTempDir(), env: { ...(process.env as Record<string, string>), ...shellTestEnv() } });
    const errors: Error[] = [];
    const rec = new TerminalRecorder(terms, dir, 's1', (e) => errors.push(e));
    let shown = '';
    terms.onOutput((_id, _seq, d) => (shown += new TextDecoder().decode(d)));
    try {
      const one = terms.open(80, 24);
      one.write('echo first-$((1+1))\r');
      await until(() => shown.includes('first-2') && existsSync(join(dir, 's1-terminal-1.cast')), 'the first terminal and its cast');
      rmSync(dir, { recursive: true });
      writeFileSync(dir, 'not a directory any more');
      const two = terms.open(80, 24);
      const three = terms.open(80, 24);
      two.write('echo second-$((2+2))\r');
      three.write('echo third-$((3+3))\r');
      await until(() => shown.includes('second-4') && shown.includes('third-6'), 'the other terminals');
      await until(() => errors.length > 0, 'the error report');
      one.write('echo fourth\r');
      await until(() => shown.includes('fourth'), 'the first terminal again');
      await rec.dispose();
      expect(errors).toHaveLength(1);
      expect(errors[0].message).toMatch(/EEXIST|ENOTDIR/);
      expect(rec.files).toEqual(['s1-terminal-1.cast']);
    } finally {
      await rec.dispose();
      terms.dispose();
    }
  });
});
