/**
 * Live metrics of the host's box (capability byte CAP.METRICS): the host samples CPU, memory, load,
 * disk and network I/O and the busiest processes once a second into a bounded ring. A participant
 * that joins gets the recent window, then every new sample. Guests send nothing on this capability.
 *
 *   window [0] {intervalMs, cores, traceId, samples: Sample[]}   host → guests, on join (bulk)
 *   sample [1] {sample: Sample}                                  host → guests, every interval
 *
 * The window travels on the bulk lane (up to MAX_WINDOW samples, ~200 KiB) so it never holds up
 * keystrokes; a sample may therefore arrive before the window it follows, and the client merges
 * by time. `traceId` is the session's OpenTelemetry trace when the host exports one (else null),
 * so the page can link to it.
 */
import { GUESTS, HOST, readJson, typeOf, writeJson, type Protocol, type Rules } from './capability.ts';
import { CAP } from './frames.ts';
import { fail, int, obj, str, type Obj } from './validate.ts';

/** Samples a window holds at most: 10 minutes at one a second. */
export const MAX_WINDOW = 600;
/** Busiest processes a sample names. */
export const MAX_TOP = 5;
/** Longest process name kept (the kernel's `comm` is at most 15). */
export const MAX_PROC_NAME_CHARS = 64;

/** A process that was busy during the interval. */
export interface TopProcess {
  pid: number;
  name: string;
  /** % of one core during the interval */
  cpu: number;
  rssKb: number;
}

export interface Sample {
  /** end of the interval, ms since the epoch on the host's clock */
  t: number;
  /** % of all cores busy during the interval, 0–100 */
  cpu: number;
  memUsedKb: number;
  memTotalKb: number;
  swapUsedKb: number;
  /** 1, 5 and 15 minute load averages */
  load: [number, number, number];
  /** bytes a second, whole disks (not partitions) */
  diskReadBps: number;
  diskWriteBps: number;
  /** bytes a second, every interface but loopback */
  netRxBps: number;
  netTxBps: number;
  /** busiest first */
  top: TopProcess[];
  /** CPU time the sampler itself spent on this sample, µs (what watching costs the box) */
  costUs: number;
}

export type MetricsDown =
  | { type: 'window'; intervalMs: number; cores: number; traceId: string | null; samples: Sample[] }
  | { type: 'sample'; sample: Sample };
export type MetricsUp = { type: 'subscribe' };
export type MetricsMessage = MetricsDown | MetricsUp;

const TYPES = ['window', 'sample', 'subscribe'] as const satisfies readonly MetricsMessage['type'][];
const MAX_TIME = 8.64e15;
const MAX_QTY = Number.MAX_SAFE_INTEGER;

/** A finite number in [min, max]. */
function num(o: Obj, key: string, min: number, max: number): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) fail(`"${key}" must be a number from ${min} to ${max}`);
  return v;
}

function top(v: unknown): TopProcess {
  const o = obj(v, 'process');
  return { pid: int(o, 'pid', 0, 2 ** 31), name: str(o, 'name', MAX_PROC_NAME_CHARS), cpu: num(o, 'cpu', 0, 100 * 4096), rssKb: num(o, 'rssKb', 0, MAX_QTY) };
}

function sample(v: unknown): Sample {
  const o = obj(v, 'sample');
  const load = o.load;
  if (!Array.isArray(load) || load.length !== 3 || load.some((x) => typeof x !== 'number' || !Number.isFinite(x) || x < 0)) fail('"load" must be three numbers');
  if (!Array.isArray(o.top) || o.top.length > MAX_TOP) fail(`"top" must be a list of at most ${MAX_TOP}`);
  return {
    t: int(o, 't', 0, MAX_TIME),
    cpu: num(o, 'cpu', 0, 100),
    memUsedKb: num(o, 'memUsedKb', 0, MAX_QTY),
    memTotalKb: num(o, 'memTotalKb', 0, MAX_QTY),
    swapUsedKb: num(o, 'swapUsedKb', 0, MAX_QTY),
    load: load as [number, number, number],
    diskReadBps: num(o, 'diskReadBps', 0, MAX_QTY),
    diskWriteBps: num(o, 'diskWriteBps', 0, MAX_QTY),
    netRxBps: num(o, 'netRxBps', 0, MAX_QTY),
    netTxBps: num(o, 'netTxBps', 0, MAX_QTY),
    top: o.top.map(top),
    costUs: num(o, 'costUs', 0, MAX_QTY)
  };
}

export function writeMetrics(m: MetricsMessage): Uint8Array {
  const { type, ...fields } = m;
  return writeJson(CAP.METRICS, TYPES.indexOf(type), fields);
}

export function readMetrics(body: Uint8Array): MetricsMessage {
  const type = typeOf(body, TYPES, 'metrics');
  const o = readJson(body);
  switch (type) {
    case 'window': {
      if (!Array.isArray(o.samples) || o.samples.length > MAX_WINDOW) fail(`"samples" must hold at most ${MAX_WINDOW}`);
      const traceId = o.traceId === null ? null : str(o, 'traceId', 32);
      if (traceId !== null && !/^[0-9a-f]{32}$/.test(traceId)) fail('"traceId" must be 32 lowercase hex digits');
      return { type, intervalMs: int(o, 'intervalMs', 100, 60_000), cores: int(o, 'cores', 1, 4096), traceId, samples: o.samples.map(sample) };
    }
    case 'sample':
      return { type, sample: sample(o.sample) };
    case 'subscribe':
      return { type };
  }
}

const fromHost = { from: HOST, to: GUESTS };
export const METRICS_RULES: Rules<MetricsMessage> = { window: { ...fromHost, lane: 'bulk' }, sample: fromHost, subscribe: { from: GUESTS, to: HOST } };

export const metricsProtocol: Protocol<MetricsUp, MetricsDown> = {
  cap: CAP.METRICS,
  name: 'metrics',
  write: writeMetrics,
  read: readMetrics,
  rules: METRICS_RULES
};
