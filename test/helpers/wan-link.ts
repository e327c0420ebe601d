/**
 * A slow link for tests and the bench's delayed profile: two network namespaces joined through
 * wan-delay.py, so every packet between them waits `delayMs` (± `jitterMs`) and may be lost
 * (`lossPct`) in each direction: a round trip of 2 × delayMs.
 *
 *   "box" 10.77.0.1 (signaling, host agent) ── TUN ── wan-delay.py ── TUN ── "far" 10.77.0.2 (the browser)
 *
 * Why not `tc qdisc … netem` on scripts/netns.sh's veth: that script puts both ends in one
 * namespace, where the kernel delivers over loopback and a qdisc on the veth never sees a packet;
 * and netem is a kernel module this machine's kernel does not have. The lab is one process
 * (`unshare -n -m`, a tmpfs on /run for `ip netns`), ended by stop() or stopAll(); the test
 * process stays where it is. Needs root, iproute2 and python3.
 */
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnProcess, type ManagedProcess, type SpawnOptions } from './processes.ts';
import { makeTempDir } from './tmp.ts';

export interface WanProfile {
  /** one way, ms */
  delayMs: number;
  jitterMs: number;
  /** per direction, percent */
  lossPct: number;
}

/** The bench's delayed-link profile: ~80 ms round trip, some jitter, 1 % loss. */
export const DELAYED: WanProfile = { delayMs: 40, jitterMs: 5, lossPct: 1 };

const BOX_IP = '10.77.0.1';
const FAR_IP = '10.77.0.2';

/** the user-space link (netem is not in every kernel: this machine's has none) */
const DELAY_SCRIPT = fileURLToPath(new URL('./wan-delay.py', import.meta.url));

function setupScript(p: WanProfile): string {
  return [
    'set -e',
    'mount -t tmpfs tmpfs /run',
    'ip link set lo up',
    'ip netns add box',
    'ip netns add far',
    `exec python3 -u ${DELAY_SCRIPT} ${p.delayMs} ${p.jitterMs} ${p.lossPct} ${BOX_IP} ${FAR_IP}`
  ].join('\n');
}

export class WanLink {
  readonly boxIp = BOX_IP;
  readonly farIp = FAR_IP;
  readonly profile: WanProfile;
  readonly #lab: ManagedProcess;
  readonly #dir = makeTempDir('live-sessions-wan-');

  private constructor(lab: ManagedProcess, profile: WanProfile) {
    this.#lab = lab;
    this.profile = profile;
  }

  static async start(profile: WanProfile = DELAYED): Promise<WanLink> {
    const lab = spawnProcess('unshare', ['-n', '-m', '--propagation', 'private', 'bash', '-c', setupScript(profile)]);
    try {
      await lab.waitForLine(/^lab-ready$/, 15_000, 'stdout');
    } catch (e) {
      await lab.stop();
      throw new Error(`could not build the delayed link (needs root and iproute2's tc with netem: bash scripts/setup.sh --test): ${(e as Error).message}`);
    }
    return new WanLink(lab, profile);
  }

  #enter(where: 'box' | 'far'): string[] {
    return ['nsenter', '-t', String(this.#lab.pid), '-m', '--', 'ip', 'netns', 'exec', where];
  }

  /** Starts a program on one side (registered with processes.ts, so stopAll ends it). */
  spawn(where: 'box' | 'far', command: string, args: string[], opts?: SpawnOptions): ManagedProcess {
    const [cmd, ...pre] = this.#enter(where);
    return spawnProcess(cmd, [...pre, command, ...args], { ...opts, run: undefined });
  }

  /** For SpawnOptions.run: start it on `where`. */
  in(where: 'box' | 'far'): NonNullable<SpawnOptions['run']> {
    return (command, args, opts) => this.spawn(where, command, args, opts);
  }

  /** An executable that runs Chromium on the far side (Playwright's executablePath; it talks over a pipe). */
  chromium(chromiumPath = '/usr/bin/chromium'): string {
    const file = join(this.#dir, 'chromium-far');
    writeFileSync(file, `#!/bin/sh\nexec ${this.#enter('far').join(' ')} ${chromiumPath} "$@"\n`);
    chmodSync(file, 0o755);
    return file;
  }

  /** Chromium flags for pages served from the box over plain http (treated as secure, as TLS would make it). */
  chromiumArgs(origin: string): string[] {
    return [`--unsafely-treat-insecure-origin-as-secure=${origin}`];
  }

  async stop(): Promise<void> {
    await this.#lab.stop();
  }
}
