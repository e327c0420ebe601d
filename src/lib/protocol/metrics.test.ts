import { describe, expect, it } from 'vitest';
import { CAP } from './frames.ts';
import { metricsProtocol, readMetrics, writeMetrics, type MetricsMessage, type Sample } from './metrics.ts';
import { ProtocolError } from './validate.ts';

const sample: Sample = {
  t: 1_700_000_000_000,
  cpu: 12.5,
  memUsedKb: 1000,
  memTotalKb: 4000,
  swapUsedKb: 0,
  load: [0.5, 0.25, 0.1],
  diskReadBps: 0,
  diskWriteBps: 4096,
  netRxBps: 100.5,
  netTxBps: 50,
  top: [{ pid: 42, name: 'node', cpu: 99.5, rssKb: 51200 }],
  costUs: 800
};
const body = (m: MetricsMessage) => writeMetrics(m).subarray(1);

describe('metrics protocol', () => {
  it('round-trips both messages', () => {
    const msgs: MetricsMessage[] = [
      { type: 'window', intervalMs: 1000, cores: 2, traceId: null, samples: [sample, { ...sample, t: sample.t + 1000 }] },
      { type: 'window', intervalMs: 1000, cores: 2, traceId: 'ab'.repeat(16), samples: [] },
      { type: 'sample', sample },
      { type: 'subscribe' }
    ];
    for (const m of msgs) {
      const wire = writeMetrics(m);
      expect(wire[0]).toBe(CAP.METRICS);
      expect(readMetrics(wire.subarray(1))).toEqual(m);
    }
  });

  it('refuses malformed messages', () => {
    const bad = (b: Uint8Array) => expect(() => readMetrics(b)).toThrow(ProtocolError);
    bad(new Uint8Array([7]));
    bad(body({ type: 'sample', sample: { ...sample, cpu: 101 } }));
    bad(body({ type: 'sample', sample: { ...sample, cpu: NaN } }));
    bad(body({ type: 'sample', sample: { ...sample, load: [1, 2] as never } }));
    bad(body({ type: 'sample', sample: { ...sample, top: Array(6).fill(sample.top[0]) } }));
    bad(body({ type: 'sample', sample: { ...sample, top: [{ ...sample.top[0], name: 'x'.repeat(65) }] } }));
    bad(body({ type: 'window', intervalMs: 1000, cores: 2, traceId: 'not-hex', samples: [] }));
    bad(body({ type: 'window', intervalMs: 1000, cores: 2, traceId: null, samples: Array(601).fill(sample) }));
  });

  it('lets only the host send samples, any guest subscribe, and sends the window on the bulk lane', () => {
    expect(metricsProtocol.rules.subscribe).toEqual({ from: ['owner', 'editor', 'viewer'], to: ['host'] });
    expect(metricsProtocol.rules.sample.from).toEqual(['host']);
    expect(metricsProtocol.rules.window.from).toEqual(['host']);
    expect(metricsProtocol.rules.window.lane).toBe('bulk');
  });
});
