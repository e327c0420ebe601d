/**
 * Environment snapshots (capability byte CAP.ENV). The host takes a snapshot of the box when it
 * starts and at every checkpoint; secrets are redacted on the host before a snapshot exists, so
 * nothing here ever carries one. The handshake: the host sends `list` to each participant when it
 * joins and whenever a snapshot is added; a participant asks for the snapshots it wants to see with
 * `get`, and the host answers with `snapshot` on the bulk lane (tens to hundreds of KiB, must not
 * hold up keystrokes). Editors and owners take checkpoints with `checkpoint`; viewers are refused.
 *
 *   list       [0] {snapshots: SnapshotInfo[]}       host → guests
 *   snapshot   [1] {snapshot: Snapshot}              host → guests (bulk)
 *   get        [2] {id}                              guests → host
 *   checkpoint [3] {label}                           editors, owners → host
 */
import { GUESTS, HOST, readJson, typeOf, WRITERS, writeJson, type Protocol, type Rules } from './capability.ts';
import { CAP, MAX_MESSAGE_BYTES } from './frames.ts';
import { isRole, type Role } from './roles.ts';
import { fail, int, obj, str, type Obj } from './validate.ts';

/** How a snapshot came to be: the host's own at start, a participant's button, a shell's command. */
export type SnapshotSource = 'start' | 'request' | 'shell';
const SOURCES: readonly SnapshotSource[] = ['start', 'request', 'shell'];

export interface SnapshotInfo {
  /** 1, 2, … in the order taken */
  id: number;
  label: string;
  /** ms since the epoch, on the host's clock */
  time: number;
  /** who asked for it (the participant, or for `shell` the participant who typed last); null = the host */
  author: { id: string; name: string; role: Role } | null;
  source: SnapshotSource;
}

/** What was redacted, never the value: `where` is `env` or `process`, `name` the variable or the process. */
export interface Redaction {
  where: 'env' | 'process';
  name: string;
  /** kinds from the host's redaction engine (`secret-name`, `jwt`, `aws-access-key`, …) */
  kinds: string[];
}

export interface Snapshot {
  info: SnapshotInfo;
  /** how long collecting took on the host, ms */
  tookMs: number;
  sections: Sections;
  redactions: Redaction[];
}

// ---- what a snapshot holds: one section per probe ----

/** A probe's outcome: a tool that is not installed is `absent`, not an error. */
export type ProbeResult<T> =
  | { status: 'ok'; data: T; /** what was cut to keep the snapshot bounded */ truncated?: string }
  | { status: 'absent'; reason: string }
  | { status: 'timeout'; ms: number }
  | { status: 'error'; message: string };

export interface SystemInfo {
  os: string;
  kernel: string;
  arch: string;
  hostname: string;
  user: string;
  uid: number;
  /** seconds since boot */
  uptimeS: number;
  loadavg: number[];
  cwd: string;
  cpus: number;
}
/** A value whose secrets were replaced by `[REDACTED:kind]` marks; `redacted` lists the kinds. */
export interface EnvVar {
  name: string;
  value: string;
  redacted?: string[];
}
export interface Limit {
  name: string;
  soft: string;
  hard: string;
  unit: string;
}
export interface Proc {
  pid: number;
  ppid: number;
  user: string;
  /** % of one core, and % of memory, as ps reports them */
  cpu: number;
  mem: number;
  rssKb: number;
  /** the command line, redacted */
  cmd: string;
}
export interface Port {
  proto: 'tcp' | 'udp';
  address: string;
  port: number;
  pid?: number;
  process?: string;
}
export interface Memory {
  totalKb: number;
  availableKb: number;
  swapTotalKb: number;
  swapFreeKb: number;
}
export interface Disk {
  fs: string;
  mount: string;
  sizeKb: number;
  usedKb: number;
  availKb: number;
}
export interface Iface {
  name: string;
  state: string;
  addrs: string[];
}
export interface Network {
  interfaces: Iface[];
  /** `ip route` lines */
  routes: string[];
}
export interface Dns {
  nameservers: string[];
  search: string[];
}
export interface Container {
  engine: string;
  id: string;
  image: string;
  name: string;
  status: string;
}
export interface Kube {
  context: string;
  namespace: string;
}
export interface FailedUnit {
  unit: string;
  description: string;
}
export interface GitFile {
  path: string;
  /** porcelain status: ` M`, `??`, `A `, … */
  status: string;
}
export interface GitState {
  root: string;
  branch: string;
  head: string;
  dirty: GitFile[];
  diffStat: string;
}
export interface Runtime {
  name: string;
  version: string;
}

export interface Sections {
  system: ProbeResult<SystemInfo>;
  env: ProbeResult<EnvVar[]>;
  limits: ProbeResult<Limit[]>;
  /** `pids`: every process's pid, so a diff can tell "started" from "became busy" */
  processes: ProbeResult<{ total: number; top: Proc[]; pids: number[] }>;
  ports: ProbeResult<Port[]>;
  memory: ProbeResult<Memory>;
  disks: ProbeResult<Disk[]>;
  network: ProbeResult<Network>;
  dns: ProbeResult<Dns>;
  containers: ProbeResult<Container[]>;
  kubernetes: ProbeResult<Kube>;
  systemd: ProbeResult<FailedUnit[]>;
  git: ProbeResult<GitState>;
  runtimes: ProbeResult<Runtime[]>;
}
export type SectionName = keyof Sections;

// ---- messages ----

export type EnvDown = { type: 'list'; snapshots: SnapshotInfo[] } | { type: 'snapshot'; snapshot: Snapshot };
export type EnvUp = { type: 'get'; id: number } | { type: 'checkpoint'; label: string };
export type EnvMessage = EnvDown | EnvUp;

const TYPES = ['list', 'snapshot', 'get', 'checkpoint'] as const satisfies readonly EnvMessage['type'][];
export const MAX_LABEL_CHARS = 200;
/** Snapshots a session keeps; the oldest checkpoints (never the start snapshot) make room. */
export const MAX_SNAPSHOTS = 100;
const MAX_ID = 2 ** 31;

export function writeEnv(m: EnvMessage): Uint8Array {
  const { type, ...fields } = m;
  return writeJson(CAP.ENV, TYPES.indexOf(type), fields);
}

function readInfo(v: unknown): SnapshotInfo {
  const o = obj(v, 'snapshot info');
  const source = str(o, 'source', 16) as SnapshotSource;
  if (!SOURCES.includes(source)) fail(`unknown snapshot source ${source}`);
  let author: SnapshotInfo['author'] = null;
  if (o.author !== null) {
    const a = obj(o.author, 'author');
    const role = str(a, 'role', 16);
    if (!isRole(role)) fail(`unknown role ${role}`);
    author = { id: str(a, 'id', 200), name: str(a, 'name', 200), role };
  }
  return { id: int(o, 'id', 1, MAX_ID), label: str(o, 'label', MAX_LABEL_CHARS), time: int(o, 'time', 0, 2 ** 53), author, source };
}

const PROBE_STATUSES = ['ok', 'absent', 'timeout', 'error'];

/**
 * The envelope is checked field by field; each section only for its status, since only the host
 * may send a snapshot (the router refuses it from anyone else) and the page renders every value
 * as text.
 */
function readSnapshot(v: unknown): Snapshot {
  const o = obj(v, 'snapshot');
  const sections = obj(o.sections, 'sections');
  for (const [k, s] of Object.entries(sections)) {
    const status = (obj(s, `section ${k}`) as Obj).status;
    if (typeof status !== 'string' || !PROBE_STATUSES.includes(status)) fail(`section ${k} has no valid status`);
  }
  if (!Array.isArray(o.redactions)) fail('redactions must be a list');
  const redactions = o.redactions.map((r): Redaction => {
    const x = obj(r, 'redaction');
    const where = str(x, 'where', 16);
    if (where !== 'env' && where !== 'process') fail(`unknown redaction place ${where}`);
    if (!Array.isArray(x.kinds) || !x.kinds.every((k) => typeof k === 'string')) fail('redaction kinds must be strings');
    return { where, name: str(x, 'name', 500), kinds: x.kinds as string[] };
  });
  return { info: readInfo(o.info), tookMs: int(o, 'tookMs', 0, 3_600_000), sections: sections as unknown as Sections, redactions };
}

export function readEnv(body: Uint8Array): EnvMessage {
  const type = typeOf(body, TYPES, 'env');
  const o = readJson(body, type === 'snapshot' ? MAX_MESSAGE_BYTES : 256 * 1024, `env ${type}`);
  switch (type) {
    case 'list': {
      if (!Array.isArray(o.snapshots) || o.snapshots.length > MAX_SNAPSHOTS) fail(`snapshots must be a list of at most ${MAX_SNAPSHOTS}`);
      return { type, snapshots: o.snapshots.map(readInfo) };
    }
    case 'snapshot':
      return { type, snapshot: readSnapshot(o.snapshot) };
    case 'get':
      return { type, id: int(o, 'id', 1, MAX_ID) };
    case 'checkpoint':
      return { type, label: str(o, 'label', MAX_LABEL_CHARS) };
  }
}

export const ENV_RULES: Rules<EnvMessage> = {
  list: { from: HOST, to: GUESTS },
  snapshot: { from: HOST, to: GUESTS, lane: 'bulk' },
  get: { from: GUESTS, to: HOST },
  checkpoint: { from: WRITERS, to: HOST, denied: 'Viewers cannot take checkpoints.' }
};

export const envProtocol: Protocol<EnvUp, EnvDown> = {
  cap: CAP.ENV,
  name: 'env',
  write: writeEnv,
  read: readEnv,
  rules: ENV_RULES
};
