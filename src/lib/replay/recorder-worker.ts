/**
 * The recording's worker (worker-sink.ts): lazy BatchWriters over its own Dexie connection, with
 * @xterm/headless as the keyframe terminals (xterm.js's browser build wants a DOM).
 */
import './worker-window.ts';
// @xterm/headless's package.json names a `module` file it does not ship: its ES build by path
import { Terminal } from '@xterm/headless/lib-headless/xterm-headless.mjs';
import { SerializeAddon } from '@xterm/addon-serialize';
import { BatchWriter } from './batch-writer.ts';
import { ReplayDb } from './db.ts';
import type { XtermKit } from './term-model.ts';
import { serveBatches, type PortLike } from './worker-sink.ts';

const kit = { Terminal, SerializeAddon } as unknown as XtermKit;
const db = new ReplayDb();
// lazy: the model runs while output is quiet, not beside the live page parsing the same output
serveBatches(self as unknown as PortLike, (meta) => new BatchWriter(db, meta, kit, { lazy: true }));
