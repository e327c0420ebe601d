import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { parseSignalArgs } from './cli.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const children: ChildProcess[] = [];
afterEach(() => children.splice(0).forEach((c) => c.exitCode === null && c.kill('SIGKILL')));

/** Runs runSignal(args) in a fresh Node (the same Node 24 that runs the tests). */
function runSignal(args: string[]) {
  const code = `import('./signaling/cli.ts').then((m) => m.runSignal(${JSON.stringify(args)}))`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
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

  it('exits 2 with a clear message on a bad flag, and prints help', async () => {
    const bad = runSignal(['--port', 'eighty']);
    expect(await bad.exited).toBe(2);
    expect(bad.out().stderr).toMatch(/--port must be a number from 0 to 65535, not "eighty"/);
    const unknown = runSignal(['--verbose']);
    expect(await unknown.exited).toBe(2);
    expect(unknown.out().stderr).toMatch(/unknown option "--verbose"/);
    const help = runSignal(['--help']);
    expect(await help.exited).toBe(0);
    expect(help.out().stdout).toMatch(/Usage: live-sessions signal \[--port N\] \[--host ADDR\]/);
  });

  it('parses flags with defaults', () => {
    expect(parseSignalArgs([])).toEqual({ port: 8787, host: '127.0.0.1', help: false });
    expect(parseSignalArgs(['--port=9000', '--host', '0.0.0.0'])).toEqual({ port: 9000, host: '0.0.0.0', help: false });
    expect(() => parseSignalArgs(['--port', '70000'])).toThrow(/0 to 65535/);
    expect(() => parseSignalArgs(['--host'])).toThrow(/--host needs a value/);
  });
});
