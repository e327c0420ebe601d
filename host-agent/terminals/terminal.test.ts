import { afterEach, describe, expect, it } from 'vitest';
import { tmpdir } from 'node:os';
import { HostTerminal, MAX_CHUNK_BYTES, MIRROR_HIGH_WATER_BYTES, type TerminalOptions } from './terminal.ts';
import { pidGone, replay, waitFor } from './testing.ts';

/** Largest single read node-pty hands us, bytes (what may land on the mirror before a pause). */
const PTY_READ_BYTES = 64 * 1024;

const open: HostTerminal[] = [];
afterEach(() => {
  for (const t of open.splice(0)) t.dispose();
});

/** bash without rc files and with a fixed prompt; records every chunk and the decoded text. */
function bash(opts: Partial<TerminalOptions> = {}) {
  const t = new HostTerminal({
    id: 1,
    shell: '/bin/bash',
    args: ['--norc', '--noprofile'],
    cwd: tmpdir(),
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: tmpdir(), PS1: '$ ', HISTFILE: '/dev/null' },
    ...opts
  });
  open.push(t);
  const chunks: { seq: number; data: Uint8Array }[] = [];
  const dec = new TextDecoder();
  let text = '';
  t.onOutput((seq, data) => {
    chunks.push({ seq, data: data.slice() });
    text += dec.decode(data, { stream: true });
  });
  // markers are computed by the shell ($((…))), so the echoed command line never matches them
  const until = (marker: string, ms = 5000) => waitFor(`"${marker}" in the output`, () => text.includes(marker), ms);
  return { t, chunks, text: () => text, until };
}

describe('HostTerminal', () => {
  it("answers the program's terminal queries from the mirror, once, with nobody watching", async () => {
    const { t, until } = bash();
    await until('$ ');
    // ask for the cursor position (DSR 6) and the primary device attributes, and print the replies
    t.write(`printf '\\033[6n'; IFS= read -rs -d R pos; printf '\\033[c'; IFS= read -rs -d c da; echo "POS=\${pos#*[} DA=\${da#*[} $((6*7))"\r`);
    await until('42');
    const m = /POS=(\d+;\d+) DA=(\?[\d;]+) 42/.exec((await t.snapshot()).data);
    expect(m?.[1]).toMatch(/^\d+;\d+$/);
    expect(m?.[2]).toMatch(/^\?\d/);
  });

  it('numbers echoed output 1, 2, 3… in frame-sized chunks, byte-exact, with the shell environment', async () => {
    const { t, chunks, until } = bash();
    expect(t.info).toEqual({ id: 1, title: 'bash', cols: 80, rows: 24, exit: null });
    t.write('echo "$TERM $COLORTERM $LIVE_SESSIONS" env-$((6*7))\r');
    await until('xterm-256color truecolor 1 env-42');
    t.write(new TextEncoder().encode("printf 'raw-\\xff\\xfe-%s\\n' $((1+1)); echo raw-done-$((2*4))\r"));
    await until('raw-done-8');
    expect(chunks.map((c) => c.seq)).toEqual(chunks.map((_, i) => i + 1));
    expect(t.seq).toBe(chunks.length);
    expect(Math.max(...chunks.map((c) => c.data.length))).toBeLessThanOrEqual(MAX_CHUNK_BYTES);
    const all = Buffer.concat(chunks.map((c) => c.data));
    expect(all.includes(Buffer.from([0x72, 0x61, 0x77, 0x2d, 0xff, 0xfe, 0x2d, 0x32]))).toBe(true);
  });

  it('writes input in call order and splits big output into chunks of at most MAX_CHUNK_BYTES', async () => {
    const { t, chunks, until } = bash();
    for (const part of ['ec', 'ho ', 'ord', 'er-$((', '1+2))', '; head -c 100000 /dev/zero | tr "\\0" a; echo big-$((5*5))', '\r']) t.write(part);
    await until('order-3');
    await until('big-25');
    expect(chunks.some((c) => c.data.length === MAX_CHUNK_BYTES) || chunks.length > 6).toBe(true);
    expect(Math.max(...chunks.map((c) => c.data.length))).toBeLessThanOrEqual(MAX_CHUNK_BYTES);
  });

  it('snapshots the screen after printf with the seq of the last chunk', async () => {
    const { t, until } = bash();
    t.write("printf '\\e[1msnap-%s\\e[0m\\n' $((40+2)); printf '\\e]0;my-title\\a'\r");
    await until('snap-42');
    await waitFor('the title', () => t.info.title === 'my-title');
    const s = await t.snapshot();
    expect(s.seq).toBe(t.seq);
    expect([s.cols, s.rows]).toEqual([80, 24]);
    const screen = await replay(s.cols, s.rows, [s.data]);
    expect(screen.lines).toContain('snap-42');
    expect(s.data).toContain('\x1b[1m');
  });

  it('snapshot + later chunks (live or from tail) rebuild the screen of a mirror that saw everything', async () => {
    // scrollback holds all of it, so a lost or doubled chunk anywhere shows in the final buffer
    const { t, chunks, text, until } = bash({ cols: 100, rows: 30, scrollback: 10_000 });
    // coloured, wrapping, multi-byte lines: chunk boundaries fall inside sequences and characters
    t.write(`perl -CS -e 'for $i (1..4000) { printf "\\e[3%dm%05d %s\\x{20ac}\\e[0m\\n", $i%8, $i, "\\x{e9}" x ($i%150) }'; echo heavy-$((9*9))\r`);
    await until('$ perl');
    type Taken = { snap: Awaited<ReturnType<HostTerminal['snapshot']>>; tail: { seq: number; data: Uint8Array }[] };
    const taken: Promise<Taken>[] = [];
    const take = () =>
      taken.push(
        t.snapshot().then((snap) => ({
          snap,
          // in the same continuation, as a subscriber would: everything after the snapshot so far
          tail: (t.tail(snap.seq + 1) ?? []).map((c) => ({ seq: c.seq, data: c.data.slice() }))
        }))
      );
    // ask while a chunk was just handed to the mirror and is not parsed yet, and from timers
    // (waitFor's poll), away from chunk boundaries, every few chunks
    const off = t.onOutput((seq) => seq % 13 === 0 && taken.length < 40 && take());
    let done = false;
    const timed = (async () => {
      while (!done) {
        take();
        // one at a time: each snapshot of 10 000 lines is ~100 ms of the mirror's thread on a loaded
        // machine, and a queue of them held the PTY back until the test ran out of time
        await taken[taken.length - 1];
        const from = t.seq;
        await waitFor('more output', () => done || t.seq >= from + 3, 15000);
      }
    })();
    // the shell is idle at its prompt again: no chunk comes after this, so `chunks` is final
    await waitFor('the prompt after heavy-81', () => text().includes('heavy-81') && text().endsWith('$ '), 15000);
    done = true;
    off();
    await timed;
    const last = t.seq;
    const during = (await Promise.all(taken)).filter((x) => x.snap.seq > 1 && x.snap.seq < last - 10);
    expect(during.length).toBeGreaterThan(2);
    const whole = await replay(100, 30, chunks.map((c) => c.data), 10_000);
    expect(whole.lines.length).toBeLessThan(10_000);
    // a few of each kind: the first ones came from onOutput, the timer ones are spread out
    for (const { snap, tail } of [...during.slice(0, 4), ...during.filter((_, i) => i % 7 === 3).slice(0, 4)]) {
      const live = await replay(snap.cols, snap.rows, [snap.data, ...chunks.filter((c) => c.seq > snap.seq).map((c) => c.data)], 10_000);
      expect(live.lines).toEqual(whole.lines);
      expect(live.cursor).toEqual(whole.cursor);
      const after = tail.length ? tail[tail.length - 1].seq : snap.seq;
      expect(tail.every((c, i) => c.seq === snap.seq + 1 + i)).toBe(true);
      const resumed = await replay(snap.cols, snap.rows, [snap.data, ...tail.map((c) => c.data), ...chunks.filter((c) => c.seq > after).map((c) => c.data)], 10_000);
      expect(resumed.lines).toEqual(whole.lines);
    }
  }, 30_000);

  it('tail() returns the chunks after a seq, [] when up to date and null when older than the ring', async () => {
    const { t, chunks, until } = bash();
    t.write('echo small-$((2*2))\r');
    await until('small-4');
    await until('$ ');
    expect(t.tail(1)!.map((c) => c.seq)).toEqual(chunks.map((c) => c.seq));
    // 3 MB of output pushes the first chunks out of the 2 MiB ring
    t.write('head -c 3000000 /dev/zero | tr "\\0" b; echo ring-$((3*3))\r');
    await until('ring-9', 10000);
    await waitFor('the prompt', () => t.seq === chunks.length && Buffer.from(chunks[chunks.length - 1].data).toString().endsWith('$ '));
    const seq = t.seq;
    expect(t.tail(seq + 1)).toEqual([]);
    const last3 = t.tail(seq - 2)!;
    expect(last3.map((c) => c.seq)).toEqual([seq - 2, seq - 1, seq]);
    expect(Buffer.from(last3[2].data)).toEqual(Buffer.from(chunks[chunks.length - 1].data));
    expect(t.tail(1)).toBeNull();
    expect(t.tail(seq + 5)).toBeNull();
  }, 20_000);

  it('resize changes `stty size`, clamped to the protocol bounds', async () => {
    const { t, until } = bash();
    const changes: string[] = [];
    t.onChange(() => changes.push(`${t.info.cols}x${t.info.rows}`));
    t.resize(100, 30);
    t.write('echo size-$((1)) $(stty size)\r');
    await until('size-1 30 100');
    t.resize(10_000, 0);
    expect([t.info.cols, t.info.rows]).toEqual([500, 1]);
    t.write('echo size-$((2)) $(stty size)\r');
    await until('size-2 1 500');
    t.resize(500, 1); // unchanged: no event
    expect(changes).toEqual(['100x30', '500x1']);
    const s = await t.snapshot();
    expect([s.cols, s.rows]).toEqual([500, 1]);
  });

  it('reports the exit code, ignores input afterwards, and restarts with the history kept', async () => {
    const { t, chunks, until } = bash();
    expect(() => t.restart()).toThrow(/still running/);
    const exits: [number, number][] = [];
    let changes = 0;
    t.onExit((code, signal) => exits.push([code, signal]));
    t.onChange(() => changes++);
    t.write('echo before-$((2+3)); exit 3\r');
    await waitFor('exit', () => exits.length === 1);
    expect(exits).toEqual([[3, 0]]);
    expect(t.info.exit).toEqual({ code: 3, signal: 0 });
    expect(t.pid).toBeNull();
    expect(changes).toBe(1);
    t.write('echo ignored\r');
    const seqAtExit = t.seq;
    t.restart();
    expect(t.info.exit).toBeNull();
    expect(changes).toBe(2);
    t.write('echo after-$((3+4))\r');
    await until('after-7');
    expect(t.seq).toBeGreaterThan(seqAtExit);
    expect(chunks.map((c) => c.seq)).toEqual(chunks.map((_, i) => i + 1));
    const screen = await replay(80, 24, [(await t.snapshot()).data]);
    const text = screen.lines.join('\n');
    expect(text).toContain('before-5');
    expect(text).toContain('--- restarted ---');
    expect(text).toContain('after-7');
    expect(text).not.toContain('ignored\n');
  });

  it('dispose kills the shell and its jobs', async () => {
    const { t, text, until } = bash();
    const shellPid = t.pid!;
    t.write('sleep 1000 & echo bg-$((1))-$!\r');
    await until('bg-1-');
    await waitFor('the job pid', () => /bg-1-(\d+)\r/.test(text()));
    const jobPid = Number(/bg-1-(\d+)\r/.exec(text())![1]);
    expect(pidGone(shellPid)).toBe(false);
    expect(pidGone(jobPid)).toBe(false);
    t.dispose();
    t.dispose(); // idempotent
    await waitFor('the shell and its job to end', () => pidGone(shellPid) && pidGone(jobPid), 4000);
    await expect(t.snapshot()).rejects.toThrow(/closed/);
  });

  it('flow control keeps the mirror backlog bounded under `yes | head -c 50000000`', async () => {
    const { t } = bash();
    let maxPending = 0;
    let bytes = 0;
    t.onOutput((_seq, data) => {
      bytes += data.length;
      maxPending = Math.max(maxPending, t.pendingBytes);
    });
    t.write('yes | head -c 50000000\r');
    // a sustained flood: several times the high-water mark has gone through the mirror
    await waitFor('4 MB of output', () => bytes > 4_000_000, 15000);
    expect(maxPending).toBeLessThanOrEqual(MIRROR_HIGH_WATER_BYTES + PTY_READ_BYTES);
  });

  it('pauses the PTY while the mirror lags and loses nothing', async () => {
    const highWaterBytes = 32 * 1024;
    const { t, until } = bash({ flowControl: { highWaterBytes, lowWaterBytes: 8 * 1024 } });
    let maxPending = 0;
    let paused = false;
    let bytes = 0;
    t.onOutput((_seq, data) => {
      bytes += data.length;
      maxPending = Math.max(maxPending, t.pendingBytes);
      // the pause is decided right after the listeners ran
      queueMicrotask(() => (paused ||= t.flowPaused));
    });
    // a 24-colour SGR per character: slow to parse, fast to produce (10 MB)
    t.write(`perl -e 'print "\\e[38;2;1;2;3;48;2;4;5;6mx" x 400000'; echo; echo sgr-$((4*4))\r`);
    await until('sgr-16', 15000);
    expect(paused).toBe(true);
    expect(maxPending).toBeLessThanOrEqual(highWaterBytes + PTY_READ_BYTES);
    expect(bytes).toBeGreaterThan(400000 * 25);
  }, 20_000);

  it('delivers all output of a shell that exits while the PTY is paused', async () => {
    const { t, text } = bash({ flowControl: { highWaterBytes: 16 * 1024, lowWaterBytes: 4 * 1024 } });
    let bytes = 0;
    t.onOutput((_seq, data) => (bytes += data.length));
    const exited = new Promise<number>((r) => t.onExit((code) => r(code)));
    t.write(`perl -e 'print "\\e[38;2;1;2;3;48;2;4;5;6mx" x 200000; print "\\nend-", 6*7, "\\n"'; exit 5\r`);
    expect(await exited).toBe(5);
    expect(text()).toContain('end-42');
    expect(bytes).toBeGreaterThan(200000 * 25);
  }, 20_000);

  it('holds reading the PTY while held (the record fell behind), whatever the mirror, and goes on when released', async () => {
    const { t, until, text } = bash();
    await until('$ ');
    // the command waits for one more line: its output starts once held
    t.write(`read go; seq 1 200000; echo held-$((6*7))\r`);
    await until('held-$((6*7))');
    t.hold(true);
    expect(t.flowPaused).toBe(true);
    let during = 0;
    const off = t.onOutput((_seq, data) => (during += data.length));
    t.write('\r');
    const atHold = during;
    // nothing read while held: the kernel's PTY buffer fills and the writer waits (unheld, 1.3 MB
    // of seq arrive well within this window)
    await expect(waitFor('more output while held', () => during - atHold > PTY_READ_BYTES, 500)).rejects.toThrow(/timed out/);
    expect(text()).not.toContain('held-42');
    t.hold(false);
    await until('held-42', 10_000);
    expect(text()).toContain('\r\n200000\r\n');
    off();
  }, 20_000);
});
