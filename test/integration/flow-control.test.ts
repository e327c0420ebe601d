/**
 * Flow control end to end, with the page's own parts: a participant whose terminal parses slowly
 * (the product's XtermFeed over a stand-in for xterm that parses 2 MB/s) follows a 16 MB burst in
 * a real PTY over real WebRTC. It never holds more than a bounded backlog, it is brought to the
 * present with a snapshot that replaces what it had queued (and is told it skipped), and its final
 * screen shows the end of the output, as the other participant's does.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { PAGE_HIGH_WATER_BYTES } from '../../host-agent/terminals/hub.ts';
import { XtermFeed, type FeedTarget } from '../../src/lib/terminal/xterm-feed.ts';
import type { NodePeer } from '../helpers/node-peer.ts';
import { useStack } from '../helpers/stack.ts';
import { TermScreen } from '../helpers/term-screen.ts';
import { until } from '../helpers/wait.ts';

/** How fast the stand-in terminal parses, bytes per 10 ms tick (2 MB/s). */
const PARSE_BYTES_PER_TICK = 20_000;

/** A terminal that parses its queue in order at a fixed rate; `text` is what it shows since its last reset. */
class SlowTerminal implements FeedTarget {
  cols = 80;
  rows = 24;
  text = '';
  parsedBytes = 0;
  #queue: { data: string; parsed: () => void }[] = [];
  #dec = new TextDecoder();
  #timer = setInterval(() => this.#tick(), 10);

  write(data: Uint8Array | string, parsed: () => void): void {
    this.#queue.push({ data: typeof data === 'string' ? data : this.#dec.decode(data), parsed });
  }
  reset(): void {
    this.text = '';
  }
  resize(cols: number, rows: number): void {
    this.cols = cols;
    this.rows = rows;
  }
  #tick(): void {
    let budget = PARSE_BYTES_PER_TICK;
    while (budget > 0 && this.#queue.length) {
      const q = this.#queue.shift()!;
      this.text = (this.text + q.data).slice(-4096);
      this.parsedBytes += q.data.length;
      budget -= q.data.length;
      q.parsed();
    }
  }
  dispose(): void {
    clearInterval(this.#timer);
  }
}

const stack = useStack();
const slowParts: SlowTerminal[] = [];

afterAll(() => {
  for (const s of slowParts) s.dispose();
});

async function join(name: string): Promise<NodePeer> {
  const p = await stack.join('editor', name);
  await p.peer('host');
  return p;
}

describe('flow control with a slow page', () => {
  it('bounds what a slow page holds, brings it to the final screen with a snapshot, and says it skipped', async () => {
    const id = stack.agent.terminals.list()[0].id;
    const fast = await join('Fast Fay');
    const slowPeer = await join('Slow Sam');
    const screen = new TermScreen(fast.terminals, id);
    const slow = new SlowTerminal();
    slowParts.push(slow);
    let skips = 0;
    const feed = new XtermFeed(slow, () => skips++);
    slowPeer.terminals.attach(id, feed);
    await until(() => screen.snapshots.length > 0 && slow.text.length > 0, 'both snapshots');
    let maxBacklog = 0;
    const sample = setInterval(() => (maxBacklog = Math.max(maxBacklog, feed.backlog)), 5);
    const before = slow.parsedBytes;
    try {
      fast.terminals.input(id, 'yes 0123456789abcdefghijklmnopqrstuvwxyz | head -c 16000000; echo; echo END-$((6*7))\r');
      const t0 = Date.now();
      await screen.waitFor(/END-42/, 60_000);
      const fastMs = Date.now() - t0;
      // it does not parse the bytes it is still missing: a snapshot takes their place
      await until(() => /END-42/.test(slow.text), 'the slow page to show the end of the output', 5_000);
      console.log(`fast page: END after ${fastMs} ms; slow page: ${Date.now() - t0} ms, ${slow.parsedBytes - before} bytes parsed, ${skips} skips, hub ${JSON.stringify(stack.agent.hub.stats)}`);
    } finally {
      clearInterval(sample);
    }
    expect(skips).toBeGreaterThan(0);
    // while the burst goes on it sees frames of the screen, not the flood (mosh's idea): what it
    // parses stays far below the output, whatever the burst's length
    expect(slow.parsedBytes - before).toBeLessThan(16_000_000 / 4);
    expect(maxBacklog).toBeGreaterThan(0);
    expect(maxBacklog).toBeLessThan(PAGE_HIGH_WATER_BYTES * 2);
    // the screen frames may already show the end; once output stops, the snapshot with the
    // scrollback follows (CI: END was on the slow page from a frame, before that snapshot)
    await until(() => stack.agent.hub.stats.pageResyncs > 0, 'the snapshot with the scrollback once output stopped', 10_000);
  });

  it('a page that keeps up gets frames of a flood, not every byte, and the final screen at its end', async () => {
    const id = stack.agent.terminals.list()[0].id;
    const quick = await join('Quick Quinn');
    const screen = new CountingScreen(quick.terminals, id);
    await until(() => screen.snapshots.length > 0, 'its snapshot');
    const skipsBefore = stack.agent.hub.stats.floodSkips;
    const bytesBefore = screen.bytes;
    quick.terminals.input(id, 'yes 0123456789abcdefghijklmnopqrstuvwxyz | head -c 16000000; echo; echo FLOOD-$((6*8))\r');
    await screen.waitFor(/FLOOD-48/, 60_000);
    console.log(`page that keeps up: ${screen.bytes - bytesBefore} bytes live, ${screen.snapshots.length} snapshots, hub ${JSON.stringify(stack.agent.hub.stats)}`);
    // it acknowledges at once, so only the flood rule keeps the 16 MB from it
    expect(stack.agent.hub.stats.floodSkips).toBeGreaterThan(skipsBefore);
    expect(screen.bytes - bytesBefore).toBeLessThan(16_000_000 / 4);
  });
});

/** A screen that counts the live bytes it was given. */
class CountingScreen extends TermScreen {
  bytes = 0;
  override write(data: Uint8Array, done: () => void): void {
    this.bytes += data.length;
    super.write(data, done);
  }
}
