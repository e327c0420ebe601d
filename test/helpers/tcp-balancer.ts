/**
 * The smallest load balancer: a TCP proxy on a free loopback port that sends each new connection
 * to the first backend that accepts it (fail-over, as a balancer does once a health check or a
 * refused connection takes a backend out). Enough to put two signaling instances behind one URL.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface Balancer {
  url: string;
  close(): Promise<void>;
}

export async function startBalancer(backends: { host: string; port: number }[]): Promise<Balancer> {
  const open = new Set<Socket>();
  const server: Server = createServer((client) => {
    open.add(client);
    client.on('close', () => open.delete(client));
    client.pause();
    const tryNext = (i: number): void => {
      if (i >= backends.length) return void client.destroy();
      const up = connect(backends[i].port, backends[i].host);
      up.once('error', () => tryNext(i + 1));
      up.once('connect', () => {
        up.removeAllListeners('error');
        open.add(up);
        up.on('close', () => open.delete(up));
        up.on('error', () => client.destroy());
        client.on('error', () => up.destroy());
        client.pipe(up).pipe(client);
        client.resume();
      });
    };
    tryNext(0);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((r) => {
        for (const s of open) s.destroy();
        server.close(() => r());
      })
  };
}
