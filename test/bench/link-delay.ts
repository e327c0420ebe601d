// A link delay in user space, for the editor bench's delayed profile. The bench's namespace runs
// on a kernel without netem (`tc qdisc add … netem` answers "Specified qdisc kind is unknown"), so
// links are lengthened by forwarding through a socket that holds every packet or chunk for a
// fixed time, in each direction:
//  - delayTcp: a TCP proxy in front of a relay (Hocuspocus 25 ms from everyone);
//  - delayedPeerConnection: node-datachannel's RTCPeerConnection whose remote ICE candidates are
//    rewritten to a UDP forwarder of its own, so every path between two peers crosses exactly
//    one forwarder (a direct address never reaches the other side).
// A constant delay keeps order (timers of equal duration fire in the order they were set).
import { createServer, connect, type Server, type Socket } from 'node:net';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { NodeRTCPeerConnection } from '../../host-agent/webrtc.ts';

export interface DelayTcp {
  port: number;
  close(): Promise<void>;
}

/** Listens on 127.0.0.1 (free port) and forwards to 127.0.0.1:`target`, each way `ms` later. */
export async function delayTcp(target: number, ms: number): Promise<DelayTcp> {
  const sockets = new Set<Socket>();
  const pipe = (from: Socket, to: Socket) => {
    from.on('data', (b) => setTimeout(() => to.destroyed || to.write(b), ms));
    from.on('end', () => setTimeout(() => to.end(), ms));
    from.on('error', () => to.destroy());
    from.on('close', () => to.destroy());
  };
  const server: Server = createServer((client) => {
    client.setNoDelay(true);
    const upstream = connect(target, '127.0.0.1');
    upstream.setNoDelay(true);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    }
    pipe(client, upstream);
    pipe(upstream, client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    }
  };
}

/** One remote candidate's forwarder: what we send to `outer` goes to the real address `ms` later, and back. */
class UdpForwarder {
  readonly outer: UdpSocket = createSocket('udp4');
  readonly inner: UdpSocket = createSocket('udp4');
  #local: { address: string; port: number } | null = null;
  constructor(address: string, port: number, ms: number) {
    this.outer.on('message', (b, from) => {
      this.#local = { address: from.address, port: from.port };
      setTimeout(() => this.inner.send(b, port, address), ms);
    });
    this.inner.on('message', (b) => {
      const local = this.#local;
      if (local) setTimeout(() => this.outer.send(b, local.port, local.address), ms);
    });
    this.outer.on('error', () => {});
    this.inner.on('error', () => {});
  }
  async bind(address: string): Promise<number> {
    await new Promise<void>((resolve) => this.outer.bind(0, address, resolve));
    await new Promise<void>((resolve) => this.inner.bind(0, resolve));
    return this.outer.address().port;
  }
  close(): void {
    this.outer.close();
    this.inner.close();
  }
}

/** node-datachannel's RTCPeerConnection with every remote UDP candidate `ms` away (both ways). */
export function delayedPeerConnection(ms: number): typeof RTCPeerConnection {
  const Base = NodeRTCPeerConnection as unknown as new (c?: RTCConfiguration) => RTCPeerConnection;
  class Delayed extends Base {
    #forwarders: UdpForwarder[] = [];
    async #rewrite(line: string): Promise<string | null> {
      // candidate:FOUNDATION COMPONENT udp PRIORITY ADDRESS PORT typ …
      const f = line.split(' ');
      if (f.length < 8 || f[2].toLowerCase() !== 'udp' || !/^\d+\.\d+\.\d+\.\d+$/.test(f[4])) return null;
      const fw = new UdpForwarder(f[4], Number(f[5]), ms);
      this.#forwarders.push(fw);
      f[5] = String(await fw.bind(f[4]));
      return f.join(' ');
    }
    override async setRemoteDescription(d: RTCSessionDescriptionInit): Promise<void> {
      const lines = (d.sdp ?? '').split('\r\n');
      const out: string[] = [];
      for (const l of lines) {
        if (!l.startsWith('a=candidate:')) out.push(l);
        else {
          const r = await this.#rewrite(l.slice(2));
          if (r) out.push(`a=${r}`);
        }
      }
      return super.setRemoteDescription({ type: d.type, sdp: out.join('\r\n') });
    }
    override async addIceCandidate(c?: RTCIceCandidateInit | null): Promise<void> {
      if (!c?.candidate) return super.addIceCandidate(c);
      const r = await this.#rewrite(c.candidate.replace(/^a=/, ''));
      if (r) return super.addIceCandidate({ ...c, candidate: r });
    }
    override close(): void {
      super.close();
      for (const fw of this.#forwarders.splice(0)) fw.close();
    }
  }
  return Delayed as unknown as typeof RTCPeerConnection;
}
