// The thread that runs participants' regexes (regex-worker.ts): the host's main loop never does,
// so a pattern that backtracks for minutes only costs this thread, which the host ends when its
// time budget is over. Plain JavaScript syntax only: Node runs it with type stripping.
import { parentPort } from 'node:worker_threads';

let cached = { key: '', re: /$^/ };

parentPort?.on('message', (m: { id: number; source: string; flags: string; texts: string[] }) => {
  try {
    const key = m.flags + '/' + m.source;
    if (cached.key !== key) cached = { key, re: new RegExp(m.source, m.flags) };
    const re = cached.re;
    const hits: number[] = [];
    for (let i = 0; i < m.texts.length; i++) if (re.test(m.texts[i])) hits.push(i);
    parentPort?.postMessage({ id: m.id, hits });
  } catch (e) {
    parentPort?.postMessage({ id: m.id, error: String((e as Error).message) });
  }
});

// loaded and listening: the host starts timing patterns from here, not from the thread's start-up
parentPort?.postMessage({ ready: true });
