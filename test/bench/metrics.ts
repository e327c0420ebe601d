// Metrics sampler: the CPU one sample of this box costs the host (every /proc file it reads, the
// busiest processes, the rates), as ms of CPU per second of session at the 1 s interval, side by
// side with one run of `ps` listing the same processes (what a sampler shelling out would pay).
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { Sampler } from '../../host-agent/metrics/sampler.ts';
import { percentile, round, type BenchModule } from './harness.ts';

const SAMPLES = 60;
const PS_RUNS = 10;

export const metricsBench: BenchModule = {
  name: 'metrics',
  keys: ['metrics_sampler_cpu_ms_per_s', 'metrics_sampler_vs_ps_ratio'],
  budgetMs: 60_000,
  async run(ctx) {
    const sampler = new Sampler();
    try {
      sampler.sample();
      const costs: number[] = [];
      for (let i = 0; i < SAMPLES; i++) {
        costs.push(sampler.sample()!.costUs / 1000);
        // let the loop breathe, as the interval timer would
        await new Promise((r) => setImmediate(r));
      }
      const procs = readdirSync('/proc').filter((n) => /^\d+$/.test(n)).length;
      const ps: number[] = [];
      for (let i = 0; i < PS_RUNS; i++) {
        const t = performance.now();
        spawnSync('ps', ['-eo', 'pid,comm,pcpu,rss'], { stdio: 'ignore' });
        ps.push(performance.now() - t);
      }
      const ms = percentile(costs, 50);
      ctx.log(`one sample of ${procs} processes: p50 ${round(ms)} ms CPU, p99 ${round(percentile(costs, 99))} ms (${round((ms / 1000) * 100)}% of one core at 1 Hz); one \`ps\` run: p50 ${round(percentile(ps, 50))} ms`);
      ctx.results.metrics_sampler_cpu_ms_per_s = round(ms);
      ctx.results.metrics_sampler_vs_ps_ratio = round(ms / percentile(ps, 50));
    } finally {
      sampler.dispose();
    }
  }
};
