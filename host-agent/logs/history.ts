/**
 * The recent past of one source: its last `maxBytes` of (redacted) lines, in blocks so that the
 * oldest go a block at a time and a line is found by its number without a search through every
 * line. Lines are kept as LogLine objects (`seq` = the line's number in its source).
 */
import type { LogLine } from '../../src/lib/protocol/logs.ts';

const BLOCK_LINES = 4096;

interface Block {
  first: number;
  lines: LogLine[];
  bytes: number;
}

export class History {
  readonly maxBytes: number;
  #blocks: Block[] = [];
  #bytes = 0;

  constructor(maxBytes: number) {
    this.maxBytes = maxBytes;
  }

  get bytes(): number {
    return this.#bytes;
  }

  get size(): number {
    return this.#blocks.reduce((n, b) => n + b.lines.length, 0);
  }

  push(line: LogLine): void {
    let last = this.#blocks.at(-1);
    if (!last || last.lines.length >= BLOCK_LINES) this.#blocks.push((last = { first: line.seq, lines: [], bytes: 0 }));
    last.lines.push(line);
    // ~ bytes of the text plus the object around it
    const cost = line.text.length + 48;
    last.bytes += cost;
    this.#bytes += cost;
    while (this.#bytes > this.maxBytes && this.#blocks.length > 1) this.#bytes -= this.#blocks.shift()!.bytes;
  }

  /** The line numbered `seq`, if still kept. */
  get(seq: number): LogLine | undefined {
    const blocks = this.#blocks;
    let lo = 0;
    let hi = blocks.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const b = blocks[mid];
      if (seq < b.first) hi = mid - 1;
      else if (seq >= b.first + b.lines.length) lo = mid + 1;
      else return b.lines[seq - b.first];
    }
    return undefined;
  }

  /** Lines from `from` to `to` (inclusive) that are still kept. */
  range(from: number, to: number): LogLine[] {
    const out: LogLine[] = [];
    for (let s = from; s <= to; s++) {
      const l = this.get(s);
      if (l) out.push(l);
    }
    return out;
  }

  /** Newest first, a block at a time (the caller stops when it has enough). */
  *blocksNewestFirst(): Generator<LogLine[]> {
    for (let i = this.#blocks.length - 1; i >= 0; i--) yield this.#blocks[i].lines;
  }
}
