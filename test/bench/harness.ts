// The benchmark harness's shared parts. Each measurement is a module (`BenchModule`) that run.ts
// calls in turn with one shared context: the browser, the results object that becomes the last
// (JSON) line, and a logger for the readable lines. A module fills in its own keys; a key it
// cannot measure stays null. Product-level modules (echo through the product, throughput to 1 and
// 5 browsers, stalled-peer RSS, join time) plug in the same way and can read the raw figures that
// earlier modules left in `results` to print ratios.
import type { Browser } from 'playwright-core';

export type Results = Record<string, number | null>;

export interface BenchContext {
  /** one Chromium for the whole run (launched by run.ts with test/helpers/browser.ts) */
  browser: Browser;
  results: Results;
  /** prints one readable line, prefixed with the module's name */
  log(line: string): void;
}

export interface BenchModule {
  name: string;
  /** the result keys this module sets (all start as null) */
  keys: readonly string[];
  /** the module is abandoned after this long, ms */
  budgetMs: number;
  run(ctx: BenchContext): Promise<void>;
}

/** The p-th percentile (0–100) of `values`, nearest-rank; NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/** Rounds for the JSON line: 3 decimals below 10, 1 above. */
export function round(x: number): number {
  return Math.abs(x) < 10 ? Math.round(x * 1000) / 1000 : Math.round(x * 10) / 10;
}

/** "p50 0.123 ms, p99 0.456 ms (n=300)" */
export function describeLatency(samples: readonly number[]): string {
  return `p50 ${round(percentile(samples, 50))} ms, p99 ${round(percentile(samples, 99))} ms, max ${round(Math.max(...samples))} ms (n=${samples.length})`;
}

/** Megabytes (10^6 bytes) per second. */
export function mbPerSecond(bytes: number, ms: number): number {
  return bytes / 1e6 / (ms / 1000);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
