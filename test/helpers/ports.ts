import { createServer } from 'node:net';

/** A loopback port that was free a moment ago: nothing listens there (for "unreachable" tests). */
export function unusedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}
