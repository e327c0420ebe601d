// Terminal output through the product: an editor runs PAYLOAD_COMMAND (≥ 50 MB) in the host's
// shell; every browser peer counts the bytes reaching its TerminalSink (the data-channel side,
// before xterm) from the first to the last chunk. Three transfers: to 1 browser, to 5, and to 5
// of which one is frozen (its whole Chromium SIGSTOPped) while the host's RSS is sampled.
import { mbPerSecond, round, sleep, type BenchContext, type BenchModule } from './harness.ts';
import type { FlowCount } from './page-probe.ts';
import { END_MARKER, PAYLOAD_COMMAND, parseInMirror, runInPty } from './payload.ts';
import { childLabels, CpuMeter, FreezableBrowser, RssSampler, rssMb } from './processes.ts';
import { COMMAND_SHELL, ProductSession, type Peer, type ProbeWindow } from './product.ts';

/** Longest one transfer may take, ms. */
const TRANSFER_TIMEOUT_MS = 60_000;
/** How long the frozen peer gets to catch up once thawed, ms. */
const RECOVER_TIMEOUT_MS = 20_000;

interface Flow extends FlowCount {
  name: string;
}

const mbs = (f: Flow) => mbPerSecond(f.bytes, f.last - f.first);
const parsedMbs = (f: Flow) => mbPerSecond(f.bytes, f.parsedLast - f.first);
const describe = (f: Flow) =>
  `${f.name} ${round(mbs(f))} MB/s at the sink (${round(f.bytes / 1e6)} MB in ${Math.round(f.last - f.first)} ms), parsed by xterm at ${round(parsedMbs(f))} MB/s` +
  (f.resets ? `, ${f.resets} resync snapshot(s)` : '') +
  (f.writeErrors ? `, ${f.writeErrors} writes refused by xterm` : '');

async function arm(peers: Peer[]): Promise<void> {
  await Promise.all(peers.map((p) => p.page.evaluate((m) => (window as unknown as ProbeWindow).__probe.arm(m), END_MARKER)));
}

async function run(editor: Peer): Promise<void> {
  await editor.page.evaluate((cmd) => {
    const s = (window as unknown as { __liveSessions: { terminals: { id: number }[]; input(id: number, d: string): void } }).__liveSessions;
    s.input(s.terminals[0].id, cmd + '\r');
  }, PAYLOAD_COMMAND);
}

/** The peer's count once its last chunk was parsed, or as it stands after `timeoutMs` (done false). */
async function finished(p: Peer, name: string, timeoutMs: number): Promise<Flow> {
  await p.page
    .waitForFunction(() => ((window as unknown as ProbeWindow).__probe.flow?.parsedLast ?? 0) > 0, null, { timeout: timeoutMs, polling: 100 })
    .catch(() => {});
  const f = await p.page.evaluate(() => (window as unknown as ProbeWindow).__probe.flow!);
  return { ...f, name };
}

/** Fails with every peer's count when one of them did not finish. */
function check(flows: Flow[], what: string): void {
  const late = flows.filter((f) => !f.done);
  if (late.length) throw new Error(`${what}: ${late.map((f) => f.name).join(', ')} did not receive the end of the output in time; ${flows.map((f) => `${f.name} ${round(f.bytes / 1e6)} MB${f.done ? '' : ' (unfinished)'}, ${f.resets} resyncs, ${f.writeErrors} refused writes`).join('; ')}`);
}

export const throughput: BenchModule = {
  name: 'throughput',
  keys: ['raw_pty_cmd_mb_s', 'mirror_parse_mb_s', 'throughput_1_mb_s', 'throughput_5_mb_s', 'throughput_5_min_mb_s', 'throughput_ratio', 'host_rss_5_mb', 'throughput_4_stalled_min_mb_s', 'host_rss_stalled_mb', 'host_rss_stalled_growth_mb', 'stalled_recover_ms'],
  budgetMs: 150_000,
  async run(ctx: BenchContext) {
    const { results: r } = ctx;
    const raw = await runInPty(TRANSFER_TIMEOUT_MS);
    r.raw_pty_cmd_mb_s = round(mbPerSecond(raw.bytes, raw.ms));
    ctx.log(`the command in a PTY, read by node-pty: ${r.raw_pty_cmd_mb_s} MB/s (${raw.bytes} B incl. CRs, ${Math.round(raw.ms)} ms)`);
    const parseMs = await parseInMirror(raw.chunks);
    r.mirror_parse_mb_s = round(mbPerSecond(raw.bytes, parseMs));
    ctx.log(`the same bytes parsed by the host's headless mirror: ${r.mirror_parse_mb_s} MB/s`);

    const session = await ProductSession.start(COMMAND_SHELL);
    let frozen: FreezableBrowser | null = null;
    try {
      const editor = await session.openPeer(ctx.browser, 'editor', 'Editor');
      const names = new Map([
        [session.host.process.pid!, 'host agent (+ shell)'],
        [session.signaling.process.pid!, 'signaling']
      ]);
      ctx.log(`host RSS idle, one peer joined: ${round(rssMb(session.host.process.pid!))} MB`);
      // 1 browser
      await arm([editor]);
      let cpu = new CpuMeter(childLabels(names));
      await run(editor);
      const one = await finished(editor, 'editor', TRANSFER_TIMEOUT_MS);
      ctx.log(`CPU during the 1-peer transfer: ${cpu.stop()}`);
      check([one], '1 peer');
      r.throughput_1_mb_s = round(mbs(one));
      ctx.log(`1 peer: ${describe(one)}`);
      if (r.raw_dc_mb_s) {
        r.throughput_ratio = round(mbs(one) / r.raw_dc_mb_s);
        ctx.log(`throughput_ratio = ${r.throughput_1_mb_s} / raw DC ${r.raw_dc_mb_s} = ${r.throughput_ratio} (target ≥ 0.8)`);
      }

      // 5 browsers: 3 more viewers here, 1 in a Chromium of its own that can be frozen
      frozen = await FreezableBrowser.launch();
      names.set(frozen.root, 'Chromium of the frozen peer');
      const viewers: Peer[] = [];
      for (let i = 1; i <= 3; i++) viewers.push(await session.openPeer(ctx.browser, 'viewer', `Viewer${i}`));
      const stallable = await session.openPeer(frozen.browser, 'viewer', 'Frozen');
      const five = [editor, ...viewers, stallable];
      const peerNames = ['editor', 'viewer1', 'viewer2', 'viewer3', 'viewer4 (own Chromium)'];
      await sleep(500);
      await arm(five);
      let rss = new RssSampler(session.host.process.pid!);
      cpu = new CpuMeter(childLabels(names));
      await run(editor);
      const flows = await Promise.all(five.map((p, i) => finished(p, peerNames[i], TRANSFER_TIMEOUT_MS)));
      ctx.log(`CPU during the 5-peer transfer: ${cpu.stop()}`);
      const m5 = rss.stop();
      check(flows, '5 peers');
      const rates = flows.map(mbs);
      r.throughput_5_mb_s = round(rates.reduce((a, b) => a + b, 0) / rates.length);
      r.throughput_5_min_mb_s = round(Math.min(...rates));
      r.host_rss_5_mb = round(m5.max);
      ctx.log(`5 peers: mean ${r.throughput_5_mb_s} MB/s per browser, min ${r.throughput_5_min_mb_s}; host RSS ${round(m5.start)} → max ${round(m5.max)} → ${round(m5.end)} MB`);
      for (const f of flows) ctx.log(`  ${describe(f)}`);

      // 5 browsers, one frozen for the whole transfer
      await sleep(500);
      await arm(five);
      const stopped = frozen.freeze();
      rss = new RssSampler(session.host.process.pid!);
      const t0 = performance.now();
      await run(editor);
      const live = await Promise.all(five.slice(0, 4).map((p, i) => finished(p, peerNames[i], TRANSFER_TIMEOUT_MS)));
      await sleep(1000); // a last look at memory after the transfer, the peer still frozen
      const ms = rss.stop();
      frozen.thaw();
      check(live, '4 peers beside a frozen one');
      const thawed = performance.now();
      ctx.log(`frozen peer: ${stopped} Chromium processes stopped for ${Math.round(thawed - t0)} ms`);
      const liveRates = live.map(mbs);
      r.throughput_4_stalled_min_mb_s = round(Math.min(...liveRates));
      r.host_rss_stalled_mb = round(ms.max);
      r.host_rss_stalled_growth_mb = round(ms.end - ms.start);
      ctx.log(`4 live peers beside the frozen one: min ${r.throughput_4_stalled_min_mb_s} MB/s per browser`);
      for (const f of live) ctx.log(`  ${describe(f)}`);
      ctx.log(`host RSS with a frozen peer: start ${round(ms.start)}, max ${round(ms.max)}, end ${round(ms.end)} MB (${ms.n} samples every 250 ms; target < 512 and flat)`);
      try {
        const f = await finished(stallable, 'frozen peer', RECOVER_TIMEOUT_MS);
        check([f], 'the frozen peer');
        r.stalled_recover_ms = round(performance.now() - thawed);
        ctx.log(`the frozen peer caught up ${r.stalled_recover_ms} ms after thawing (${f.resets} resync snapshot(s), ${round(f.bytes / 1e6)} MB of chunks)`);
      } catch {
        ctx.log(`the frozen peer did NOT catch up within ${RECOVER_TIMEOUT_MS} ms of thawing`);
      }
      const hostLog = session.host.process.stderr.filter((l) => /fell behind|left|resync/i.test(l));
      for (const l of hostLog.slice(-5)) ctx.log(`  host: ${l}`);
    } finally {
      await session.dispose();
      await frozen?.close();
    }
  }
};
