// An editor's echo while a viewer attacks (issue 7): the same key → echo loop as echo.ts, first
// with nobody attacking, then while a viewer (its own process, test/helpers/attacker-process.ts)
// keeps sending terminal `sub`s at 90 a second — just under the per-peer budget, so it is not
// dropped, the worst it can keep up (a faster flood gets it dropped within milliseconds). Reports
// both p99s in the same run and the host agent's RSS at the end of the attack.
import { percentile, round, type BenchContext, type BenchModule } from './harness.ts';
import type { EchoSample } from './page-probe.ts';
import { ECHO_SHELL, ProductSession, type Peer, type ProbeWindow } from './product.ts';
import { rssMb } from './processes.ts';
import { spawnProcess } from '../helpers/processes.ts';

const KEYSTROKES = 150;
const ECHO_TIMEOUT_MS = 3_000;
/** subs a second the attacker sends */
const ATTACK_RATE = 90;

async function echoes(editor: Peer, n: number, offset: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const key = String.fromCharCode(97 + ((i + offset) % 26));
    const echoed = editor.page.evaluate(([k, ms]) => (window as unknown as ProbeWindow).__probe.echoAfter(k, ms), [i + offset, ECHO_TIMEOUT_MS] as const);
    await editor.page.keyboard.down(key);
    const s: EchoSample = await echoed;
    await editor.page.keyboard.up(key);
    out.push(s.parsed - s.down);
  }
  return out;
}

export const attack: BenchModule = {
  name: 'attack',
  keys: ['attack_normal_echo_p99_ms', 'attack_echo_p99_ms', 'attack_host_rss_mb'],
  budgetMs: 90_000,
  async run(ctx: BenchContext) {
    const session = await ProductSession.start(ECHO_SHELL);
    try {
      const editor = await session.openPeer(ctx.browser, 'editor', 'Echo');
      await editor.page.locator('[data-testid="terminal"]').first().click();
      await echoes(editor, 20, 0);
      const normal = await echoes(editor, KEYSTROKES, 20);
      const link = new URL(session.host.links.viewer);
      const p = new URLSearchParams(link.hash.slice(1));
      const child = spawnProcess(process.execPath, ['test/helpers/attacker-process.ts', link.origin, link.pathname.split('/').pop()!, p.get('invite')!, p.get('key')!, '1', 'steady-sub', String(ATTACK_RATE)]);
      try {
        await child.waitForLine(/"ready":true/, 30_000);
        process.kill(child.pid!, 'SIGUSR2');
        await child.waitForLine(/"steady":true/);
        const during = await echoes(editor, KEYSTROKES, 20 + KEYSTROKES);
        ctx.results.attack_host_rss_mb = round(rssMb(session.host.process.pid!));
        ctx.results.attack_normal_echo_p99_ms = round(percentile(normal, 99));
        ctx.results.attack_echo_p99_ms = round(percentile(during, 99));
        const dropped = child.stdout.some((l) => l.includes('"gone"'));
        ctx.log(`echo p99 ${round(percentile(normal, 99))} ms normal, ${round(percentile(during, 99))} ms while a viewer sends ${ATTACK_RATE} subs/s (p50 ${round(percentile(normal, 50))} → ${round(percentile(during, 50))} ms); attacker ${dropped ? 'was dropped' : 'stayed connected'}; host RSS ${ctx.results.attack_host_rss_mb} MB (target: within 2x)`);
      } finally {
        await child.stop();
      }
    } finally {
      await session.dispose();
    }
  }
};
