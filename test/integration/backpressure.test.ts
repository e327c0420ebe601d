/**
 * A stalled peer (a real process, frozen with SIGSTOP) must not grow the host's memory without
 * bound nor slow the others; when it wakes up it is resynchronised. A peer that loses its
 * connection resumes its terminal without gaps or duplicates.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_PEER_BACKLOG_BYTES } from '../../host-agent/terminals/hub.ts';
import { spawnProcess, stopAll } from '../helpers/processes.ts';
import { useStack } from '../helpers/stack.ts';
import { nextEvent } from '../helpers/wait.ts';

const stack = useStack();

afterAll(async () => {
  await stopAll();
});

describe('backpressure and resume', () => {
  it('keeps a stalled peer bounded, serves the others, and resynchronises it when it wakes', async () => {
    const { invite, key } = stack.link('viewer');
    const term = stack.agent.terminals.list()[0].id;
    const child = spawnProcess(process.execPath, ['test/helpers/peer-process.ts', stack.server.url, stack.agent.session, invite, key, String(term)]);
    await child.waitForLine(/"ready":true/, 30_000);
    const { t: editor, type } = await stack.follow('editor', 'Eve');
    const stalledId = () => stack.agent.mesh.peers.find((p) => p.claims.name === 'Stalled Steve')!;
    process.kill(child.pid!, 'SIGSTOP');
    const rss0 = process.memoryUsage().rss;
    let maxBacklog = 0;
    let maxRss = rss0;
    const sample = setInterval(() => {
      maxBacklog = Math.max(maxBacklog, stalledId()?.backlog ?? 0);
      maxRss = Math.max(maxRss, process.memoryUsage().rss);
    }, 50);
    try {
      type('yes 0123456789abcdefghijklmnopqrstuvwxyz | head -c 12000000; echo; echo END-$((6*7))\r');
      await editor.waitFor(/END-42/, 60_000);
    } finally {
      clearInterval(sample);
      process.kill(child.pid!, 'SIGCONT');
    }
    // 12 MB went to the editor; the frozen peer's backlog stayed near the bound (in fact far below:
    // it stopped acknowledging parsed output, so the host stopped after PAGE_HIGH_WATER_BYTES)
    expect(maxBacklog).toBeLessThan(MAX_PEER_BACKLOG_BYTES + 1024 * 1024);
    expect(maxRss - rss0).toBeLessThan(200 * 1024 * 1024);
    // awake again: it catches up to the end of the output
    await child.waitForLine(/END-42/, 30_000);
    // brought back with a snapshot: by its page-side flow control (it stopped acknowledging) or its connection
    expect(stack.agent.hub.stats.resyncs + stack.agent.hub.stats.pageResyncs).toBeGreaterThan(0);
  });

  it('resumes a terminal after a dropped connection without gaps or duplicates', async () => {
    const { p, t, type } = await stack.follow('editor', 'Rita');
    const host = await p.peer('host');
    type('for i in $(seq 1 150); do echo L$i-x; sleep 0.01; done; echo LOOP-$((2+3))\r');
    await t.waitFor(/L20-x/);
    const t0 = Date.now();
    const back = nextEvent(p.mesh.peerJoined.on, (h) => h.claims.role === 'host' && h !== host, 'a new connection to the host', 20_000);
    host.close({ kind: 'lost', detail: 'test dropped it' });
    await back;
    console.log(`reconnected in ${Date.now() - t0} ms`);
    await t.waitFor(/LOOP-5/, 20_000);
    const lines = [...t.text.matchAll(/L(\d+)-x/g)].map((m) => Number(m[1]));
    expect(lines).toEqual(Array.from({ length: 150 }, (_, i) => i + 1));
    // resumed from the ring buffer: no second snapshot
    expect(t.snapshots.map((s) => s.length > 0)).toEqual([true]);
  });
});
