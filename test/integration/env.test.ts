/**
 * Environment snapshots end to end in Node: a real host agent (real probes, a real bash in a PTY),
 * Node participants over real WebRTC using the product's EnvClient. Secrets planted in the agent's
 * environment are redacted before they leave; viewers cannot take checkpoints; a checkpoint typed
 * in the shared shell sees that shell's own variables.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { envProtocol, type Snapshot } from '../../src/lib/protocol/env.ts';
import type { Routed } from '../../src/lib/mesh/router.ts';
import { EnvClient } from '../../src/lib/env/env-client.ts';
import { diffSnapshots } from '../../src/lib/env/diff.ts';
import { CLI, spawnCli } from '../helpers/processes.ts';
import { useStack } from '../helpers/stack.ts';
import { until } from '../helpers/wait.ts';

// planted secrets, built from parts so that scanners of this repository do not flag them
const SECRETS = { byName: 'plain-but-secret-by-name-7731', aws: 'AKIA' + 'ZQ3DRSTUVWXY2345', urlPassword: 'pw-in-url-5512' };
const PLANTED = { DEPLOY_TOKEN: SECRETS.byName, SOME_SETTING: SECRETS.aws, DATABASE_URL: `postgres://app:${SECRETS.urlPassword}@db.internal/app` };

// the agent's first snapshot sees a git repository and the planted secrets
const stack = useStack({ env: PLANTED, prepare: (cwd) => execFileSync('git', ['init', '-q', '-b', 'main'], { cwd }) });

async function join(role: 'editor' | 'viewer', name: string) {
  const p = await stack.join(role, name);
  const env = new EnvClient(p.mesh);
  const tapped: Routed[] = [];
  p.mesh.router.tapped.on((r) => tapped.push(r));
  await p.peer('host');
  return { p, env, tapped };
}


describe('environment snapshots', () => {
  it('sends the start snapshot redacted, and says what was redacted', async () => {
    const { env, tapped } = await join('viewer', 'Vic');
    await until(() => env.snapshots.length >= 1, 'the start snapshot in the list', 15_000);
    expect(env.snapshots[0]).toMatchObject({ id: 1, label: 'start', source: 'start', author: null });
    const snap = await env.get(1);
    const wire = JSON.stringify(tapped.filter((r) => r.capability === 'env').map((r) => r.msg));
    for (const secret of Object.values(SECRETS)) expect(wire).not.toContain(secret);
    const byName = Object.fromEntries(snap.redactions.filter((r) => r.where === 'env').map((r) => [r.name, r.kinds]));
    expect(byName).toMatchObject({ DEPLOY_TOKEN: ['secret-name'], SOME_SETTING: ['aws-access-key'], DATABASE_URL: ['url-password'] });
    expect(snap.sections.system).toMatchObject({ status: 'ok', data: { cwd: stack.cwd } });
    expect(snap.sections.git).toMatchObject({ status: 'ok', data: { branch: 'main' } });
  });

  it("refuses a viewer's checkpoint, takes an editor's and audits it with its author", async () => {
    const viewer = await join('viewer', 'Val');
    const editor = await join('editor', 'Eddie');
    await until(() => editor.env.snapshots.length >= 1, 'the list');
    const before = editor.env.snapshots.length;
    viewer.env.checkpoint('sneaky');
    await until(() => viewer.p.errors.length === 1, 'the refusal');
    expect(viewer.p.errors[0]).toMatchObject({ code: 'forbidden', message: 'Viewers cannot take checkpoints.' });
    editor.env.checkpoint('before restart');
    await until(() => editor.env.snapshots.length === before + 1, "the editor's checkpoint", 15_000);
    const info = editor.env.snapshots.at(-1)!;
    expect(info).toMatchObject({ label: 'before restart', source: 'request', author: { name: 'Eddie', role: 'editor' } });
    expect(viewer.env.snapshots.map((s) => s.label)).not.toContain('sneaky');
    const audit = readFileSync(stack.agent.audit.path, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(audit).toContainEqual(expect.objectContaining({ kind: 'checkpoint', id: info.id, label: 'before restart', who: expect.objectContaining({ name: 'Eddie', role: 'editor' }) }));
    expect(audit).toContainEqual(expect.objectContaining({ kind: 'refused', what: 'env checkpoint', who: expect.objectContaining({ name: 'Val' }) }));
  });

  it("takes a checkpoint from inside the shared shell that sees the shell's own variables", async () => {
    const { p, env } = await join('editor', 'Shelly');
    await until(() => env.snapshots.length >= 1, 'the list');
    const first = env.snapshots.at(-1)!;
    writeFileSync(`${stack.cwd}/dirty.txt`, 'x');
    const term = stack.agent.terminals.list()[0].id;
    p.terminals.input(term, `export FROM_THE_SHELL=yes-42 && '${process.execPath}' '${CLI}' checkpoint after export\r`);
    await until(() => env.snapshots.some((s) => s.source === 'shell'), 'the checkpoint from the shell', 20_000);
    const info = env.snapshots.find((s) => s.source === 'shell')!;
    expect(info.label).toBe('after export');
    const [a, b]: Snapshot[] = await Promise.all([env.get(first.id), env.get(info.id)]);
    const d = diffSnapshots(a, b);
    expect(d.env.added.map((v) => v.name)).toContain('FROM_THE_SHELL');
    expect(d.files.dirtied.map((f) => f.path)).toContain('dirty.txt');
  });

  it('answers a request for a snapshot that does not exist, or too many requests, with an error', async () => {
    const { p } = await join('editor', 'Erin');
    const host = await p.peer('host');
    host.send(envProtocol, { type: 'get', id: 9999 });
    await until(() => p.errors.length === 1, 'the error');
    expect(p.errors[0]).toMatchObject({ code: 'not-found' });
    // a peer that keeps asking for the same snapshot is told to stop, not sent it forever
    for (let i = 0; i < 40; i++) host.send(envProtocol, { type: 'get', id: 1 });
    await until(() => p.errors.some((e) => e.code === 'rate-limited'), 'the rate limit', 20_000);
  });

  it('says so when `live-sessions checkpoint` runs outside a shared shell, or the agent is gone', async () => {
    const outside = spawnCli(['checkpoint', 'x'], { env: { LIVE_SESSIONS_CHECKPOINT: '' } });
    expect((await outside.exited).code).toBe(1);
    expect(outside.stderr.join('\n')).toMatch(/not inside a shared shell/);
    const gone = spawnCli(['checkpoint', 'x'], { env: { LIVE_SESSIONS_CHECKPOINT: `${stack.cwd}/no-such-socket` } });
    expect((await gone.exited).code).toBe(1);
    expect(gone.stderr.join('\n')).toMatch(/cannot reach the host agent/);
  });
});
