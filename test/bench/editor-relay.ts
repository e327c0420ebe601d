// The editor bench's comparison: a Hocuspocus 4 server (the relay most Yjs apps self-host), with
// its defaults and no extension, on 127.0.0.1 and a free port, in a process of its own as a relay
// would be. Prints {"port":N}; SIGTERM ends it.
// Usage: node test/bench/editor-relay.ts
import { Server } from '@hocuspocus/server';

const server = new Server({ port: 0, address: '127.0.0.1', quiet: true, stopOnSignals: false });
await server.listen();
console.log(JSON.stringify({ port: server.address.port }));
process.on('SIGTERM', async () => {
  await server.destroy();
  process.exit(0);
});
