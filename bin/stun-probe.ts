/**
 * Just enough STUN (RFC 8489) and TURN (RFC 8656) for `doctor`: a Binding request (what STUN
 * answers: our public address) and an Allocate with long-term credentials (does the relay give us
 * an address, over UDP, TCP or TLS?). Errors come back as the server's code and reason.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { connect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

const MAGIC = 0x2112a442;
const BINDING = 0x0001;
const ALLOCATE = 0x0003;
const ATTR = { USERNAME: 0x0006, MESSAGE_INTEGRITY: 0x0008, ERROR_CODE: 0x0009, REALM: 0x0014, NONCE: 0x0015, XOR_RELAYED_ADDRESS: 0x0016, REQUESTED_TRANSPORT: 0x0019, XOR_MAPPED_ADDRESS: 0x0020 };
/** How long one probe waits for an answer, ms. */
export const PROBE_TIMEOUT_MS = 3_000;

export interface StunTarget {
  host: string;
  port: number;
  transport: 'udp' | 'tcp' | 'tls';
}

/** host, port and transport of a stun:/turn:/turns: URL (turns: is TLS over TCP, port 5349 by default). */
export function parseStunUrl(url: string): StunTarget | null {
  const m = /^(stun|turn|turns):(\[[^\]]+\]|[^:?]+)(?::(\d+))?(?:\?transport=(udp|tcp))?$/.exec(url);
  if (!m) return null;
  const host = m[2].replace(/^\[|\]$/g, '');
  if (m[1] === 'turns') return m[4] === 'udp' ? null : { host, port: Number(m[3] ?? 5349), transport: 'tls' };
  return { host, port: Number(m[3] ?? 3478), transport: (m[4] as 'udp' | 'tcp') ?? 'udp' };
}

/** The relay's certificate was refused: names the reason (self-signed, expired, wrong name). */
export class TlsRefused extends Error {}

function message(type: number, tid: Buffer, attrs: [number, Buffer][], key?: Buffer): Buffer {
  const body = attrs.map(([t, v]) => {
    const pad = Buffer.alloc((4 - (v.length % 4)) % 4);
    const h = Buffer.alloc(4);
    h.writeUInt16BE(t, 0);
    h.writeUInt16BE(v.length, 2);
    return Buffer.concat([h, v, pad]);
  });
  const head = (len: number) => {
    const h = Buffer.alloc(20);
    h.writeUInt16BE(type, 0);
    h.writeUInt16BE(len, 2);
    h.writeUInt32BE(MAGIC, 4);
    tid.copy(h, 8);
    return h;
  };
  let payload = Buffer.concat(body);
  if (key) {
    // the integrity covers the header with the length as if it were already appended
    const mac = createHmac('sha1', key).update(Buffer.concat([head(payload.length + 24), payload])).digest();
    const h = Buffer.alloc(4);
    h.writeUInt16BE(ATTR.MESSAGE_INTEGRITY, 0);
    h.writeUInt16BE(20, 2);
    payload = Buffer.concat([payload, h, mac]);
  }
  return Buffer.concat([head(payload.length), payload]);
}

interface Answer {
  cls: 'success' | 'error';
  attrs: Map<number, Buffer>;
}

function parse(b: Buffer, tid: Buffer): Answer | null {
  if (b.length < 20 || b.readUInt32BE(4) !== MAGIC || !b.subarray(8, 20).equals(tid)) return null;
  const type = b.readUInt16BE(0);
  const attrs = new Map<number, Buffer>();
  for (let i = 20; i + 4 <= Math.min(b.length, 20 + b.readUInt16BE(2)); ) {
    const t = b.readUInt16BE(i);
    const len = b.readUInt16BE(i + 2);
    attrs.set(t, b.subarray(i + 4, i + 4 + len));
    i += 4 + len + ((4 - (len % 4)) % 4);
  }
  return { cls: (type & 0x0110) === 0x0110 ? 'error' : 'success', attrs };
}

function xorAddress(v: Buffer | undefined): string | null {
  if (!v || v.length < 8 || v[1] !== 0x01) return null;
  const port = v.readUInt16BE(2) ^ (MAGIC >>> 16);
  const ip = [0, 1, 2, 3].map((i) => v[4 + i] ^ ((MAGIC >>> (24 - 8 * i)) & 0xff)).join('.');
  return `${ip}:${port}`;
}

function errorOf(a: Answer): { code: number; reason: string } {
  const v = a.attrs.get(ATTR.ERROR_CODE);
  if (!v || v.length < 4) return { code: 0, reason: 'error without a code' };
  return { code: (v[2] & 0x7) * 100 + v[3], reason: v.subarray(4).toString('utf8') };
}

/** Sends requests to one server over one UDP socket or TCP connection. */
class Channel {
  #send: (b: Buffer) => void;
  #close: () => void;
  #waiting: ((b: Buffer) => void) | null = null;
  #failed: Error | null = null;
  #onFail: ((e: Error) => void) | null = null;

  private constructor(send: (b: Buffer) => void, close: () => void) {
    this.#send = send;
    this.#close = close;
  }

  static async open(t: StunTarget): Promise<Channel> {
    if (t.transport === 'udp') {
      const sock = createSocket(t.host.includes(':') ? 'udp6' : 'udp4');
      const ch = new Channel((b) => sock.send(b, t.port, t.host), () => sock.close());
      sock.on('message', (b) => ch.#waiting?.(b));
      sock.on('error', (e) => ch.#fail(e));
      return ch;
    }
    // TLS verifies the certificate as a browser would (system CAs, NODE_EXTRA_CA_CERTS): one the
    // browsers refuse is a failure to report, not to skip
    const tls = t.transport === 'tls';
    const sock: Socket = tls ? tlsConnect({ host: t.host, port: t.port, servername: /^[\d.:]+$/.test(t.host) ? undefined : t.host }) : connect({ host: t.host, port: t.port });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${tls ? 'TLS' : 'TCP'} connection within ${PROBE_TIMEOUT_MS / 1000} s`)), PROBE_TIMEOUT_MS);
      sock.once(tls ? 'secureConnect' : 'connect', () => (clearTimeout(timer), resolve()));
      sock.once('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(tls && /CERT|SELF_SIGNED|ALTNAME|UNABLE_TO_(GET|VERIFY)/.test(e.code ?? '') ? new TlsRefused(`${e.code}: ${e.message}`) : e);
      });
    }).catch((e) => {
      sock.destroy();
      throw e;
    });
    const ch = new Channel((b) => sock.write(b), () => sock.destroy());
    let buf = Buffer.alloc(0);
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      // STUN over TCP: each message says its own length
      while (buf.length >= 20 && buf.length >= 20 + buf.readUInt16BE(2)) {
        const len = 20 + buf.readUInt16BE(2);
        ch.#waiting?.(buf.subarray(0, len));
        buf = buf.subarray(len);
      }
    });
    sock.on('error', (e) => ch.#fail(e));
    sock.on('close', () => ch.#fail(new Error('the server closed the connection')));
    return ch;
  }

  #fail(e: Error): void {
    this.#failed ??= e;
    this.#onFail?.(e);
  }

  request(msg: Buffer, tid: Buffer): Promise<Answer> {
    if (this.#failed) return Promise.reject(this.#failed);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => done(() => reject(new Error(`no answer within ${PROBE_TIMEOUT_MS / 1000} s`))), PROBE_TIMEOUT_MS);
      const done = (f: () => void) => {
        clearTimeout(timer);
        clearInterval(resend);
        this.#waiting = null;
        this.#onFail = null;
        f();
      };
      this.#waiting = (b) => {
        const a = parse(b, tid);
        if (a) done(() => resolve(a));
      };
      this.#onFail = (e) => done(() => reject(e));
      this.#send(msg);
      // UDP may lose it: send again, as STUN clients do
      const resend = setInterval(() => this.#send(msg), 500);
    });
  }

  close(): void {
    this.#close();
  }
}

/** A Binding request: our address as the server sees it. */
export async function stunBinding(t: StunTarget): Promise<string> {
  const ch = await Channel.open(t);
  try {
    const tid = randomBytes(12);
    const a = await ch.request(message(BINDING, tid, []), tid);
    if (a.cls === 'error') throw new Error(`error ${errorOf(a).code} ${errorOf(a).reason}`);
    return xorAddress(a.attrs.get(ATTR.XOR_MAPPED_ADDRESS)) ?? 'an address this probe cannot read';
  } finally {
    ch.close();
  }
}

export class TurnRefused extends Error {
  readonly code: number;
  constructor(code: number, reason: string) {
    super(`error ${code} ${reason}`);
    this.code = code;
  }
}

/** An Allocate with long-term credentials; resolves with the relayed address. */
export async function turnAllocate(t: StunTarget, username: string, password: string): Promise<string> {
  const ch = await Channel.open(t);
  try {
    const transport = Buffer.from([17, 0, 0, 0]); // the relay itself is UDP; `t.transport` is how we reach it
    let tid = randomBytes(12);
    let a = await ch.request(message(ALLOCATE, tid, [[ATTR.REQUESTED_TRANSPORT, transport]]), tid);
    if (a.cls === 'error' && errorOf(a).code === 401) {
      const realm = a.attrs.get(ATTR.REALM) ?? Buffer.alloc(0);
      const nonce = a.attrs.get(ATTR.NONCE) ?? Buffer.alloc(0);
      const key = createHash('md5').update(`${username}:${realm.toString('utf8')}:${password}`).digest();
      tid = randomBytes(12);
      const attrs: [number, Buffer][] = [
        [ATTR.REQUESTED_TRANSPORT, transport],
        [ATTR.USERNAME, Buffer.from(username)],
        [ATTR.REALM, realm],
        [ATTR.NONCE, nonce]
      ];
      a = await ch.request(message(ALLOCATE, tid, attrs, key), tid);
    }
    if (a.cls === 'error') {
      const e = errorOf(a);
      throw new TurnRefused(e.code, e.reason);
    }
    return xorAddress(a.attrs.get(ATTR.XOR_RELAYED_ADDRESS)) ?? 'an address this probe cannot read';
  } finally {
    ch.close();
  }
}
