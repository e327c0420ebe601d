/**
 * A snapshot as a file for the incident ticket: JSON (everything, as received) or Markdown (the
 * sections as readable tables). Both come from the redacted snapshot: nothing here can add a secret.
 */
import type { ProbeResult, Snapshot } from '../protocol/env.ts';

export function snapshotJson(s: Snapshot): string {
  return JSON.stringify(s, null, 2) + '\n';
}

export function fileName(s: Snapshot, ext: 'json' | 'md'): string {
  const slug = s.info.label.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'snapshot';
  return `environment-${s.info.id}-${slug}.${ext}`;
}

/** `|` and line breaks would end a Markdown table cell. */
const cell = (v: unknown) => String(v ?? '').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

function table(head: string[], rows: unknown[][]): string {
  return [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n');
}

/** The heading line and, when the probe did not succeed, why. */
function section<T>(title: string, r: ProbeResult<T>, body: (d: T) => string): string {
  const head = `## ${title}`;
  switch (r.status) {
    case 'ok':
      return [head, body(r.data), r.truncated ? `_Truncated: ${r.truncated}_` : ''].filter(Boolean).join('\n\n');
    case 'absent':
      return `${head}\n\n_Absent: ${r.reason}_`;
    case 'timeout':
      return `${head}\n\n_Timed out after ${r.ms} ms_`;
    case 'error':
      return `${head}\n\n_Error: ${r.message}_`;
  }
}

const mb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`;

export function snapshotMarkdown(s: Snapshot): string {
  const { info, sections: x } = s;
  const who = info.author ? `${info.author.name} (${info.author.role})` : info.source === 'shell' ? 'a shared shell' : 'the host agent';
  const parts = [
    `# Environment snapshot ${info.id}: ${info.label}`,
    `Taken ${new Date(info.time).toISOString()} by ${who} in ${s.tookMs} ms.`,
    section('System', x.system, (d) => table(['', ''], [['OS', d.os], ['Kernel', d.kernel], ['Arch', d.arch], ['Host', d.hostname], ['User', `${d.user} (uid ${d.uid})`], ['Uptime', `${Math.round(d.uptimeS / 60)} min`], ['Load', d.loadavg.join(' ')], ['CPUs', d.cpus], ['cwd', d.cwd]])),
    section('Environment variables', x.env, (d) => table(['name', 'value'], d.map((v) => [v.name, v.value]))),
    section('Limits', x.limits, (d) => table(['limit', 'soft', 'hard', 'unit'], d.map((l) => [l.name, l.soft, l.hard, l.unit]))),
    section('Processes', x.processes, (d) => `${d.total} processes.\n\n` + table(['pid', 'user', 'cpu %', 'mem %', 'rss', 'command'], d.top.map((p) => [p.pid, p.user, p.cpu, p.mem, mb(p.rssKb), p.cmd]))),
    section('Listening ports', x.ports, (d) => table(['proto', 'address', 'port', 'process'], d.map((p) => [p.proto, p.address, p.port, p.process ? `${p.process} (${p.pid})` : '']))),
    section('Memory', x.memory, (d) => table(['total', 'available', 'swap total', 'swap free'], [[mb(d.totalKb), mb(d.availableKb), mb(d.swapTotalKb), mb(d.swapFreeKb)]])),
    section('Disks', x.disks, (d) => table(['mount', 'filesystem', 'size', 'used', 'available'], d.map((k) => [k.mount, k.fs, mb(k.sizeKb), mb(k.usedKb), mb(k.availKb)]))),
    section('Network', x.network, (d) => table(['interface', 'state', 'addresses'], d.interfaces.map((i) => [i.name, i.state, i.addrs.join(', ')])) + '\n\n```\n' + d.routes.join('\n') + '\n```'),
    section('DNS', x.dns, (d) => `Nameservers: ${d.nameservers.join(', ') || 'none'}; search: ${d.search.join(' ') || 'none'}`),
    section('Containers', x.containers, (d) => (d.length ? table(['engine', 'id', 'image', 'name', 'status'], d.map((c) => [c.engine, c.id, c.image, c.name, c.status])) : 'None running.')),
    section('Kubernetes', x.kubernetes, (d) => `Context \`${d.context}\`, namespace \`${d.namespace}\``),
    section('Failed systemd units', x.systemd, (d) => (d.length ? table(['unit', 'description'], d.map((u) => [u.unit, u.description])) : 'None.')),
    section('Git', x.git, (d) => `Branch \`${d.branch}\` at \`${d.head.slice(0, 12)}\` in ${d.root}.\n\n` + (d.dirty.length ? table(['status', 'file'], d.dirty.map((f) => [f.status, f.path])) : 'Clean.') + (d.diffStat ? '\n\n```\n' + d.diffStat + '\n```' : '')),
    section('Runtimes', x.runtimes, (d) => table(['runtime', 'version'], d.map((r) => [r.name, r.version]))),
    '## Redacted',
    s.redactions.length ? table(['where', 'name', 'why'], s.redactions.map((r) => [r.where, r.name, r.kinds.join(', ')])) : 'Nothing.'
  ];
  return parts.join('\n\n') + '\n';
}
