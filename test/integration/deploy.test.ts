/**
 * The deployment files in deploy/: the systemd unit passes `systemd-analyze verify` (which runs
 * without systemd as PID 1) with no warning, and every LIVE_SESSIONS_* it sets is a setting
 * `live-sessions signal` understands.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { envName } from '../../bin/args.ts';
import { FLAGS, parseSignalArgs } from '../../bin/signal.ts';
import { REPO_ROOT } from '../helpers/processes.ts';
import { makeTempDir, removeTempDirs } from '../helpers/tmp.ts';

const UNIT = join(REPO_ROOT, 'deploy', 'live-sessions-signal.service');
afterAll(removeTempDirs);

/** The unit with ExecStart pointing at this checkout's command (npm would install it at /usr/local/bin). */
function unitHere(text = readFileSync(UNIT, 'utf8')): string {
  const file = join(makeTempDir('ls-unit-'), 'live-sessions-signal.service');
  writeFileSync(file, text.replace('/usr/local/bin/live-sessions', join(REPO_ROOT, 'bin', 'live-sessions.js')));
  return file;
}

function verify(file: string): { status: number | null; output: string } {
  const r = spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}`.trim() };
}

describe('deploy/live-sessions-signal.service', () => {
  it('passes systemd-analyze verify with nothing to say', () => {
    expect(execFileSync('systemd-analyze', ['--version'], { encoding: 'utf8' })).toMatch(/^systemd \d+/);
    expect(verify(unitHere())).toEqual({ status: 0, output: '' });
  });

  it('(a unit with a mistake does not: the check is real)', () => {
    const r = verify(unitHere(readFileSync(UNIT, 'utf8').replace('Restart=on-failure', 'Restart=on-failure\nRestartt=always')));
    expect(r.output).toMatch(/Unknown key 'Restartt'/);
    expect(verify(unitHere(readFileSync(UNIT, 'utf8').replace('/usr/local/bin/live-sessions signal', '/nonexistent/live-sessions signal'))).status).not.toBe(0);
  });

  it('sets only variables live-sessions signal understands, with values it accepts', () => {
    const env: Record<string, string> = {};
    for (const m of readFileSync(UNIT, 'utf8').matchAll(/^Environment=(LIVE_SESSIONS_\w+)=(.*)$/gm)) env[m[1]] = m[2].replace('%S', '/var/lib');
    expect(Object.keys(env).length).toBeGreaterThanOrEqual(4);
    const known = Object.keys(FLAGS).map(envName);
    for (const k of Object.keys(env)) expect(known, `${k} is no flag of live-sessions signal`).toContain(k);
    expect(parseSignalArgs([], env)).toMatchObject({ host: '127.0.0.1', port: 8787, trustProxy: true, stateDir: '/var/lib/live-sessions' });
  });
});
