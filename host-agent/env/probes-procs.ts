/** Processes (top N by CPU, command lines redacted) and listening ports with their processes. */
import type { Port, Proc } from '../../src/lib/protocol/env.ts';
import { redactText } from '../redact/redact.ts';
import { clip, run, type Probed } from './run.ts';
import type { ProbeContext } from './probes-system.ts';

/** Processes a snapshot lists (the busiest first); the total is always given. */
export const TOP_PROCESSES = 40;
export const MAX_CMD_CHARS = 400;

export async function processes(ctx: ProbeContext): Promise<Probed<{ total: number; top: Proc[] }>> {
  // -ww: whole command lines (the redaction must see all of a secret to recognise it)
  const out = await run('ps', ['-eww', '-o', 'pid=,ppid=,user:32=,pcpu=,pmem=,rss=,args=', '--sort=-pcpu'], { timeoutMs: ctx.timeoutMs });
  const lines = out.split('\n').filter((l) => l.trim());
  const top: Proc[] = [];
  for (const line of lines.slice(0, TOP_PROCESSES)) {
    const m = /^\s*(\d+)\s+(\d+)\s+(\S+)\s+([\d.]+)\s+([\d.]+)\s+(\d+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const r = redactText(m[7]);
    const pid = Number(m[1]);
    if (r.kinds.length) ctx.redacted({ where: 'process', name: `pid ${pid} (${commandName(r.text)})`, kinds: r.kinds });
    top.push({ pid, ppid: Number(m[2]), user: m[3], cpu: Number(m[4]), mem: Number(m[5]), rssKb: Number(m[6]), cmd: clip(r.text, MAX_CMD_CHARS) });
  }
  const truncated = lines.length > TOP_PROCESSES ? `processes: the ${TOP_PROCESSES} busiest of ${lines.length}` : undefined;
  return { data: { total: lines.length, top }, truncated };
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
