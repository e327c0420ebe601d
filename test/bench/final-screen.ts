// Time to the final screen: an editor presses Enter on a command with a lot of output, and every
// page — the editor's, a viewer's, and a viewer whose page gets 1/4 of a core (a cgroup quota on its
// renderer, slow-page.ts) — shows the end of it: the end marker parsed by its xterm, live or inside a
// resync snapshot (page-probe.ts). The limit beside it: the same command read by node-pty alone,
// same run. Every page's console is watched for xterm's "write data discarded" (xterm_discards,
// goal 0). Three commands, ROUNDS rounds each; p50 and spread reported.
import { percentile, round, sleep, type BenchContext, type BenchModule } from './harness.ts';
import { END_MARKER, PAYLOAD_COMMAND, runInPty } from './payload.ts';
import { COMMAND_SHELL, ProductSession, type Peer, type ProbeWindow } from './product.ts';
import { processCpuMs, RendererCpu } from './cpu.ts';
import { openSlowPeer } from './slow-page.ts';

const ROUNDS = 3;
/** Chromium's CPU throttling of the slow page (1 = none). */
const SLOW_PAGE_CPU_RATE = 4;
const MARKER_SUFFIX = `; printf 'BENCH-%s\\n' END`;
const COMMANDS = {
  '50mb': PAYLOAD_COMMAND,
  seq: `seq 1 200000${MARKER_SUFFIX}`,
  '150mb': `yes ${'0123456789abcdefghijklmnopqrstuvwxyz'.repeat(2)} | head -c ${150 * 1024 * 1024}${MARKER_SUFFIX}`
} as const;
/** Longest wait for every page's final screen, ms. */
const FINAL_TIMEOUT_MS = 60_000;

interface PageResult {
  name: string;
  /** Enter → final screen, ms (null: not within FINAL_TIMEOUT_MS) */
  ms: number | null;
  resets: number;
}

async function runOnce(editor: Peer, pages: { name: string; peer: Peer }[], command: string): Promise<PageResult[]> {
  await Promise.all(pages.map((p) => p.peer.page.evaluate((m) => (window as unknown as ProbeWindow).__probe.arm(m), END_MARKER)));
  const t0 = Date.now();
  await editor.page.evaluate((cmd) => {
    const s = (window as unknown as { __liveSessions: { terminals: { id: number }[]; input(id: number, d: string): void } }).__liveSessions;
    s.input(s.terminals[0].id, cmd + '\r');
  }, command);
  return Promise.all(
    pages.map(async ({ name, peer }) => {
      const ok = await peer.page
        .waitForFunction(() => ((window as unknown as ProbeWindow).__probe.flow?.doneAt ?? 0) > 0, null, { timeout: FINAL_TIMEOUT_MS, polling: 50 })
        .then(() => true)
        .catch(() => false);
      const f = await peer.page.evaluate(() => (window as unknown as ProbeWindow).__probe.flow!);
      return { name, ms: ok ? f.doneAt - t0 : null, resets: f.resets };
    })
  );
}

const spread = (v: number[]) => `p50 ${round(percentile(v, 50))}, min ${round(Math.min(...v))}, max ${round(Math.max(...v))}`;

/** One product under test: its session and the pages watching it. */
interface Variant {
  label: string;
  session: ProductSession;
  editor: Peer;
  pages: { name: string; peer: Peer }[];
  dispose(): Promise<void>;
}

async function openVariant(ctx: BenchContext, label: string, cli: string | undefined, onDiscard: () => void): Promise<Variant> {
  const session = await ProductSession.start(COMMAND_SHELL, [], undefined, cli);
  try {
    const editor = await session.openPeer(ctx.browser, 'editor', 'Editor');
    const viewer = await session.openPeer(ctx.browser, 'viewer', 'Viewer');
    const throttled = await openSlowPeer(ctx.browser, () => session.openPeer(ctx.browser, 'viewer', 'Slow'), SLOW_PAGE_CPU_RATE);
    const slow = throttled.peer;
    ctx.log(`${label}: the slow page: ${throttled.how}`);
    const pages = [
      { name: 'editor', peer: editor },
      { name: 'viewer', peer: viewer },
      { name: `viewer at 1/${SLOW_PAGE_CPU_RATE} CPU`, peer: slow }
    ];
    for (const { peer } of pages) {
      peer.page.on('console', (m) => /write data discarded/i.test(m.text()) && onDiscard());
      peer.page.on('pageerror', (e) => /write data discarded/i.test(e.message) && onDiscard());
    }
    return {
      label,
      session,
      editor,
      pages,
      dispose: async () => {
        throttled.dispose();
        await session.dispose();
      }
    };
  } catch (err) {
    await session.dispose();
    throw err;
  }
}

/** BENCH_FINAL_COMMANDS=50mb,seq runs only those commands. */
const ONLY_COMMANDS = process.env.BENCH_FINAL_COMMANDS?.split(',');
/** BENCH_ROUNDS=5: more rounds for a tighter spread. */
const ROUNDS_RUN = Number(process.env.BENCH_ROUNDS) || ROUNDS;
/** BENCH_COMPARE=/path/to/other/checkout (built): its programs run beside ours, alternating which
 *  goes first each round, so a change is measured before/after in the same run and the same load. */
const COMPARE = process.env.BENCH_COMPARE;

export const finalScreen: BenchModule = {
  name: 'final-screen',
  keys: ['raw_pty_50mb_ms', 'final_screen_50mb_ms', 'final_screen_50mb_ratio', 'raw_pty_seq_ms', 'final_screen_seq_ms', 'raw_pty_150mb_ms', 'final_screen_150mb_ms', 'xterm_discards'],
  budgetMs: 420_000 * (COMPARE ? 2 : 1),
  async run(ctx: BenchContext) {
    const r = ctx.results;
    let discards = 0;
    const failed: string[] = [];
    const variants: Variant[] = [];
    try {
      variants.push(await openVariant(ctx, 'ours', undefined, () => discards++));
      if (COMPARE) variants.push(await openVariant(ctx, `compare (${COMPARE})`, `${COMPARE}/bin/live-sessions.js`, () => discards++));
      const renderers = await RendererCpu.open(ctx.browser);
      for (const [label, command] of Object.entries(COMMANDS)) {
        if (ONLY_COMMANDS && !ONLY_COMMANDS.includes(label)) continue;
        const raw: number[] = [];
        const finals = new Map<Variant, number[]>(variants.map((v) => [v, []]));
        const cpus = new Map<Variant, { host: number[]; pages: number[] }>(variants.map((v) => [v, { host: [], pages: [] }]));
        const gaveUp = new Set<Variant>();
        for (let i = 0; i < ROUNDS_RUN; i++) {
          const t = performance.now();
          const run = await runInPty(FINAL_TIMEOUT_MS, command);
          raw.push(performance.now() - t);
          ctx.log(`${label} round ${i + 1}: raw PTY ${Math.round(raw[i])} ms (${round(run.bytes / 1e6)} MB)`);
          // alternate which product goes first, so neither always runs right after the raw PTY
          const order = i % 2 ? [...variants].reverse() : variants;
          for (const v of order) {
            if (gaveUp.has(v)) continue;
            const host0 = processCpuMs(v.session.host.process.pid);
            const pages0 = await renderers.ms();
            const res = await runOnce(v.editor, v.pages, command);
            const hostCpu = processCpuMs(v.session.host.process.pid) - host0;
            const pagesCpu = (await renderers.ms()) - pages0;
            cpus.get(v)!.host.push(hostCpu);
            cpus.get(v)!.pages.push(pagesCpu);
            ctx.log(
              `  ${v.label}: Enter → final screen ${res.map((p) => `${p.name} ${p.ms ?? `> ${FINAL_TIMEOUT_MS}`} ms (${p.resets} snapshots)`).join(', ')}; CPU: host ${Math.round(hostCpu)} ms, pages ${Math.round(pagesCpu)} ms`
            );
            const missing = res.filter((p) => p.ms === null);
            if (missing.length) {
              failed.push(`${label} (${v.label}): ${missing.map((p) => p.name).join(', ')} showed no final screen within ${FINAL_TIMEOUT_MS} ms`);
              gaveUp.add(v); // its key stays null; the other commands still run
              continue;
            }
            finals.get(v)!.push(Math.max(...res.map((p) => p.ms!)));
            await sleep(500);
          }
        }
        r[`raw_pty_${label}_ms`] = round(percentile(raw, 50));
        for (const v of variants) {
          const f = finals.get(v)!;
          if (f.length < ROUNDS_RUN) continue;
          if (v === variants[0]) r[`final_screen_${label}_ms`] = round(percentile(f, 50));
          const c = cpus.get(v)!;
          ctx.log(`${label} (${v.label}): Enter → final screen on every page, ms: ${spread(f)}; raw PTY ${spread(raw)}; CPU ms host ${spread(c.host)}, pages ${spread(c.pages)}`);
        }
      }
      if (r.final_screen_50mb_ms != null && r.raw_pty_50mb_ms != null) {
        r.final_screen_50mb_ratio = round(r.final_screen_50mb_ms / r.raw_pty_50mb_ms);
        ctx.log(`final_screen_50mb_ratio = ${r.final_screen_50mb_ms} / raw PTY ${r.raw_pty_50mb_ms} = ${r.final_screen_50mb_ratio} (goal < 1.5 plus one snapshot)`);
      }
      if (failed.length) throw new Error(failed.join('; '));
    } finally {
      r.xterm_discards = discards;
      ctx.log(`xterm "write data discarded" on any page: ${discards} (goal 0)`);
      await Promise.all(variants.map((v) => v.dispose()));
    }
  }
};
