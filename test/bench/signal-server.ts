// The signaling server as the `signal` bench measures it: the product's startSignaling in a
// process of its own, API rate limits off and socket caps raised (the load generator mints every
// credential from one address), nothing logged; with REDIS=URL one instance of a scale-out pair.
import { startSignaling } from '../../signaling/server.ts';

const server = await startSignaling({
  port: 0,
  staticDir: null,
  limits: null,
  maxSockets: 100_000,
  maxSocketsPerAddress: 100_000,
  redis: process.env.REDIS || null,
  log: () => {}
});
console.log(`listening on ${server.url}`);
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
