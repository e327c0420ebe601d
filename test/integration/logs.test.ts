/**
 * Shared logs end to end: a real `live-sessions host --log FILE --log-cmd CMD` process, Node
 * participants over real WebRTC using the product's LogsClient. The filter is applied on the host
 * (a filter by request id gets exactly those lines, and only those cross the network, counted from
 * the router's tap); a viewer cannot add a source; a flood is limited with a skipped count; a
 * catastrophic regex is turned off while the shared terminal keeps echoing.
 */
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logsProtocol, type LogsMessage } from '../../src/lib/protocol/logs.ts';
import type { Routed } from '../../src/lib/mesh/router.ts';
import { LogsClient, LogsError } from '../../src/lib/logs/logs-client.ts';
import { logFilterLabel } from '../../src/lib/logs/query.ts';
import { joinNodePeer, type NodePeer } from '../helpers/node-peer.ts';
import { spawnCli, startHostProcess, startSignalingProcess, stopAll, waitForHostEvent, type HostProcess } from '../helpers/processes.ts';
import { makeTempDir, removeTempDirs } from '../helpers/tmp.ts';
import { until } from '../helpers/wait.ts';

const SECRET = 'AKIA' + 'ZQ3DRSTUVWXY2345';
let host: HostProcess;
let signalingUrl: string;
let cwd: string;
let appLog: string;
let recordDir: string;
const peers: NodePeer[] = [];

async function joinAs(role: 'editor' | 'viewer', name: string) {
  const p = new URLSearchParams(new URL(host.links[role]).hash.slice(1));
  const peer = await joinNodePeer(signalingUrl, host.session, p.get('invite')!, p.get('key')!, { name });
  peers.push(peer);
  const logs = new LogsClient(peer.mesh);
  const tapped: Routed[] = [];
  peer.mesh.router.tapped.on((r) => r.capability === 'logs' && tapped.push(r));
  await peer.peer('host');
  await until(() => logs.gen > 0 && logs.sources.length > 0, 'the sources and the filter');
  const linesOnWire = () => tapped.flatMap((r) => (r.msg.type === 'lines' ? (r.msg as LogsMessage & { type: 'lines' }).lines : []));
  return { peer, logs, tapped, linesOnWire };
}

/** `n` JSON lines with fixed-width request ids r-0000 … (one id is never part of another) */
function jsonLines(from: number, n: number, extra = ''): string {
  let out = '';
  for (let i = from; i < from + n; i++) {
    const id = `r-${String(i % 50).padStart(4, '0')}`;
    out += JSON.stringify({ time: new Date(Date.UTC(2026, 11, 1, 4, 0, 0, i)).toISOString(), level: i % 10 === 0 ? 'error' : 'info', msg: `request ${i}${extra}`, service: 'api', request_id: id }) + '\n';
  }
  return out;
}

beforeAll(async () => {
  cwd = makeTempDir('live-sessions-logs-cwd-');
  appLog = join(cwd, 'app.log');
  writeFileSync(appLog, jsonLines(0, 1000) + `level=warn msg="key ${SECRET} used" request_id=r-0007\n`);
  const sig = await startSignalingProcess();
  signalingUrl = sig.url;
  recordDir = makeTempDir('live-sessions-logs-record-');
  host = await startHostProcess(sig.url, { cwd, shell: '/bin/bash', args: ['--record-dir', recordDir, '--log', 'app.log', '--log-cmd', 'echo from-cmd; exit 4', '--log-rate', '500'] });
  await waitForHostEvent(host, (e) => e.event === 'signaling' && e.status === 'online');
});
afterAll(async () => {
  await Promise.all(peers.map((p) => p.dispose()));
  await stopAll();
  removeTempDirs();
});

describe('shared logs', () => {
  it('filters by request id on the host: exactly the matching lines cross the network, redacted', async () => {
    const ed = await joinAs('editor', 'Eddie');
    const vi = await joinAs('viewer', 'Vera');
    expect(ed.logs.sources.map((s) => s.kind)).toEqual(['file', 'cmd']);
    await until(() => ed.logs.sources[1].state === 'exited', 'the command to exit');
    expect(ed.logs.sources[1].detail).toBe('exited with code 4');
    // the unfiltered history (the newest 1000 lines) first, so that what follows is the filter's alone
    await until(() => vi.logs.received === 1000, "the viewer's first 1000 lines");
    const before = vi.linesOnWire().length;
    const changes: string[] = [];
    vi.logs.filterChanged.on((e) => changes.push(logFilterLabel(e)));
    await ed.logs.setFilter({ fields: [{ key: 'id', value: 'r-0007' }] });
    await until(() => vi.logs.filter.fields?.[0]?.value === 'r-0007' && vi.logs.received === 21, 'the viewer to get the 21 matching lines');
    expect(vi.logs.by?.name).toBe('Eddie');
    expect(changes).toEqual(['Eddie filtered the logs: id=r-0007']); // the replay marker's text
    const audited = () => readFileSync(join(recordDir, `${host.session}.jsonl`), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { kind: string; action?: string; who?: { name: string }; detail?: string });
    await until(() => audited().some((e) => e.kind === 'logs' && e.action === 'filter'), 'the filter change in the audit log');
    expect(audited().find((e) => e.kind === 'logs' && e.action === 'filter')).toMatchObject({ who: { name: 'Eddie' }, detail: '{"fields":[{"key":"id","value":"r-0007"}]}' });
    const shown = vi.logs.lines;
    expect(shown.every((l) => l.text.includes('"r-0007"') || l.text.includes('request_id=r-0007'))).toBe(true);
    // the host sent those and nothing else for this filter
    expect(vi.linesOnWire().length - before).toBe(21);
    const wire = JSON.stringify(vi.tapped.map((r) => r.msg));
    expect(wire).not.toContain(SECRET);
    expect(shown.at(-1)?.text).toContain('[REDACTED:aws-access-key]');
    // live lines are filtered too
    appendFileSync(appLog, jsonLines(1000, 100));
    await until(() => vi.logs.received === 23, 'two more live matches');
    expect(vi.linesOnWire().length - before).toBe(23);
    // context comes from the source, around the line
    const around = await vi.logs.context(1, shown[0].seq, 2);
    expect(around.map((l) => l.seq)).toEqual([shown[0].seq - 2, shown[0].seq - 1, shown[0].seq, shown[0].seq + 1, shown[0].seq + 2].filter((s) => s >= 1));
    // a pin is shared; a late joiner gets the filter (and who set it), the sources, the pins and the matches
    await ed.logs.pin(1, shown[0].seq, 'first one');
    const late = await joinAs('viewer', 'Late');
    await until(() => late.logs.received === 23 && late.logs.pins.length === 1, 'the late joiner to get the matches and the pin');
    expect(late.logs.by?.name).toBe('Eddie');
    expect(late.logs.pins[0]).toMatchObject({ seq: shown[0].seq, note: 'first one', by: { name: 'Eddie' } });
    expect(late.logs.sources.length).toBe(ed.logs.sources.length);
  });

  it("refuses a viewer's new source and filter, while an editor adds one and restarts a command", async () => {
    const vi = await joinAs('viewer', 'Vic');
    const ed = await joinAs('editor', 'Edna');
    const n = ed.logs.sources.length;
    vi.peer.mesh.host!.send(logsProtocol, { type: 'add-source', req: 1, kind: 'cmd', spec: 'echo sneaky' });
    await until(() => vi.peer.errors.some((e) => e.message === 'Viewers cannot add log sources.'), 'the refusal');
    vi.peer.mesh.host!.send(logsProtocol, { type: 'set-filter', req: 2, filter: { text: 'viewer-was-here' } });
    await until(() => vi.peer.errors.some((e) => e.message.startsWith('Viewers cannot change the shared log filter')), 'the filter refusal');
    expect(ed.logs.filter.text).not.toBe('viewer-was-here');
    await expect(ed.logs.addSource('file', '../../etc/passwd')).rejects.toThrow(/contains ".."/);
    await ed.logs.addSource('cmd', 'echo added-by-editor');
    await until(() => ed.logs.sources.length === n + 1, 'the new source');
    expect(ed.logs.sources.at(-1)?.by?.name).toBe('Edna');
    const cmd = ed.logs.sources.find((s) => s.spec.startsWith('echo from-cmd'))!;
    await ed.logs.restart(cmd.id);
    await until(() => (ed.logs.sources.find((s) => s.id === cmd.id)?.lines ?? 0) >= 2, 'the command to run again');
    // the others keep working
    await ed.logs.setFilter({ text: 'added-by-editor' });
    await until(() => vi.logs.lines.some((l) => l.text === 'added-by-editor'), 'the viewer to see the line');
  });

  it('limits a flood per participant and says how many lines were skipped', async () => {
    const vi = await joinAs('viewer', 'Flo');
    const ed = await joinAs('editor', 'Fred');
    await ed.logs.setFilter({ text: 'flood' });
    appendFileSync(appLog, jsonLines(2000, 5000, ' flood'));
    await until(() => vi.logs.received + vi.logs.skipped === 5000, 'every flood line delivered or counted');
    expect(vi.logs.skipped).toBeGreaterThan(0);
    expect(vi.logs.entries.some((e) => 'skipped' in e)).toBe(true);
  });

  it('turns a catastrophic regex off within its budget while the terminal keeps echoing', async () => {
    const ed = await joinAs('editor', 'Rex');
    const vi = await joinAs('viewer', 'Rita');
    await expect(ed.logs.setFilter({ regex: '(unclosed' })).rejects.toThrow(/Not a valid regular expression/);
    appendFileSync(appLog, Array.from({ length: 3000 }, () => 'a'.repeat(28) + '!').join('\n') + '\n');
    // the host has read them (they are in its history) before the regex comes
    await ed.logs.setFilter({ text: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaa!' });
    await until(() => ed.logs.received >= 500, 'the lines in the history');
    // echo through the shared shell while the regex thread is stuck
    let screen = '';
    ed.peer.terminals.attach(1, { reset: (s) => (screen = s), write: (d, done) => ((screen += new TextDecoder().decode(d)), done()), resize: () => {} });
    const slow = ed.logs.setFilter({ regex: '^(a+)+$' });
    const t0 = Date.now();
    ed.peer.terminals.input(1, 'echo ECHO-$((6*7))\r');
    await until(() => screen.includes('ECHO-42'), 'the echo during the regex');
    const echoMs = Date.now() - t0;
    const err = await slow.then(() => null, (e: LogsError) => e);
    expect(err?.code).toBe('slow-regex');
    await until(() => vi.logs.note !== null && vi.logs.filter.regex === undefined, 'everyone told the regex is off');
    expect(vi.logs.note).toMatch(/took longer than 500 ms/);
    expect(echoMs).toBeLessThan(2000);
  });
});

describe('log flags', () => {
  it('refuses a glob that matches nothing, a bad rate, and --log-docker without docker, saying why', async () => {
    const cases: [string[], RegExp][] = [
      [['--log', 'nothing-here-*.log'], /--log "nothing-here-\*\.log" matches no file/],
      [['--log-rate', 'fast'], /--log-rate must be a number from 1 to 1000000/],
      [['--log-docker', 'web'], /--log-docker needs docker, and it is not installed here/]
    ];
    for (const [args, message] of cases) {
      const p = spawnCli(['host', '--signaling', signalingUrl, '--cwd', cwd, ...args]);
      expect((await p.exited).code).toBe(2);
      expect(p.stderr.join('\n')).toMatch(message);
    }
  });
});
