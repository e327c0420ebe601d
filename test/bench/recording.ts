// What the record on the box costs, and how fast it is checked. Recording overhead: two sets of
// host terminals (host-agent/terminals, the host's own PTY + mirror path) in this process, one
// with the record attached (TerminalRecorder's casts and the AuditLog taking every keystroke) and
// one without, measured in the same run under the same load: echo (keys alternate between the
// two, so both see the same machine) and throughput (PAYLOAD_COMMAND's 50 MiB, runs alternating).
// Audit verify: a 100 MB hash-chained log written with the host's Chain, read and verified by
// verifyFile (what `live-sessions audit verify` runs).
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AuditLog } from '../../host-agent/audit.ts';
import { verifyFile } from '../../host-agent/record/chain-verify.ts';
import { Chain } from '../../host-agent/record/chain.ts';
import { RECORD_NICE } from '../../host-agent/record/asciicast.ts';
import { TerminalRecorder } from '../../host-agent/record/recorder.ts';
import { parseRules, recordRedactor } from '../../host-agent/redact/record-rules.ts';
import { TerminalSet } from '../../host-agent/terminals/terminal-set.ts';
import type { HostTerminal } from '../../host-agent/terminals/terminal.ts';
import { makeTempDir } from '../helpers/tmp.ts';
import { describeLatency, mbPerSecond, percentile, round, type BenchContext, type BenchModule } from './harness.ts';
import { END_MARKER, PAYLOAD_BYTES, PAYLOAD_COMMAND } from './payload.ts';

/** Keystrokes per rig: an echo here is ~0.15 ms, and with 400 the p50 of two identical rigs
 * differed by up to 6 % on this machine (the noise was the size of the target); 3000 take ~3 s. */
const KEYSTROKES = 3_000;
const WARMUP = 100;
const ECHO_BLOCK = 500;
/** BENCH_RECORDING_RUNS=8: more off/on pairs for a tighter spread. */
const THROUGHPUT_RUNS = Number(process.env.BENCH_RECORDING_RUNS) || 5;
const ECHO_TIMEOUT_MS = 3_000;
const RUN_TIMEOUT_MS = 60_000;
/** Size of the audit log verified, bytes. */
const AUDIT_BYTES = 100_000_000;
const who = { sub: 'p_bench', name: 'Bench', role: 'editor' as const };
/** BENCH_RECORDING_REDACT='ACME-[0-9]{6}': the host's --redact rules while recording (repeatable: one per line). */
const RULES = parseRules(process.env.BENCH_RECORDING_REDACT?.split('\n').filter(Boolean) ?? []);

interface Rig {
  terms: TerminalSet;
  /** the record, when on */
  audit: AuditLog | null;
  recorder: TerminalRecorder | null;
  /** Attaches the record's casts (when on): after the rig's output listener, as the host attaches
   * them after the hub's send to peers (agent.ts). */
  record(): void;
  dispose(): Promise<void>;
}

function once(f: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | null = null;
  return () => (done ??= f());
}

function rig(record: boolean, shell: string, args: string[]): Rig {
  const dir = makeTempDir('bench-record-');
  const terms = new TerminalSet({ shell, args, cwd: dir, env: { ...(process.env as Record<string, string>), TERM: 'xterm-256color' } });
  const redact = recordRedactor(RULES);
  const audit = record ? new AuditLog(join(dir, 's.jsonl'), null, redact, (e) => console.error(e)) : null;
  const r: Rig = {
    terms,
    audit,
    recorder: null,
    record: () => {
      if (record) r.recorder ??= new TerminalRecorder(terms, dir, 's', (e) => console.error(e), RULES);
    },
    dispose: once(async () => {
      await Promise.all([audit?.close(), r.recorder?.dispose()]);
      terms.dispose();
    })
  };
  return r;
}

/** Resolves when `term`'s output (in `rig`) has contained `text`, as seen by onOutput. */
function outputOf(r: Rig) {
  let seen = '';
  let waiting: { text: string; resolve: () => void } | null = null;
  const dec = new TextDecoder();
  r.terms.onOutput((_id, _seq, data) => {
    seen = (seen + dec.decode(data, { stream: true })).slice(-4096);
    if (waiting && seen.includes(waiting.text)) {
      const w = waiting;
      waiting = null;
      w.resolve();
    }
  });
  return (text: string, ms: number) =>
    new Promise<void>((resolve, reject) => {
      if (seen.includes(text)) return resolve();
      const timer = setTimeout(() => reject(new Error(`no "${text.slice(0, 20)}" within ${ms} ms`)), ms);
      waiting = { text, resolve: () => (clearTimeout(timer), resolve()) };
    });
}

/** Echo times of three rigs measured turn about: without the record, with it, and a second one
 * without it (the control: how far two identical rigs differ in this run, the noise floor). */
async function echoes(): Promise<{ off: number[]; on: number[]; control: number[] }> {
  const args = ['-c', 'stty raw -echo && printf READY && exec cat'];
  const rigs = [rig(false, '/bin/sh', args), rig(true, '/bin/sh', args), rig(false, '/bin/sh', args)];
  try {
    const sides = rigs.map((r) => ({ r, wait: outputOf(r), term: (r.record(), r.terms.open(80, 24)) as HostTerminal }));
    await Promise.all(sides.map((s) => s.wait('READY', ECHO_TIMEOUT_MS)));
    const out = [[], [], []] as number[][];
    for (let i = 0; i < WARMUP + KEYSTROKES; i++) {
      // rotate which goes first, so none is always the one after another's echo
      for (let j = 0; j < sides.length; j++) {
        const k = (i + j) % sides.length;
        const s = sides[k];
        const key = `${String.fromCharCode(97 + (i % 26))}${i}|`;
        const t0 = performance.now();
        const got = s.wait(key, ECHO_TIMEOUT_MS);
        const bytes = new TextEncoder().encode(key);
        s.term.write(bytes);
        // what the hub does for each keystroke when recording: the audit log takes it
        s.r.audit?.input(who, s.term.id, bytes, false);
        await got;
        if (i >= WARMUP) out[k].push(performance.now() - t0);
      }
    }
    return { off: out[0], on: out[1], control: out[2] };
  } finally {
    await Promise.all(rigs.map((r) => r.dispose()));
  }
}

/** CPU time of this process's thread `tid` so far (user + system), ms. */
function threadCpuMs(tid: number): number {
  const st = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
  const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
}

/** CPU time so far of this process's threads at the cast writer's niceness (its thread, and any it started), ms. */
function castCpuMs(): number {
  let ms = 0;
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const st = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
      if (Number(f[16]) === RECORD_NICE) ms += ((Number(f[11]) + Number(f[12])) * 1000) / 100;
    } catch {
      // (a thread that ended meanwhile)
    }
  }
  return ms;
}

interface Run {
  mbs: number;
  /** CPU of this process (every thread: main, mirror, cast writer) and of its main thread, ms per MB */
  cpuMsPerMb: number;
  mainMsPerMb: number;
  /** of the cast writer's thread */
  castMsPerMb: number;
}

async function throughputRun(record: boolean): Promise<Run> {
  const r = rig(record, '/bin/bash', ['--norc', '--noprofile', '-c', PAYLOAD_COMMAND]);
  try {
    const wait = outputOf(r);
    r.record();
    const cpu0 = process.cpuUsage();
    const main0 = threadCpuMs(process.pid);
    const cast0 = castCpuMs();
    const t0 = performance.now();
    r.terms.open(100, 30);
    await wait(END_MARKER, RUN_TIMEOUT_MS);
    const ms = performance.now() - t0;
    // what recording the run cost is written after the end marker is seen: until the casts are closed
    await r.dispose();
    const cpu = process.cpuUsage(cpu0);
    const mb = PAYLOAD_BYTES / 1e6;
    return { mbs: mbPerSecond(PAYLOAD_BYTES, ms), cpuMsPerMb: (cpu.user + cpu.system) / 1000 / mb, mainMsPerMb: (threadCpuMs(process.pid) - main0) / mb, castMsPerMb: (castCpuMs() - cast0) / mb };
  } finally {
    await r.dispose();
  }
}

function writeAuditLog(path: string): number {
  const chain = new Chain();
  const parts: string[] = [];
  let bytes = 0;
  for (let i = 0; bytes < AUDIT_BYTES; i++) {
    const line = chain.next({ t: new Date(1_700_000_000_000 + i * 50).toISOString(), who: { id: 'p_K8sA1ahv6H2b', name: 'Pat', role: 'editor' }, kind: i % 10 ? 'input' : 'command', term: 1, data: `git log --oneline -n ${i % 50} && make -j4 test ${i}\r` });
    parts.push(line);
    bytes += Buffer.byteLength(line);
  }
  writeFileSync(path, parts.join(''));
  return statSync(path).size;
}

export const recordingBench: BenchModule = {
  name: 'recording',
  keys: ['recording_overhead_pct', 'recording_echo_overhead_pct', 'recording_throughput_overhead_pct', 'recording_echo_noise_pct', 'audit_verify_mb_s'],
  budgetMs: 240_000,
  async run(ctx: BenchContext) {
    const r = ctx.results;
    {
      const e = await echoes();
      // the record's cost against both rigs without it (one rig alone can sit ~10 % off the others
      // for a whole run: seen here as the control's difference)
      const off = percentile([...e.off, ...e.control], 50);
      const on = percentile(e.on, 50);
      const echoPct = ((on - off) / off) * 100;
      const noisePct = (percentile(e.control, 50) / percentile(e.off, 50) - 1) * 100;
      // the spread: the same comparison in blocks of ECHO_BLOCK keystrokes (the machine's load drifts)
      const blocks = (xs: number[]) => {
        const pcts: number[] = [];
        for (let at = 0; at + ECHO_BLOCK <= e.off.length; at += ECHO_BLOCK) pcts.push((percentile(xs.slice(at, at + ECHO_BLOCK), 50) / percentile(e.off.slice(at, at + ECHO_BLOCK), 50) - 1) * 100);
        return `per block of ${ECHO_BLOCK}: ${pcts.map(round).join(', ')} %`;
      };
      ctx.log(`echo (host PTY + mirror), record off: ${describeLatency(e.off)}`);
      ctx.log(`echo (host PTY + mirror), off again (control): ${describeLatency(e.control)} → ${round(noisePct)} % on p50, the noise floor; ${blocks(e.control)}`);
      ctx.log(`echo (host PTY + mirror), record on:  ${describeLatency(e.on)} → ${round(echoPct)} % on p50 (vs both without); ${blocks(e.on)}`);
      const runs: Record<'off' | 'on', Run[]> = { off: [], on: [] };
      for (let i = 0; i < THROUGHPUT_RUNS; i++) for (const rec of i % 2 ? [true, false] : [false, true]) runs[rec ? 'on' : 'off'].push(await throughputRun(rec));
      const mbs = { off: runs.off.map((x) => x.mbs), on: runs.on.map((x) => x.mbs) };
      // the CPU the record costs, per MB recorded: what the overhead is made of on a saturated machine
      const cpu = (k: 'off' | 'on', f: 'cpuMsPerMb' | 'mainMsPerMb' | 'castMsPerMb') => round(percentile(runs[k].map((x) => x[f]), 50));
      ctx.log(`host CPU per MB (medians): process off ${cpu('off', 'cpuMsPerMb')} ms, on ${cpu('on', 'cpuMsPerMb')} ms (+${round(cpu('on', 'cpuMsPerMb') - cpu('off', 'cpuMsPerMb'))}); main thread off ${cpu('off', 'mainMsPerMb')} ms, on ${cpu('on', 'mainMsPerMb')} ms (+${round(cpu('on', 'mainMsPerMb') - cpu('off', 'mainMsPerMb'))}); cast thread on ${cpu('on', 'castMsPerMb')} ms`);
      // each off/on pair ran back to back, so each pair's ratio sees one load; the figure is their
      // median (the machine's load drifts between pairs by more than the target: the median of
      // each side's runs compared runs minutes apart, and once read 45 % with pairs at 4 %)
      const pairs = mbs.off.map((off, i) => (off / mbs.on[i] - 1) * 100);
      const tPct = percentile(pairs, 50);
      ctx.log(`throughput (50 MiB through the host's terminal), record off: ${mbs.off.map(round).join(', ')} MB/s; on: ${mbs.on.map(round).join(', ')} MB/s → ${round(tPct)} % slower (median of the pairs); per pair ${pairs.map(round).join(', ')} %`);
      r.recording_echo_overhead_pct = round(echoPct);
      r.recording_throughput_overhead_pct = round(tPct);
      r.recording_echo_noise_pct = round(noisePct);
      r.recording_overhead_pct = round(Math.max(echoPct, tPct));
      ctx.log(`recording_overhead_pct = ${r.recording_overhead_pct} (the larger of the two; target < 5)`);

      const path = join(makeTempDir('bench-audit-'), 'big.jsonl');
      const size = writeAuditLog(path);
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const v = verifyFile(path);
      const ms = performance.now() - t0;
      const c = process.cpuUsage(c0);
      if (!v.ok) throw new Error(`the generated log does not verify: line ${v.line} ${v.why}`);
      r.audit_verify_mb_s = round(mbPerSecond(size, ms));
      ctx.log(`audit verify: ${round(size / 1e6)} MB, ${v.lines} lines in ${Math.round(ms)} ms = ${r.audit_verify_mb_s} MB/s (target ≥ 100); CPU ${Math.round((c.user + c.system) / 1000)} ms = ${round(size / 1e3 / ((c.user + c.system) / 1000))} MB per CPU s`);
    }
  }
};
