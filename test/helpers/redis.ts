/**
 * A real redis-server (Debian's) on a free loopback port, in memory only (no RDB, no AOF), for
 * the scale-out tests. `stop()` takes it down (Redis down); `restart()` brings it back on the
 * same port, empty.
 */
import { spawnProcess, type ManagedProcess } from './processes.ts';
import { unusedPort } from './ports.ts';

export interface RedisServer {
  url: string;
  port: number;
  stop(): Promise<void>;
  restart(): Promise<void>;
}

async function launch(port: number): Promise<ManagedProcess> {
  const p = spawnProcess('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no']);
  await p.waitForLine(/Ready to accept connections/, 10_000);
  return p;
}

export async function startRedis(): Promise<RedisServer> {
  // a port free a moment ago may be taken before redis binds it: try a few
  for (let attempt = 0; ; attempt++) {
    const port = await unusedPort();
    let proc: ManagedProcess;
    try {
      proc = await launch(port);
    } catch (e) {
      if (attempt < 3) continue;
      throw e;
    }
    return {
      url: `redis://127.0.0.1:${port}`,
      port,
      async stop() {
        await proc.stop();
      },
      async restart() {
        proc = await launch(port);
      }
    };
  }
}
