import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { KEY_FILE } from '../signaling/server.ts';
import { WebSocket } from 'ws';
import type { CreateSessionResponse } from '../src/lib/protocol/api.ts';
import { SIGNAL_SUBPROTOCOL } from '../src/lib/protocol/signaling.ts';
import { parseSignalArgs } from './signal.ts';
import { signalingStateDir, stateRoot } from './state-dir.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = fileURLToPath(new URL('./live-sessions.js', import.meta.url));
const children: ChildProcess[] = [];
afterEach(() => children.splice(0).forEach((c) => c.exitCode === null && c.kill('SIGKILL')));
/** The children's default state lives here, never in the real home directory. */
const TEMP = mkdtempSync(join(tmpdir(), 'ls-cli-'));
afterAll(() => rmSync(TEMP, { recursive: true, force: true }));

/** Runs `live-sessions signal ...args` with the same Node 24 that runs the tests. */
function runSignal(args: string[]) {
  const env = { ...process.env, LIVE_SESSIONS_STATE_DIR: join(TEMP, 'default') };
  const child = spawn(process.execPath, [CLI, 'signal', ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c) => (stdout += c));
  child.stderr!.on('data', (c) => (stderr += c));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const line = (re: RegExp) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const check = () => {
        const m = re.exec(stdout);
        if (m) resolve(m);
      };
      child.stdout!.on('data', check);
      void exited.then(() => reject(new Error(`exited before printing ${re}: ${stderr}`)));
    });
  return { child, exited, line, out: () => ({ stdout, stderr }) };
}

describe('live-sessions signal', () => {
  it('prints the real address, serves, and exits 0 on SIGTERM', async () => {
    const run = runSignal(['--port', '0']);
    const [, url, port] = await run.line(/^listening on (http:\/\/127\.0\.0\.1:(\d+))\n/);
    expect(Number(port)).toBeGreaterThan(0);
    expect(await (await fetch(url + '/api/health')).json()).toEqual({ ok: true });
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
  });

  it('exits 2 with one line naming the bad flag or value, and prints help and the version', async () => {
    // all at once: starting Node takes seconds on a loaded machine
    const bad: { run: ReturnType<typeof runSignal>; line: string }[] = [];
    for (const [args, line] of [
      [['--port', 'eighty'], 'live-sessions signal: --port must be a number from 0 to 65535, not "eighty" (see: live-sessions signal --help)'],
      [['--verbose'], 'live-sessions signal: unknown option "--verbose" (see: live-sessions signal --help)'],
      [['--host'], 'live-sessions signal: --host needs a value (see: live-sessions signal --help)'],
      [['--trust-proxy=yes'], 'live-sessions signal: --trust-proxy takes no value (see: live-sessions signal --help)'],
      [['--max-sockets', '0'], 'live-sessions signal: --max-sockets must be a whole number from 1 up, not "0" (see: live-sessions signal --help)'],
      [['stray'], 'live-sessions signal: unexpected argument "stray" (see: live-sessions signal --help)']
    ] as const) {
      bad.push({ run: runSignal([...args]), line });
    }
    const help = runSignal(['--help']);
    const version = runSignal(['-V']);
    for (const b of bad) {
      expect(await b.run.exited).toBe(2);
      expect(b.run.out().stderr).toBe(`${b.line}\n`);
    }
    expect(await help.exited).toBe(0);
    expect(help.out().stdout).toMatch(/Usage: live-sessions signal \[--port N\] \[--host ADDR\] \[--state DIR \| --no-state\]/);
    expect(help.out().stdout).toMatch(/LIVE_SESSIONS_TRUST_PROXY=1/);
    expect(await version.exited).toBe(0);
    expect(version.out().stdout).toMatch(/^live-sessions \d+\.\d+\.\d+\n$/);
  }, 60_000);

  it('takes every flag from the environment too; a flag beats its variable; a bad value names the variable', async () => {
    const dir = join(TEMP, 'from-env');
    const env = { LIVE_SESSIONS_PORT: '0', LIVE_SESSIONS_STATE: dir, LIVE_SESSIONS_TRUST_PROXY: 'true', LIVE_SESSIONS_MAX_SOCKETS_PER_ADDRESS: '7' };
    expect(parseSignalArgs([], env)).toMatchObject({ port: 0, stateDir: dir, trustProxy: true, maxSocketsPerAddress: 7 });
    expect(parseSignalArgs(['--port', '9000', '--no-state'], env)).toMatchObject({ port: 9000, stateDir: null });
    expect(() => parseSignalArgs([], { LIVE_SESSIONS_TRUST_PROXY: 'maybe' })).toThrow('LIVE_SESSIONS_TRUST_PROXY must be 1 or 0 (true or false), not "maybe"');
    expect(() => parseSignalArgs([], { LIVE_SESSIONS_PORT: 'x' })).toThrow(/--port must be a number/);
    // through the real command
    const viaEnv = spawn(process.execPath, [CLI, 'signal'], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(viaEnv);
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      viaEnv.stdout!.on('data', (c) => {
        out += c;
        const m = /^listening on (http:\/\/127\.0\.0\.1:\d+)\n/.exec(out);
        if (m) resolve(m[1]);
      });
      viaEnv.on('exit', () => reject(new Error('exited before listening')));
    });
    expect(await (await fetch(url + '/api/health')).json()).toEqual({ ok: true });
    expect(existsSync(join(dir, KEY_FILE))).toBe(true);
    viaEnv.kill('SIGTERM');
  });

  it('logs JSON lines with levels and no secrets; SIGTERM tells sockets to reconnect and exits 0', async () => {
    const run = runSignal(['--port', '0', '--no-state', '--log-level', 'info']);
    const [, url] = await run.line(/^listening on (\S+)\n/);
    const created = (await (await fetch(url + '/api/sessions', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ role: 'owner', name: 'Olga Secretname' }) })).json()) as CreateSessionResponse;
    const joined = (await (await fetch(`${url}/api/sessions/${created.session}/join`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ invite: created.invites.viewer, name: 'Vi' }) })).json()) as { token: string };
    // a refused upgrade (a forged credential: the real one with its signature cut) and an accepted socket
    const refusedUpgrade = new WebSocket(url.replace('http', 'ws') + '/signal', [SIGNAL_SUBPROTOCOL, joined.token.slice(0, -4) + 'AAAA']);
    await new Promise((r) => refusedUpgrade.once('unexpected-response', r));
    const ws = new WebSocket(url.replace('http', 'ws') + '/signal', [SIGNAL_SUBPROTOCOL, joined.token]);
    await new Promise((r) => ws.once('open', r));
    const closedWith = new Promise<number>((r) => ws.once('close', (code) => r(code)));
    run.child.kill('SIGTERM');
    expect(await closedWith).toBe(1012);
    expect(await run.exited).toBe(0);
    const lines = run.out().stderr.split('\n').filter(Boolean);
    const records = lines.map((l) => JSON.parse(l) as { level: number; msg: string; time: number });
    for (const r of records) expect(r).toMatchObject({ level: expect.any(Number), time: expect.any(Number), msg: expect.any(String) });
    expect(records.some((r) => r.level === 40 && /upgrade refused/.test(r.msg))).toBe(true);
    expect(records.some((r) => /shutting down/.test(r.msg))).toBe(true);
    for (const secret of [created.token, joined.token, ...Object.values(created.invites), 'Secretname']) expect(run.out().stderr).not.toContain(secret);
  });

  it('keeps its key id across a restart with the same --state DIR, and prints the directory', async () => {
    const dir = join(TEMP, 'kept');
    const kids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const run = runSignal(['--port', '0', '--state', dir]);
      const [, url] = await run.line(/^listening on (\S+)\n/);
      kids.push(((await (await fetch(url + '/.well-known/jwks.json')).json()) as { keys: { kid: string }[] }).keys[0].kid);
      run.child.kill('SIGTERM');
      expect(await run.exited).toBe(0);
      expect(run.out().stderr.split('\n').filter(Boolean).map((l) => JSON.parse(l))).toContainEqual(expect.objectContaining({ msg: `state: ${dir}`, stateDir: dir }));
    }
    expect(kids[0]).toMatch(/^k_/);
    expect(kids[1]).toBe(kids[0]);
  });

  it('exits 1 naming the file when the key file is damaged', async () => {
    const dir = join(TEMP, 'damaged');
    const first = runSignal(['--port', '0', '--state', dir]);
    await first.line(/^listening on /);
    first.child.kill('SIGTERM');
    await first.exited;
    writeFileSync(join(dir, KEY_FILE), 'not json');
    const run = runSignal(['--port', '0', '--state', dir]);
    expect(await run.exited).toBe(1);
    expect(run.out().stderr).toContain(`live-sessions signal: ${join(dir, KEY_FILE)} is damaged (it is not valid JSON)`);
  });

  it('defaults its state directory from LIVE_SESSIONS_STATE_DIR, else XDG_STATE_HOME, else ~/.local/state', () => {
    expect(signalingStateDir(stateRoot({ LIVE_SESSIONS_STATE_DIR: '/srv/ls', XDG_STATE_HOME: '/x/state' }))).toBe('/srv/ls/signaling');
    expect(signalingStateDir(stateRoot({ XDG_STATE_HOME: '/x/state' }))).toBe('/x/state/live-sessions/signaling');
    expect(signalingStateDir(stateRoot({ XDG_STATE_HOME: 'relative/ignored' }))).toBe(join(homedir(), '.local/state/live-sessions/signaling'));
    expect(parseSignalArgs([]).stateDir).toBe(signalingStateDir());
  });

  it('parses flags with defaults', () => {
    const stateDir = signalingStateDir();
    expect(parseSignalArgs([])).toEqual({ port: 8787, host: '127.0.0.1', stateDir, trustProxy: false, help: false });
    expect(parseSignalArgs(['--port=9000', '--host', '0.0.0.0'])).toEqual({ port: 9000, host: '0.0.0.0', stateDir, trustProxy: false, help: false });
    expect(parseSignalArgs(['--trust-proxy']).trustProxy).toBe(true);
    expect(parseSignalArgs(['--state=/tmp/s']).stateDir).toBe('/tmp/s');
    expect(parseSignalArgs(['--state', '/tmp/s', '--no-state']).stateDir).toBeNull();
    expect(() => parseSignalArgs(['--state'])).toThrow(/--state needs a value/);
    expect(() => parseSignalArgs(['--port', '70000'])).toThrow(/0 to 65535/);
    expect(() => parseSignalArgs(['--host'])).toThrow(/--host needs a value/);
  });
});
