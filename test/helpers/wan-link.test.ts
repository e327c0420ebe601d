/**
 * The delayed link itself: a UDP round trip between its two sides takes about twice the one-way
 * delay, and some packets are lost; nothing else is affected (each side's loopback is fast).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopAll, type ManagedProcess } from './processes.ts';
import { WanLink } from './wan-link.ts';

let lab: WanLink;

/** A UDP client on one side: N round trips to `ip`'s echo server, one at a time; prints the times (ms, `lost` for none within 0.4 s). */
const PING = (ip: string, n: number) => `
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(0.4)
for i in range(${n}):
    t = time.monotonic(); s.sendto(b'%d' % i, ('${ip}', 9999))
    try:
        while int(s.recvfrom(100)[0]) != i: pass
        print(round((time.monotonic() - t) * 1000, 2), flush=True)
    except socket.timeout:
        print('lost', flush=True)`;
const ECHO = (ip: string) => `
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(('${ip}', 9999)); print('up', flush=True)
while True:
    d, a = s.recvfrom(100); s.sendto(d, a)`;

async function pings(from: 'box' | 'far', to: string, n: number, server: ManagedProcess): Promise<string[]> {
  await server.waitForLine(/^up$/, 10_000, 'stdout');
  const client = lab.spawn(from, 'python3', ['-c', PING(to, n)]);
  await client.exited;
  return client.stdout.filter((l) => l.trim() !== '');
}

beforeAll(async () => {
  lab = await WanLink.start({ delayMs: 40, jitterMs: 5, lossPct: 10 });
});

afterAll(async () => {
  await stopAll();
});

describe('WanLink', () => {
  it('delays each way and loses some packets between its two sides', async () => {
    const lines = await pings('far', lab.boxIp, 60, lab.spawn('box', 'python3', ['-c', ECHO(lab.boxIp)]));
    const times = lines.filter((l) => l !== 'lost').map(Number).sort((a, b) => a - b);
    const lost = lines.length - times.length;
    expect(lines).toHaveLength(60);
    // 10 % each way: about 11 in 60 round trips (none: one run in 300 000)
    expect(lost).toBeGreaterThan(0);
    expect(lost).toBeLessThan(30);
    expect(times[0]).toBeGreaterThan(65);
    expect(times[Math.floor(times.length / 2)]).toBeGreaterThan(72);
    expect(times[Math.floor(times.length / 2)]).toBeLessThan(110);
  });

  it("leaves each side's own loopback fast", async () => {
    const lines = await pings('box', '127.0.0.1', 20, lab.spawn('box', 'python3', ['-c', ECHO('127.0.0.1')]));
    expect(lines.every((l) => l !== 'lost' && Number(l) < 20)).toBe(true);
  });
});
