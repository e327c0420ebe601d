// What the product benchmarks observe inside a session page, without touching product code.
// `installProbe` runs as a Playwright init script (before the app's own code), so it may use only
// browser globals. It catches the page's SessionState as it is stored in window.__liveSessions and
// wraps `attachTerminal`: every TerminalSink that the page's xterm (TerminalView) hands in is
// replaced by a pass-through sink that timestamps what arrives and asks the real xterm for its
// write callback (= the chunk has been parsed). Times are performance.now() of the page, except
// `firstFrameAt`, which is Date.now() so Node can compare it with its own clock.

export interface EchoSample {
  key: string;
  /** keydown seen by a capturing window listener (before xterm handles it) */
  down: number;
  /** the page handed the key to SessionState.input (xterm's onData) */
  input: number;
  /** the chunk holding the echo reached the TerminalSink */
  arrived: number;
  /** xterm's write callback for that chunk: parsed */
  parsed: number;
  /** the next requestAnimationFrame after the write callback */
  paint: number;
}

export interface FlowCount {
  /** bytes that reached the sink since `arm()` */
  bytes: number;
  /** arrival of the first and of the last counted chunk (the one with the end marker) */
  first: number;
  last: number;
  /** xterm's write callback for the last chunk */
  parsedLast: number;
  /** the end marker arrived (in a chunk, or inside a snapshot after a resync) */
  done: boolean;
  /** snapshots applied since arm(): the host resynchronised this peer (bytes were skipped) */
  resets: number;
  /** xterm refused data ("write data discarded"): its input queue overflowed */
  writeErrors: number;
  /** Date.now() once the end marker was parsed (live, or in a snapshot): the final screen is in */
  doneAt: number;
}

export interface PageProbe {
  /** snapshots (sink.reset) applied so far */
  resets: number;
  /** Date.now() at the first requestAnimationFrame after the first snapshot was parsed */
  firstFrameAt: number | null;
  /** Date.now() when the app created its SessionState, and when the first snapshot arrived */
  appAt: number | null;
  snapshotAt: number | null;
  /** when each step of joining happened, performance.now() (ms since navigation start): the
   * first WebSocket opened (`ws-open`), RTCPeerConnection made (`pc`), its DTLS up (`dtls`), its
   * data channel open (`dc-open`) and its first message (`dc-message`), the app's SessionState made (`app`), its first terminal attached (`attach`), the first snapshot (`snapshot`) */
  marks: Record<string, number>;
  echoes: EchoSample[];
  /** resolves once `echoes` holds more than `n` samples */
  echoAfter(n: number, timeoutMs: number): Promise<EchoSample>;
  /** starts counting output bytes until a chunk containing `marker` (ASCII) */
  arm(marker: string): void;
  flow: FlowCount | null;
}

export function installProbe(): void {
  type Sink = {
    reset(snapshot: string, cols: number, rows: number, skipped?: boolean): void;
    write(data: Uint8Array, done?: () => void): void;
    resize(cols: number, rows: number): void;
  };
  type State = { attachTerminal(id: number, sink: Sink): () => void; input(id: number, data: string): void };
  const w = window as unknown as { __probe: PageProbe };
  let pendingKey: { key: string; down: number; input: number } | null = null;
  let echoWaiter: (() => void) | null = null;
  let marker = '';
  let tail = '';
  const decoder = new TextDecoder();

  const probe: PageProbe = {
    resets: 0,
    firstFrameAt: null,
    appAt: null,
    snapshotAt: null,
    marks: {},
    echoes: [],
    flow: null,
    echoAfter(n, timeoutMs) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no echo within ${timeoutMs} ms`)), timeoutMs);
        const check = () => {
          if (probe.echoes.length <= n) return;
          clearTimeout(timer);
          echoWaiter = null;
          resolve(probe.echoes[n]);
        };
        echoWaiter = check;
        check();
      });
    },
    arm(m) {
      marker = m;
      tail = '';
      probe.flow = { bytes: 0, first: 0, last: 0, parsedLast: 0, done: false, resets: 0, writeErrors: 0, doneAt: 0 };
    }
  };
  w.__probe = probe;

  const mark = (name: string) => (probe.marks[name] ??= performance.now());
  // the join's network steps, seen from outside the app: wrapped constructors, first of each only
  const NativeWs = window.WebSocket;
  window.WebSocket = class extends NativeWs {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      this.addEventListener('open', () => mark('ws-open'), { once: true });
    }
  };
  const NativePc = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends NativePc {
    constructor(config?: RTCConfiguration) {
      super(config);
      mark('pc');
      this.addEventListener('connectionstatechange', () => this.connectionState === 'connected' && mark('dtls'));
    }
    createDataChannel(label: string, init?: RTCDataChannelInit): RTCDataChannel {
      const dc = super.createDataChannel(label, init);
      dc.addEventListener('open', () => mark('dc-open'), { once: true });
      dc.addEventListener('message', () => mark('dc-message'), { once: true });
      return dc;
    }
  } as typeof RTCPeerConnection;

  window.addEventListener(
    'keydown',
    (e) => {
      if (e.key.length === 1) pendingKey = { key: e.key, down: performance.now(), input: 0 };
    },
    true
  );

  /** Whether the marker ends in this chunk (it may straddle two chunks). */
  const sawMarker = (data: Uint8Array): boolean => {
    const recent = decoder.decode(data.subarray(Math.max(0, data.length - 256)));
    const hit = (tail + recent).includes(marker);
    tail = recent.slice(-marker.length);
    return hit;
  };

  const wrap = (sink: Sink): Sink => {
    const write = (data: Uint8Array, done?: () => void) => {
      try {
        sink.write(data, done);
      } catch {
        if (probe.flow) probe.flow.writeErrors++;
      }
    };
    return {
      reset(snapshot, cols, rows, skipped?: boolean) {
        probe.snapshotAt ??= Date.now();
        mark('snapshot');
        sink.reset(snapshot, cols, rows, skipped);
        probe.resets++;
        const f = probe.flow;
        if (f && !f.done) {
          f.resets++;
          if (snapshot.includes(marker)) {
            f.done = true;
            f.last = performance.now();
            // the sink applies a snapshot after what its terminal still holds, and writes after it
            write(new Uint8Array(0), () => {
              f.parsedLast = performance.now();
              f.doneAt = Date.now();
            });
          }
        }
        if (probe.resets === 1) {
          // An empty write's callback runs once the snapshot before it has been parsed.
          write(new Uint8Array(0), () => requestAnimationFrame(() => (probe.firstFrameAt ??= Date.now())));
        }
      },
      write(data, done) {
        const now = performance.now();
        const f = probe.flow;
        if (f && !f.done) {
          if (f.bytes === 0) f.first = now;
          f.bytes += data.length;
          if (sawMarker(data)) {
            f.done = true;
            f.last = now;
            return write(data, () => {
              f.parsedLast = performance.now();
              f.doneAt = Date.now();
              done?.();
            });
          }
        }
        const key = pendingKey;
        if (key && data.includes(key.key.charCodeAt(0))) {
          pendingKey = null;
          return write(data, () => {
            const parsed = performance.now();
            done?.();
            requestAnimationFrame(() => {
              probe.echoes.push({ key: key.key, down: key.down, input: key.input, arrived: now, parsed, paint: performance.now() });
              echoWaiter?.();
            });
          });
        }
        write(data, done);
      },
      resize(cols, rows) {
        sink.resize(cols, rows);
      }
    };
  };

  // The session page stores its SessionState as window.__liveSessions; the UI test page (test/ui/,
  // no network: its FakeSession echoes keys itself) as window.__fakeSession. Both are hooked alike.
  for (const name of ['__liveSessions', '__fakeSession']) {
    let state: State | undefined;
    Object.defineProperty(window, name, {
      configurable: true,
      get: () => state,
      set(v: State) {
        state = v;
        probe.appAt ??= Date.now();
        mark('app');
        const attach = v.attachTerminal.bind(v);
        v.attachTerminal = (id, sink) => (mark('attach'), attach(id, wrap(sink)));
        const input = v.input.bind(v);
        v.input = (id, data) => {
          if (pendingKey && !pendingKey.input) pendingKey.input = performance.now();
          input(id, data);
        };
      }
    });
  }
}
