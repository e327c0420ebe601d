// The log pipeline's thread (pipeline-client.ts starts it): redaction, parsing, the histories and
// the filter (pipeline.ts) run here, not on the loop that serves the terminal and the mesh. Its
// nice value is raised (on Linux, per thread), so on a busy box the terminal wins the cores and a
// log flood only waits. User regexes run one thread further (regex-worker.ts), under a budget.
// Erasable TypeScript only: Node runs it with type stripping.
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { toColumns, type FromPipeline, type PipelineData, type ToPipeline } from './pipeline-messages.ts';
import { Pipeline } from './pipeline.ts';
import { RegexWorker, SlowRegexError } from './regex-worker.ts';

const data = workerData as PipelineData;
const port = parentPort!;
const send = (m: FromPipeline, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

try {
  // /proc/thread-self is this thread's entry: its name is the thread's id for setpriority()
  const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
  if (data.nice > 0 && tid > 0) setPriority(tid, Math.min(19, data.nice));
} catch {
  /* not Linux: the thread runs at the host's priority */
}

const regex = new RegexWorker(data.regexBudgetMs);
const pipeline = new Pipeline(regex);

port.on('message', (m: ToPipeline) => {
  switch (m.type) {
    case 'source':
      return pipeline.addSource(m.src, m.historyBytes, m.seq);
    case 'filter':
      return pipeline.setFilter(m.gen, m.filter);
    case 'lines':
      return void pipeline.ingest(m.batches, Date.now(), m.live).then(({ gen, lines, slow }) => {
        const cols = toColumns(lines);
        send({ type: 'ingested', n: m.n, chars: m.chars, gen, lines: cols, ...(slow ? { slow } : {}) }, [cols.numbers.buffer as ArrayBuffer]);
      });
    case 'search':
      return void pipeline.search(m.gen, m.max).then(
        (lines) => send({ type: 'found', req: m.req, lines }),
        (e: Error) => send({ type: 'found', req: m.req, lines: null, ...(e instanceof SlowRegexError ? { slow: e.message } : {}) })
      );
    case 'context':
      return send({ type: 'found', req: m.req, lines: pipeline.context(m.src, m.seq, m.before, m.after) });
  }
});

send({ type: 'ready' });
