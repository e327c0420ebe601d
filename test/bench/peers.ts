// Other web terminals, measured beside ours in the same run, the same Chromium and viewport, with
// the same shell scripts: shellinabox (Debian), WeTTY 3.2.0, gritty 10.1 and ghostty-web 0.4's
// demo, installed by peers-install.sh into a temporary folder (never project dependencies), each
// run on 127.0.0.1 inside the bench's network namespace on a free port, in rotating order. What is
// timed in their pages: see peer-probe.ts. A peer that cannot install or start is reported and
// skipped; the others still run. Keys: peer_<name>_{echo_p50,echo_p99,final_screen_50mb,
// final_screen_seq,join_p50}_ms, and ours / the best peer's for each (`*_ratio_vs_best_peer`), from
// our own modules' figures of the same run (echo, final-screen, join).
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join as pathJoin } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { spawnProcess, type ManagedProcess } from '../helpers/processes.ts';
import { makeTempDir } from '../helpers/tmp.ts';
import { percentile, round, type BenchContext, type BenchModule } from './harness.ts';
import { END_MARKER, PAYLOAD_COMMAND } from './payload.ts';
import { installPeerProbe, type PeerProbe } from './peer-probe.ts';
import { COMMAND_SHELL, ECHO_SHELL } from './product.ts';

/** Where the peers are installed (temporary; reused by later runs on the same machine). */
const PEERS_DIR = process.env.BENCH_PEERS_DIR ?? '/tmp/live-sessions-peers';
const NODE = '/usr/bin/node';
const ROUNDS = Number(process.env.BENCH_ROUNDS) || 3;
const KEYS = 60;
const WARMUP = 5;
const ECHO_TIMEOUT_MS = 3_000;
const FINAL_TIMEOUT_MS = 60_000;
const READY_TIMEOUT_MS = 20_000;
const SEQ_COMMAND = `seq 1 200000; printf 'BENCH-%s\\n' END`;
/** BENCH_PEERS=shellinabox,wetty measures only those (while working on one). */
const ONLY = process.env.BENCH_PEERS?.split(',');

interface Running {
  url: string;
  proc: ManagedProcess;
}
interface PeerSpec {
  name: string;
  start(script: string, port: number, dir: string): Running;
}

const bin = (pkg: string, rel: string) => pathJoin(PEERS_DIR, pkg, 'node_modules', rel);

const PEERS: PeerSpec[] = [
  {
    name: 'shellinabox',
    start: (script, port, dir) => ({
      url: `http://127.0.0.1:${port}/`,
      proc: spawnProcess('shellinaboxd', ['-t', '--localhost-only', '-p', String(port), '-s', `/:root:root:${dir}:${script}`, '--no-beep'])
    })
  },
  {
    name: 'wetty',
    // as root with a local --ssh-host and --command it runs the command in a local PTY
    start: (script, port) => ({
      // without an explicit base, /wetty/ redirects to /wetty, which answers 404
      url: `http://127.0.0.1:${port}/wetty`,
      proc: spawnProcess(NODE, [bin('wetty', 'wetty/build/main.js'), '--host', '127.0.0.1', '-p', String(port), '-b', '/wetty/', '--ssh-host', 'localhost', '--command', script])
    })
  },
  {
    name: 'gritty',
    start: (script, port) => ({
      url: `http://127.0.0.1:${port}/`,
      proc: spawnProcess(NODE, [bin('gritty', 'gritty/bin/gritty.js'), '--port', String(port), '--command', script, '--no-auto-restart'])
    })
  },
  {
    name: 'ghostty-web',
    start: (script, port, dir) => {
      // its demo listens on every interface and has no option for that: a copy that listens on 127.0.0.1
      const demo = bin('ghostty-web', '@ghostty-web/demo/bin/demo.js');
      const local = demo.replace(/demo\.js$/, 'demo-local.js');
      if (!existsSync(local)) writeFileSync(local, readFileSync(demo, 'utf8').replace('httpServer.listen(HTTP_PORT,', "httpServer.listen(HTTP_PORT, '127.0.0.1',"));
      return { url: `http://127.0.0.1:${port}/`, proc: spawnProcess(NODE, [local], { env: { PORT: String(port), SHELL: script, HOME: dir } }) };
    }
  }
];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function startPeer(spec: PeerSpec, shell: string): Promise<Running> {
  const dir = makeTempDir(`live-sessions-peer-${spec.name}-`);
  const script = pathJoin(dir, 'shell.sh');
  writeFileSync(script, shell);
  chmodSync(script, 0o755);
  const r = spec.start(script, await freePort(), dir);
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    const ok = await fetch(r.url).then((res) => res.ok, () => false);
    if (ok) return r;
    if (r.proc.exitInfo || Date.now() > deadline) {
      await r.proc.stop();
      throw new Error(`${spec.name} did not answer at ${r.url}: ${[...r.proc.stdout, ...r.proc.stderr].slice(-5).join(' | ')}`);
    }
    await new Promise((res) => setTimeout(res, 100));
  }
}

type ProbeWin = { __peerProbe: PeerProbe };

/** Opens the peer's page; resolves with the page and ms from its navigation start to the first
 *  terminal output shown (the command shell's prompt). */
async function open(ctx: BenchContext, url: string): Promise<{ page: Page; joinMs: number; close: () => Promise<void> }> {
  const context = await ctx.browser.newContext({ viewport: { width: 1280, height: 720 } });
  await context.addInitScript(installPeerProbe);
  const page = await context.newPage();
  await page.goto(url);
  // from the navigation start, as ours (join.ts)
  const joinMs = await page
    .waitForFunction(() => (window as unknown as ProbeWin).__peerProbe.firstOutputAt, null, { timeout: READY_TIMEOUT_MS, polling: 'raf' })
    .then((h) => h.jsonValue() as Promise<number>)
    .then((at) => page.evaluate((t) => t - performance.timeOrigin, at));
  await focusTerminal(page);
  return { page, joinMs, close: () => context.close() };
}

/** A click in the middle; where that focuses nothing or a frame (shellinabox), its text input (`click`
 *  false: only that, for a page whose script had not made its input yet at the first try). */
async function focusTerminal(page: Page, click = true): Promise<void> {
  if (click) await page.mouse.click(640, 360);
  await page.evaluate(() => {
    // (an early click can land in shellinabox's on-screen keyboard frame, which takes no keys)
    const active = document.activeElement;
    if (active && active !== document.body && active.tagName !== 'IFRAME') return;
    (document.querySelector('textarea, input[type=text], input:not([type])') as HTMLElement | null)?.focus();
  });
}

/** Until a key's echo comes back: the echo shell prints nothing, so its page cannot tell when it is connected. */
async function connected(page: Page): Promise<void> {
  for (let i = 0; i < 40; i++) {
    // shellinabox makes its text input only once its script ran: focused on a later try
    await focusTerminal(page, false);
    const echoed = page.evaluate((ms) => (window as unknown as ProbeWin).__peerProbe.waitFor('z', ms).then(() => true, () => false), 500);
    await page.keyboard.press('z');
    if (await echoed) return;
  }
  throw new Error('no echo of a key within 20 s');
}

async function echoes(page: Page): Promise<number[]> {
  await connected(page);
  const out: number[] = [];
  for (let i = 0; i < WARMUP + KEYS; i++) {
    const key = String.fromCharCode(97 + (i % 26));
    await page.evaluate(([k, ms]) => {
      const p = (window as unknown as ProbeWin).__peerProbe;
      const t = { down: 0, echoed: p.waitFor(k, ms) };
      addEventListener('keydown', () => (t.down ||= performance.now()), { capture: true, once: true });
      (window as unknown as { __echo: typeof t }).__echo = t;
    }, [key, ECHO_TIMEOUT_MS] as const);
    await page.keyboard.down(key);
    const ms = await page.evaluate(async () => {
      const t = (window as unknown as { __echo: { down: number; echoed: Promise<number> } }).__echo;
      return (await t.echoed) - t.down;
    });
    await page.keyboard.up(key);
    if (i >= WARMUP) out.push(ms);
  }
  return out;
}

/** Types `command`, presses Enter; ms from Enter to the end marker shown. */
async function finalScreen(page: Page, command: string): Promise<number | null> {
  // Keys typed before a page passes them on are lost: a command cut short ran something else
  // (WeTTY's seq "done" in 22 ms: only its printf ran; gritty's marker never came). So: a key's
  // echo first, the line cleared (bash: Ctrl+U), and Enter once the command's end is echoed (or 3 s).
  await connected(page);
  await page.keyboard.press('Control+U');
  const typed = page.evaluate(([t, ms]) => (window as unknown as ProbeWin).__peerProbe.waitFor(t, ms), [command.slice(-16), ECHO_TIMEOUT_MS] as const)
    // gritty's echo of the typed line never showed its end as one text: waited for, not required
    .catch(() => {});
  await page.keyboard.type(command);
  await typed;
  await page.evaluate(([m, ms]) => {
    const p = (window as unknown as ProbeWin).__peerProbe;
    const w = window as unknown as { __final: { t0: number; done: Promise<number | null> } };
    w.__final = { t0: 0, done: p.waitFor(m, ms).catch(() => null) };
    addEventListener('keydown', () => (w.__final.t0 ||= performance.now()), { capture: true, once: true });
  }, [END_MARKER, FINAL_TIMEOUT_MS] as const);
  await page.keyboard.press('Enter');
  return page.evaluate(async () => {
    const f = (window as unknown as { __final: { t0: number; done: Promise<number | null> } }).__final;
    const at = await f.done;
    return at === null ? null : at - f.t0;
  });
}

/** A final screen faster than the raw PTY ran the same command in this run (final-screen
 *  module) saw its end marker too early: reported and left out rather than flattering a peer. */
function real(ctx: BenchContext, name: string, what: string, ms: number | null, rawMs: number | null | undefined): number | null {
  if (ms === null || rawMs == null || ms >= rawMs) return ms;
  ctx.log(`${name} ${what}: end marker seen after ${Math.round(ms)} ms, before the raw PTY's ${Math.round(rawMs)} ms: a false match, left out`);
  return null;
}

const KEYS_OF = (n: string) => [`peer_${n}_echo_p50_ms`, `peer_${n}_echo_p99_ms`, `peer_${n}_final_screen_50mb_ms`, `peer_${n}_final_screen_seq_ms`, `peer_${n}_join_p50_ms`];
const RATIOS: [string, string, string][] = [
  ['echo_p50_ratio_vs_best_peer', 'echo_p50_ms', 'echo_p50_ms'],
  ['echo_p99_ratio_vs_best_peer', 'echo_p99_ms', 'echo_p99_ms'],
  ['final_screen_50mb_ratio_vs_best_peer', 'final_screen_50mb_ms', 'final_screen_50mb_ms'],
  ['final_screen_seq_ratio_vs_best_peer', 'final_screen_seq_ms', 'final_screen_seq_ms'],
  ['join_ratio_vs_best_peer', 'join_first_frame_ms', 'join_p50_ms']
];

export const peers: BenchModule = {
  name: 'peers',
  keys: [...PEERS.flatMap((p) => KEYS_OF(p.name)), ...RATIOS.map(([k]) => k)],
  budgetMs: 900_000,
  async run(ctx: BenchContext) {
    const r = ctx.results;
    const install = execFileSync('bash', [fileURLToPath(new URL('./peers-install.sh', import.meta.url)), PEERS_DIR], { encoding: 'utf8', timeout: 600_000 });
    const ready = new Set<string>();
    for (const line of install.trim().split('\n')) {
      ctx.log(`install: ${line}`);
      const m = /^ok (\S+)/.exec(line);
      if (m) ready.add(m[1]);
    }
    const samples = new Map<string, { echo: number[]; final50: number[]; finalSeq: number[]; join: number[]; gaveUp50: boolean }>();
    const specs = PEERS.filter((p) => ready.has(p.name) && (!ONLY || ONLY.includes(p.name)));
    for (const p of specs) samples.set(p.name, { echo: [], final50: [], finalSeq: [], join: [], gaveUp50: false });
    for (let rnd = 0; rnd < ROUNDS; rnd++) {
      const order = specs.map((_, i) => specs[(i + rnd) % specs.length]); // rotating order
      for (const spec of order) {
        const s = samples.get(spec.name)!;
        try {
          const echoPeer = await startPeer(spec, ECHO_SHELL);
          try {
            const context = await ctx.browser.newContext({ viewport: { width: 1280, height: 720 } });
            try {
              await context.addInitScript(installPeerProbe);
              const page = await context.newPage();
              await page.goto(echoPeer.url);
              await focusTerminal(page);
              s.echo.push(...(await echoes(page)));
            } finally {
              await context.close();
            }
          } finally {
            await echoPeer.proc.stop();
          }
          const cmdPeer = await startPeer(spec, COMMAND_SHELL);
          try {
            const { page, joinMs, close } = await open(ctx, cmdPeer.url);
            s.join.push(joinMs);
            const seq = real(ctx, spec.name, 'seq', await finalScreen(page, SEQ_COMMAND), r.raw_pty_seq_ms);
            if (seq !== null) s.finalSeq.push(seq);
            const big = s.gaveUp50 ? null : await finalScreen(page, PAYLOAD_COMMAND);
            if (big === null) s.gaveUp50 = true; // one round over FINAL_TIMEOUT_MS is enough to know
            else if (real(ctx, spec.name, '50 MB', big, r.raw_pty_50mb_ms) !== null) s.final50.push(big);
            ctx.log(`round ${rnd + 1} ${spec.name}: join ${Math.round(joinMs)} ms, echo p50 ${round(percentile(s.echo.slice(-KEYS), 50))} ms, seq ${seq === null ? `> ${FINAL_TIMEOUT_MS}` : Math.round(seq)} ms, 50 MB ${big === null ? `> ${FINAL_TIMEOUT_MS} (or skipped)` : Math.round(big)} ms`);
            await close();
          } finally {
            await cmdPeer.proc.stop();
          }
        } catch (err) {
          ctx.log(`round ${rnd + 1} ${spec.name}: ${(err as Error).message.split('\n')[0].slice(0, 400)}`);
        }
      }
    }
    const best: Record<string, number> = {};
    for (const [name, s] of samples) {
      const set = (k: string, v: number[], p = 50) => {
        if (!v.length) return;
        r[k] = round(percentile(v, p));
        const base = k.replace(`peer_${name}_`, '');
        best[base] = Math.min(best[base] ?? Infinity, r[k]!);
      };
      set(`peer_${name}_echo_p50_ms`, s.echo);
      set(`peer_${name}_echo_p99_ms`, s.echo, 99);
      if (!s.gaveUp50) set(`peer_${name}_final_screen_50mb_ms`, s.final50);
      set(`peer_${name}_final_screen_seq_ms`, s.finalSeq);
      set(`peer_${name}_join_p50_ms`, s.join);
    }
    for (const [key, ours, peerKey] of RATIOS) {
      const o = r[ours];
      const b = best[peerKey];
      r[key] = o != null && b != null && Number.isFinite(b) ? round(o / b) : null;
      ctx.log(`${key} = ours ${o ?? 'not measured in this run'} / best peer ${b ?? 'none'} = ${r[key]}`);
    }
  }
};

