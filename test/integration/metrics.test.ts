/**
 * Live metrics end to end in Node: a real host agent sampling this box's /proc, Node participants
 * over real WebRTC using the product's MetricsClient. A late joiner gets the recent window at once,
 * then live samples; a guest that forges samples is ignored by the others, who keep receiving the
 * host's.
 */
import { describe, expect, it } from 'vitest';
import { metricsProtocol, type Sample } from '../../src/lib/protocol/metrics.ts';
import { MetricsClient } from '../../src/lib/metrics/metrics-client.ts';
import { useStack } from '../helpers/stack.ts';
import { until } from '../helpers/wait.ts';

const stack = useStack();

async function join(role: 'editor' | 'viewer', name: string) {
  const peer = await stack.join(role, name);
  const metrics = new MetricsClient(peer.mesh);
  // how many samples the first update held: the window, all at once
  const first = { count: -1 };
  const sub = metrics.changed.on((st) => (sub.dispose(), (first.count = st.samples.length)));
  await peer.peer('host');
  return { peer, metrics, first };
}


describe('metrics', () => {
  it('sends a late joiner the recent window, then live samples', async () => {
    const first = await join('viewer', 'Early');
    await until(() => first.metrics.state.samples.length >= 3, 'three samples at the first peer', 15_000);
    const late = await join('editor', 'Late');
    // the window arrives in one message: several samples at once, not one by one
    await until(() => late.first.count >= 0, 'the window at the late joiner', 15_000);
    expect(late.first.count).toBeGreaterThanOrEqual(3);
    const had = late.metrics.state.samples.at(-1)!.t;
    await until(() => late.metrics.state.samples.at(-1)!.t > had, 'a live sample after the window', 15_000);
    const s = late.metrics.state;
    expect(s.cores).toBeGreaterThanOrEqual(1);
    expect(s.intervalMs).toBe(1000);
    expect(s.traceId).toBeNull();
    const times = s.samples.map((x) => x.t);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(new Set(times).size).toBe(times.length);
    expect(s.samples.at(-1)!.memTotalKb).toBeGreaterThan(0);
  });

  it("ignores a guest's forged samples while the host's keep coming", async () => {
    const forger = await join('editor', 'Mallory');
    const honest = await join('viewer', 'Honest');
    await until(() => honest.metrics.state.samples.length >= 1, 'the window');
    const other = await forger.peer.peer('viewer');
    const forged: Sample = { ...honest.metrics.state.samples.at(-1)!, t: Date.now() + 60_000, cpu: 99.9 };
    other.send(metricsProtocol, { type: 'sample', sample: forged });
    // and to the host, which acts on nothing a guest sends here
    (await forger.peer.peer('host')).send(metricsProtocol, { type: 'sample', sample: forged });
    const had = honest.metrics.state.samples.at(-1)!.t;
    await until(() => honest.metrics.state.samples.at(-1)!.t > had, 'a new sample from the host', 15_000);
    expect(honest.metrics.state.samples.some((x) => x.t === forged.t)).toBe(false);
    const late = await join('viewer', 'Later');
    await until(() => late.metrics.state.samples.length >= 1, 'the window');
    expect(late.metrics.state.samples.some((x) => x.t === forged.t)).toBe(false);
    // subscribing again does not make the host send its window again
    const windows: number[] = [];
    late.peer.mesh.router.tapped.on((r) => r.capability === 'metrics' && r.msg.type === 'window' && windows.push(1));
    const host = await late.peer.peer('host');
    for (let i = 0; i < 5; i++) host.send(metricsProtocol, { type: 'subscribe' });
    const seen = late.metrics.state.samples.at(-1)!.t;
    await until(() => late.metrics.state.samples.at(-1)!.t > seen, 'the next sample', 15_000);
    expect(windows).toEqual([]);
  });
});
