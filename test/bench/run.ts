// `npm run bench`: runs every benchmark module in turn inside the network namespace (see
// scripts/netns.sh), prints readable lines, and as its LAST line one JSON object with every key.
// Bounded: each module has a time budget; a module that fails or overruns leaves its keys null
// and makes the exit code 1. Not part of `npm test`.
import ndc from 'node-datachannel';
import { launchBrowser } from '../helpers/browser.ts';
import type { BenchContext, BenchModule, Results } from './harness.ts';
import { rawDc } from './raw-dc.ts';
import { lanesBench } from './lanes.ts';
import { rawPty } from './raw-pty.ts';
import { echo } from './echo.ts';
import { throughput } from './throughput.ts';
import { join } from './join.ts';
import { pageEcho } from './page-echo.ts';
import { finalScreen } from './final-screen.ts';
import { attack } from './attack.ts';
import { signal } from './signal.ts';
import { editorBench } from './editor.ts';
import { editorFileBench } from './editor-file.ts';
import { envBench } from './env.ts';
import { replayBench } from './replay.ts';
import { logsBench } from './logs.ts';
import { metricsBench } from './metrics.ts';
import { recordingBench } from './recording.ts';
import { replayLiveBench } from './replay-live.ts';
import { peers } from './peers.ts';
import { turnBench } from './turn.ts';
import { wanEcho } from './wan-echo.ts';

/** In order: the physical limits first, so later (product) modules can print ratios to them. */
const ALL: BenchModule[] = [rawPty, rawDc, lanesBench, pageEcho, echo, throughput, finalScreen, join, attack, editorBench, editorFileBench, envBench, replayBench, signal, logsBench, metricsBench, recordingBench, replayLiveBench, peers, turnBench];
ALL.push(wanEcho);
/** BENCH_ONLY=echo,join runs only those modules (while working on one; ratios then stay null). */
const only = process.env.BENCH_ONLY?.split(',');
const MODULES = only ? ALL.filter((m) => only.includes(m.name)) : ALL;

async function main(): Promise<number> {
  const results: Results = {};
  for (const m of MODULES) for (const k of m.keys) results[k] = null;
  let failures = 0;
  const t0 = performance.now();
  const browser = await launchBrowser();
  try {
    for (const m of MODULES) {
      const ctx: BenchContext = { browser, results, log: (line) => console.log(`[${m.name}] ${line}`) };
      let timer: NodeJS.Timeout | undefined;
      const overrun = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`did not finish within its ${m.budgetMs / 1000} s budget`)), m.budgetMs);
      });
      const started = performance.now();
      try {
        await Promise.race([m.run(ctx), overrun]);
        ctx.log(`done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      } catch (err) {
        failures++;
        ctx.log(`FAILED: ${(err as Error).message}`);
      } finally {
        clearTimeout(timer);
      }
    }
  } finally {
    await browser.close();
    // Without this, node-datachannel's threads can keep the process alive (one run in eleven hung).
    ndc.cleanup();
  }
  console.log(`[bench] ${MODULES.length} modules in ${((performance.now() - t0) / 1000).toFixed(1)} s, ${failures} failed`);
  console.log(JSON.stringify(results));
  return failures ? 1 : 0;
}

// Exit explicitly: a module abandoned on its budget may still hold handles.
process.exit(await main());
