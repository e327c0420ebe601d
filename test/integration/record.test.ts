/**
 * The record on the box, as a user gets it: a real host process with --record-dir, a Node editor
 * typing over real WebRTC; then the audit log verifies (and every kind of tampering is found by
 * `live-sessions audit verify`), the terminal's cast plays in Debian's asciinema, and a host killed
 * with SIGKILL leaves files that still verify and play.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { cleanupWebRTC } from '../../host-agent/webrtc.ts';
import { joinNodePeer, type NodePeer } from '../helpers/node-peer.ts';
import { spawnCli, startHostProcess, startSignalingProcess, stopAll, type HostProcess } from '../helpers/processes.ts';
import { TermScreen } from '../helpers/term-screen.ts';
import { makeTempDir } from '../helpers/tmp.ts';
import { until } from '../helpers/wait.ts';

const peers: NodePeer[] = [];
afterEach(async () => {
  await Promise.all(peers.splice(0).map((p) => p.dispose()));
  await stopAll();
});
afterAll(() => cleanupWebRTC());

async function session(dir: string, args: string[] = []): Promise<{ host: HostProcess; peer: NodePeer; type: (s: string) => void; screen: TermScreen }> {
  const sig = await startSignalingProcess();
  const host = await startHostProcess(sig.url, { shell: '/bin/bash', args: ['--record-dir', dir, ...args] });
  const p = new URLSearchParams(new URL(host.links.editor).hash.slice(1));
  const peer = await joinNodePeer(sig.url, host.session, p.get('invite')!, p.get('key')!, { name: 'Edna' });
  peers.push(peer);
  await peer.peer('host');
  await until(() => peer.terminals.terminals.length > 0, 'the terminal list');
  const id = peer.terminals.terminals[0].id;
  const screen = new TermScreen(peer.terminals, id);
  await until(() => screen.snapshots.length > 0, 'the first snapshot');
  return { host, peer, type: (s) => peer.terminals.input(id, s), screen };
}

/** The JSON lines of a file the host wrote, up to its last complete one (ended by its newline). */
function jsonLines(file: string): Record<string, unknown>[] {
  const text = readFileSync(file, 'utf8');
  return text
    .slice(0, text.lastIndexOf('\n'))
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

async function cli(args: string[]): Promise<{ code: number | null; out: string }> {
  const p = spawnCli(args);
  const { code } = await p.exited;
  return { code, out: p.stdout.join('\n') };
}

/** `asciinema cat` (Debian's 2.2 wants a terminal even for that: `script` lends it one). */
function asciinemaCat(file: string): string {
  return execFileSync('script', ['-q', '-e', '-c', `asciinema cat ${file}`, '/dev/null'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 20_000 });
}

describe('the record on the box', () => {
  it('is a hash-chained audit log that audit verify checks, and a cast per terminal that asciinema plays', async () => {
    const dir = makeTempDir('record-');
    const { host, peer, type, screen } = await session(dir);
    type('echo recorded-$((20+22))\r');
    await screen.waitFor(/recorded-42/);
    type('sh -c "exit 3"\r');
    await until(() => peer.commands.commands.filter((c) => c.end !== null).length === 2, 'both commands to end');
    expect((await host.stop()).code).toBe(0);

    const log = join(dir, `${host.session}.jsonl`);
    const casts = readdirSync(dir).filter((n) => n.endsWith('.cast'));
    expect(casts).toEqual([`${host.session}-terminal-1.cast`]);
    expect(asciinemaCat(join(dir, casts[0]))).toContain('recorded-42');
    // a marker per command in the cast, labelled with its text
    const markers = jsonLines(join(dir, casts[0])).filter((e) => Array.isArray(e) && e[1] === 'm').map((e) => (e as unknown as unknown[])[2]);
    expect(markers).toEqual(['echo recorded-$((20+22))', 'sh -c "exit 3"']);
    // the log: the host's terminal opened, each command with who typed it, its cwd and exit code
    const records = jsonLines(join(dir, `${host.session}.jsonl`));
    expect(records).toContainEqual(expect.objectContaining({ kind: 'terminal', action: 'open', term: 1, who: expect.objectContaining({ role: 'host' }) }));
    const commands = records.filter((r) => r.kind === 'command');
    expect(commands).toEqual([
      expect.objectContaining({ term: 1, text: 'echo recorded-$((20+22))', exit: 0, cwd: expect.any(String), ms: expect.any(Number), who: expect.objectContaining({ name: 'Edna', role: 'editor' }) }),
      expect.objectContaining({ term: 1, text: 'sh -c "exit 3"', exit: 3, who: expect.objectContaining({ name: 'Edna' }) })
    ]);

    const ok = await cli(['audit', 'verify', log]);
    expect(ok).toMatchObject({ code: 0, out: expect.stringMatching(/intact, \d+ line/) });
    const shown = await cli(['audit', 'show', log]);
    expect(shown.out).toMatch(/Edna \(editor\)\s+join/);
    expect(shown.out).toMatch(/Edna \(editor\)\s+input.*recorded/);
    expect(shown.out).toMatch(/Edna \(editor\)\s+command\s+.*text="echo recorded-\$\(\(20\+22\)\)".*exit=0/);
    expect(shown.out).toMatch(/Edna \(editor\)\s+command\s+.*text="sh -c \\"exit 3\\"".*exit=3/);

    const lines = readFileSync(log, 'utf8').trimEnd().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(3);
    const tampered = (name: string, ls: string[]) => {
      const f = join(dir, `${name}.jsonl.bad`);
      writeFileSync(f, ls.join('\n') + '\n');
      return f;
    };
    const edited = [...lines];
    edited[1] = edited[1].replace(/"t":"[^"]+"/, '"t":"2000-01-01T00:00:00.000Z"');
    const cases: [string, string[], RegExp][] = [
      ['edited', edited, /BROKEN at line 2: it was edited/],
      ['deleted', lines.filter((_, i) => i !== 1), /BROKEN at line 2/],
      ['reordered', [lines[0], lines[2], lines[1], ...lines.slice(3)], /BROKEN at line 2/],
      ['truncated', [lines[0], lines[1].slice(0, 40), ...lines.slice(2)], /BROKEN at line 2: it is not a complete JSON line/]
    ];
    for (const [name, ls, message] of cases) {
      const r = await cli(['audit', 'verify', tampered(name, ls)]);
      expect(r.code, name).toBe(1);
      expect(r.out, name).toMatch(message);
    }
  });

  it('redacts before writing: a token typed and printed is in neither the cast nor the log; a bad --redact is one line naming it', async () => {
    const dir = makeTempDir('record-redact-');
    const { host, type, screen } = await session(dir, ['--redact', 'ACME-[0-9]{6}', '--redact', 'db7\\.internal']);
    const token = `ghp_${'aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5'}`;
    type(`T=${token}; echo "got $T for ACME-123456 on db7.internal"\r`);
    // participants see the terminal as it is; only the record is redacted
    await screen.waitFor(/got ghp_\S+ for ACME-123456 on db7\.internal/);
    expect((await host.stop()).code).toBe(0);
    const log = readFileSync(join(dir, `${host.session}.jsonl`), 'utf8');
    const cast = readFileSync(join(dir, `${host.session}-terminal-1.cast`), 'utf8');
    for (const [name, text] of [['log', log], ['cast', cast]]) {
      expect(text, name).toContain('[REDACTED:');
      for (const secret of [token.slice(4), 'ACME-123456', 'db7.internal']) expect(text, `${name} holds ${secret}`).not.toContain(secret);
    }
    expect(cast).toContain('[REDACTED:rule]');
    expect((await cli(['audit', 'verify', join(dir, `${host.session}.jsonl`)])).code).toBe(0);

    const bad = spawnCli(['host', '--signaling', 'http://127.0.0.1:9', '--redact', 'ok', '--redact', '(unclosed']);
    expect((await bad.exited).code).toBe(2);
    expect(bad.stderr[0]).toMatch(/^live-sessions host: --redact "\(unclosed" is not a valid regular expression: .+$/);
  });

  it('survives kill -9: the log verifies up to its last whole line and the cast plays; the next host continues the chain', async () => {
    const dir = makeTempDir('record-kill-');
    const first = await session(dir);
    first.type('echo before-kill-$((1+1))\r');
    await first.screen.waitFor(/before-kill-2/);
    // the records are written through streams: wait until they reached the files
    const log = join(dir, `${first.host.session}.jsonl`);
    const cast = join(dir, `${first.host.session}-terminal-1.cast`);
    await until(() => existsSync(cast) && readFileSync(cast, 'utf8').includes('before-kill-2') && readFileSync(log, 'utf8').includes('before-kill'), 'the records on disk');
    first.host.process.child.kill('SIGKILL');
    await first.host.process.exited;
    expect((await cli(['audit', 'verify', log])).code).toBe(0);
    expect(asciinemaCat(cast)).toContain('before-kill-2');

    // the chain goes on from the last whole line the killed host wrote: its hash, not only its file's name
    const lastHash = jsonLines(log).at(-1)!.hash as string;
    expect(lastHash).toMatch(/^[0-9a-f]{64}$/);
    const second = await session(dir);
    expect((await second.host.stop()).code).toBe(0);
    const nextLog = join(dir, `${second.host.session}.jsonl`);
    const next = await cli(['audit', 'verify', nextLog]);
    expect(next).toMatchObject({ code: 0, out: expect.stringContaining(`It continues an earlier log whose last hash is ${lastHash}.`) });
    expect(jsonLines(nextLog)[0]).toMatchObject({ seq: 1, kind: 'continues', file: `${first.host.session}.jsonl`, prev: lastHash });
  });
});
