// What the `peers` bench observes in another web terminal's page, the same way for all of them:
// the terminal output its transport delivers (WebSocket frames — raw, or socket.io's `42[…]` — and
// shellinabox's XHR polls, `{"data": …}`), timestamped after the page's own handler for that
// message ran, then at the next animation frame. For an xterm.js page that handler queues the
// text; xterm parses it soon after (at once after a keystroke), so for a big burst this is a lower
// bound of the peer's time to the final screen: flattering the peers, never us. Installed as a
// Playwright init script, so only browser globals.

export interface PeerProbe {
  /** Date.now() at the frame after the first terminal output was handled (join) */
  firstOutputAt: number | null;
  /** resolves with performance.now() at the frame after output containing `text` (received after this call) was handled */
  waitFor(text: string, timeoutMs: number): Promise<number>;
}

export function installPeerProbe(): void {
  const w = window as unknown as { __peerProbe: PeerProbe };
  let waiters: { text: string; seen: string; resolve: (t: number) => void }[] = [];
  const probe: PeerProbe = {
    firstOutputAt: null,
    waitFor(text, timeoutMs) {
      return new Promise((resolve, reject) => {
        const waiter = { text, seen: '', resolve: (t: number) => (clearTimeout(timer), resolve(t)) };
        const timer = setTimeout(() => {
          waiters = waiters.filter((x) => x !== waiter);
          reject(new Error(`"${text}" did not arrive within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.push(waiter);
      });
    }
  };
  w.__peerProbe = probe;

  /** The terminal output inside one message ('' for the transport's own chatter). */
  function output(raw: string): string {
    if (raw.startsWith('42[')) {
      try {
        const [, ...args] = JSON.parse(raw.slice(2)) as unknown[];
        return args.filter((a): a is string => typeof a === 'string').join('');
      } catch {
        return '';
      }
    }
    if (raw.startsWith('{')) {
      try {
        const data = (JSON.parse(raw) as { data?: unknown }).data;
        return typeof data === 'string' ? data : '';
      } catch {
        return raw;
      }
    }
    return /^[0-9]$/.test(raw) ? '' : raw; // engine.io pings and pongs
  }

  function handled(raw: string): void {
    const text = output(raw);
    if (!text) return;
    if (probe.firstOutputAt === null) requestAnimationFrame(() => (probe.firstOutputAt ??= Date.now()));
    for (const waiter of waiters) {
      waiter.seen = (waiter.seen + text).slice(-(waiter.text.length + 4096));
      if (!waiter.seen.includes(waiter.text)) continue;
      waiters = waiters.filter((x) => x !== waiter);
      requestAnimationFrame(() => waiter.resolve(performance.now()));
    }
  }

  const decoder = new TextDecoder();
  const text = (data: unknown): string => (typeof data === 'string' ? data : data instanceof ArrayBuffer ? decoder.decode(data) : '');

  // WebSocket: after the page's own listener (addEventListener or onmessage) for each message
  const wsProto = WebSocket.prototype;
  const add = wsProto.addEventListener;
  wsProto.addEventListener = function (this: WebSocket, type: string, listener: EventListenerOrEventListenerObject | null, opts?: boolean | AddEventListenerOptions) {
    if (type !== 'message' || !listener) return add.call(this, type, listener as EventListenerOrEventListenerObject, opts);
    const wrapped = function (this: WebSocket, e: Event) {
      if (typeof listener === 'function') listener.call(this, e);
      else listener.handleEvent(e);
      handled(text((e as MessageEvent).data));
    };
    return add.call(this, type, wrapped, opts);
  } as typeof wsProto.addEventListener;
  const onmessage = Object.getOwnPropertyDescriptor(wsProto, 'onmessage')!;
  Object.defineProperty(wsProto, 'onmessage', {
    configurable: true,
    get: onmessage.get,
    set(this: WebSocket, fn: ((e: MessageEvent) => void) | null) {
      onmessage.set!.call(
        this,
        fn &&
          function (this: WebSocket, e: MessageEvent) {
            fn.call(this, e);
            handled(text(e.data));
          }
      );
    }
  });

  // XMLHttpRequest (shellinabox polls): after the page's own handler, once the response is complete
  const send = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.send = function (this: XMLHttpRequest, body?: Document | XMLHttpRequestBodyInit | null) {
    this.addEventListener('readystatechange', () => {
      if (this.readyState === 4 && (this.responseType === '' || this.responseType === 'text')) handled(this.responseText);
    });
    return send.call(this, body);
  };
}
