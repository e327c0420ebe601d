/** Processes (top N by CPU, command lines redacted) and listening ports with their processes. */
import type { Port, Proc } from '../../src/lib/protocol/env.ts';
import { redactText } from '../redact/redact.ts';
import { clip, probing, run, type Probed } from './run.ts';
import type { ProbeContext } from './probes-system.ts';

/** Processes a snapshot lists (the busiest first); the total is always given. */
export const TOP_PROCESSES = 40;
export const MAX_CMD_CHARS = 400;

export async function processes(ctx: ProbeContext): Promise<Probed<{ total: number; top: Proc[]; pids: number[] }>> {
  // -ww: whole command lines (the redaction must see all of a secret to recognise it)
  const out = await run('ps', ['-eww', '-o', 'pid=,ppid=,user:32=,pcpu=,pmem=,rss=,args=', '--sort=-pcpu'], { timeoutMs: ctx.timeoutMs });
  const all: Proc[] = [];
  for (const line of out.split('\n')) {
    const m = /^\s*(\d+)\s+(\d+)\s+(\S+)\s+([\d.]+)\s+([\d.]+)\s+(\d+)\s+(.*)$/.exec(line);
    if (m && !probing.has(Number(m[1]))) all.push({ pid: Number(m[1]), ppid: Number(m[2]), user: m[3], cpu: Number(m[4]), mem: Number(m[5]), rssKb: Number(m[6]), cmd: m[7] });
  }
  // The busiest, plus everything the shared shells started (an idle `sleep` or server someone ran
  // in the session is what a diff between checkpoints is asked about), ps being sorted by CPU.
  const ours = descendants(all, process.pid);
  const picked = all.filter((p, i) => i < TOP_PROCESSES || ours.has(p.pid)).slice(0, TOP_PROCESSES + MAX_SESSION_PROCESSES);
  const top = picked.map((p) => {
    const r = redactText(p.cmd);
    if (r.kinds.length) ctx.redacted({ where: 'process', name: `pid ${p.pid} (${commandName(r.text)})`, kinds: r.kinds });
    return { ...p, cmd: clip(r.text, MAX_CMD_CHARS) };
  });
  const truncated = all.length > top.length ? `processes: the ${TOP_PROCESSES} busiest and the session's own, ${top.length} of ${all.length}` : undefined;
  return { data: { total: all.length, top, pids: all.map((p) => p.pid).sort((a, b) => a - b) }, truncated };
}

/** Processes the agent's shells may add to the busiest ones. */
const MAX_SESSION_PROCESSES = 60;

function descendants(all: Proc[], root: number): Set<number> {
  const children = new Map<number, number[]>();
  for (const p of all) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p.pid]);
  const out = new Set<number>();
  const todo = [root];
  while (todo.length) for (const c of children.get(todo.pop() as number) ?? []) if (!out.has(c)) todo.push((out.add(c), c));
  return out;
}

/**
 * Every listening socket, including those of processes outside the top N (a port that opened is
 * what a diff most wants to see). Processes a command does not own show without a pid (ss needs
 * privileges to see them).
 */
export async function ports(ctx: ProbeContext): Promise<Probed<Port[]>> {
  const out = await run('ss', ['-Hltnup'], { timeoutMs: ctx.timeoutMs });
  const rows: Port[] = [];
  for (const line of out.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 5) continue;
    const proto = f[0] === 'udp' ? 'udp' : 'tcp';
    const local = f[4];
    const at = local.lastIndexOf(':');
    const port = Number(local.slice(at + 1));
    if (!Number.isInteger(port)) continue;
    const users = /users:\(\("([^"]*)",pid=(\d+)/.exec(line);
    const p: Port = { proto, address: local.slice(0, at), port };
    if (users) {
      p.process = users[1];
      p.pid = Number(users[2]);
    }
    rows.push(p);
  }
  rows.sort((a, b) => a.port - b.port || a.proto.localeCompare(b.proto) || a.address.localeCompare(b.address));
  const seen = new Set<string>();
  const unique = rows.filter((p) => {
    const k = `${p.proto} ${p.address} ${p.port} ${p.pid ?? ''}`;
    return !seen.has(k) && !!seen.add(k);
  });
  return unique.length > 200 ? { data: unique.slice(0, 200), truncated: `ports: first 200 of ${unique.length}` } : { data: unique };
}

/** The program's name from a redacted command line, for a redaction report that names no secret. */
function commandName(cmd: string): string {
  const first = cmd.split(/\s+/)[0] ?? '';
  return first.slice(first.lastIndexOf('/') + 1).slice(0, 60);
}
