/**
 * A small internet inside network namespaces, for tests of NAT traversal: a "public" network
 * (203.0.113.0/24, a bridge) where signaling and coturn run, and private networks each behind a
 * router namespace that masquerades them, as a home router does:
 *
 *   lan "a" 10.1.0.2 ── rtr-a (NAT) 203.0.113.11 ─┐
 *   lan "b" 10.2.0.2 ── rtr-b (NAT) 203.0.113.12 ─┴─ br0 203.0.113.1 (public: signaling, coturn)
 *
 * NAT kinds: `cone` (MASQUERADE keeps the source port: endpoint-independent mapping, so STUN's
 * answer is the address peers can use), `symmetric` (`--random-fully`: a new port per
 * destination, so only a relay works), `udp-blocked` (no UDP leaves: TURN over TCP only). The
 * private networks have no route to each other.
 *
 * The lab is one process (`unshare -n -m`, a tmpfs on /run for `ip netns`); everything in it is
 * started with nsenter, so the test process itself stays where it is. Needs root.
 */
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnProcess, type ManagedProcess, type SpawnOptions } from './processes.ts';
import { makeTempDir } from './tmp.ts';

export type NatKind = 'cone' | 'symmetric' | 'udp-blocked';

export const PUBLIC_IP = '203.0.113.1';

function setupScript(lans: [string, NatKind][]): string {
  const lines = [
    'set -e',
    'mount -t tmpfs tmpfs /run',
    'ip link set lo up',
    'ip link add br0 type bridge',
    `ip addr add ${PUBLIC_IP}/24 dev br0`,
    'ip link set br0 up'
  ];
  lans.forEach(([name, nat], i) => {
    const r = `rtr-${name}`;
    const n = i + 1;
    lines.push(
      `ip netns add ${r}`,
      `ip netns add ${name}`,
      `ip link add wan-${name} type veth peer name wan0 netns ${r}`,
      `ip link set wan-${name} master br0 up`,
      `ip -n ${r} link set lo up`,
      `ip -n ${r} addr add 203.0.113.${10 + n}/24 dev wan0`,
      `ip -n ${r} link set wan0 up`,
      `ip -n ${r} link add lan0 type veth peer name eth0 netns ${name}`,
      `ip -n ${r} addr add 10.${n}.0.1/24 dev lan0`,
      `ip -n ${r} link set lan0 up`,
      `ip -n ${name} link set lo up`,
      `ip -n ${name} addr add 10.${n}.0.2/24 dev eth0`,
      `ip -n ${name} link set eth0 up`,
      `ip -n ${name} route add default via 10.${n}.0.1`,
      `ip netns exec ${r} sysctl -qw net.ipv4.ip_forward=1`,
      `ip netns exec ${r} iptables -t nat -A POSTROUTING -o wan0 -j MASQUERADE${nat === 'symmetric' ? ' --random-fully' : ''}`,
      // Unsolicited packets are dropped, as a home router's firewall does. Without this, a peer's
      // check that arrives before ours went out leaves a conntrack entry that makes the NAT pick
      // another port for our own packets: hole punching would fail even behind a cone NAT.
      `ip netns exec ${r} iptables -A INPUT -i wan0 -m conntrack --ctstate NEW -j DROP`
    );
    if (nat === 'udp-blocked') lines.push(`ip netns exec ${r} iptables -A FORWARD -p udp -j DROP`);
  });
  lines.push('echo lab-ready', 'exec sleep infinity');
  return lines.join('\n');
}

export class NatLab {
  readonly publicIp = PUBLIC_IP;
  readonly #lab: ManagedProcess;
  readonly #dir = makeTempDir('live-sessions-lab-');
  readonly #lans: Map<string, { nat: NatKind; ip: string; routerIp: string }>;

  private constructor(lab: ManagedProcess, lans: [string, NatKind][]) {
    this.#lab = lab;
    this.#lans = new Map(lans.map(([name, nat], i) => [name, { nat, ip: `10.${i + 1}.0.2`, routerIp: `203.0.113.${11 + i}` }]));
  }

  /** Builds the lab with one private network per entry, e.g. `{ a: 'cone', b: 'symmetric' }`. */
  static async start(lans: Record<string, NatKind>): Promise<NatLab> {
    const list = Object.entries(lans);
    for (const [name] of list) if (!/^[a-z][a-z0-9]{0,7}$/.test(name)) throw new Error(`lan name ${name}: a-z0-9, up to 8 characters`);
    const lab = spawnProcess('unshare', ['-n', '-m', '--propagation', 'private', 'bash', '-c', setupScript(list)]);
    try {
      await lab.waitForLine(/^lab-ready$/, 15_000, 'stdout');
    } catch (e) {
      await lab.stop();
      throw new Error(`could not build the NAT lab (needs root, iproute2 and iptables: bash scripts/setup.sh --test): ${(e as Error).message}`);
    }
    return new NatLab(lab, list);
  }

  /** The private address of a host in `lan`, and its router's public one. */
  lan(name: string): { nat: NatKind; ip: string; routerIp: string } {
    const l = this.#lans.get(name);
    if (!l) throw new Error(`no lan ${name} in this lab`);
    return l;
  }

  /** The argv prefix that runs a command in the public network or in a lan. */
  #enter(where: string): string[] {
    const pid = String(this.#lab.pid);
    if (where === 'public') return ['nsenter', '-t', pid, '-m', '-n', '--'];
    this.lan(where);
    return ['nsenter', '-t', pid, '-m', '--', 'ip', 'netns', 'exec', where];
  }

  /** Starts a program in the public network or in a lan (registered with processes.ts, so stopAll ends it). */
  spawn(where: string, command: string, args: string[], opts?: SpawnOptions): ManagedProcess {
    const [cmd, ...pre] = this.#enter(where);
    return spawnProcess(cmd, [...pre, command, ...args], { ...opts, run: undefined });
  }

  /** For SpawnOptions.run: start it in `where`. */
  in(where: string): NonNullable<SpawnOptions['run']> {
    return (command, args, opts) => this.spawn(where, command, args, opts);
  }

  /** An executable that runs Chromium in `lan` (Playwright's executablePath; it talks over a pipe). */
  chromium(lan: string, chromiumPath = '/usr/bin/chromium'): string {
    const file = join(this.#dir, `chromium-${lan}`);
    writeFileSync(file, `#!/bin/sh\nexec ${this.#enter(lan).join(' ')} ${chromiumPath} "$@"\n`);
    chmodSync(file, 0o755);
    return file;
  }

  async stop(): Promise<void> {
    await this.#lab.stop();
  }
}
