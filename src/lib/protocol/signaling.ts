/**
 * The signaling wire (ws /signal), after y-webrtc's: subscribe / publish / ping / pong, typed and
 * size-limited. The server only relays; `data` is an encrypted SignalEnvelope (see room-crypto.ts)
 * that the server cannot read. The server stamps `from` with the sender's authenticated
 * participant id and only lets a client use the topic its credential names (the session id).
 */
import { MAX_TOKEN_CHARS, SESSION_ID_RE } from './credentials.ts';
import { fail, obj, parseJson, str } from './validate.ts';

export const SIGNAL_SUBPROTOCOL = 'live-sessions';
/** Largest ws message either side accepts, bytes (ws maxPayload). */
export const MAX_SIGNAL_BYTES = 64 * 1024;
/** Largest encrypted payload inside a publish, characters. */
export const MAX_SIGNAL_DATA_CHARS = 48 * 1024;
/** Server heartbeat: a socket that has not answered a ws ping within this is dropped, ms. */
export const HEARTBEAT_MS = 15_000;

export type ClientSignal =
  | { type: 'subscribe'; topics: string[] }
  | { type: 'unsubscribe'; topics: string[] }
  | { type: 'publish'; topic: string; data: string }
  | { type: 'ping' }
  /** a refreshed credential for this socket (the old one would expire) */
  | { type: 'auth'; token: string };

export type ServerSignal =
  | { type: 'publish'; topic: string; from: string; data: string }
  | { type: 'pong' }
  | { type: 'error'; code: string; message: string };

function topics(o: Record<string, unknown>): string[] {
  const t = o.topics;
  if (!Array.isArray(t) || t.length > 4 || !t.every((x) => typeof x === 'string' && SESSION_ID_RE.test(x))) {
    fail('"topics" must be a list of session ids');
  }
  return t as string[];
}

export function parseClientSignal(text: string): ClientSignal {
  const o = obj(parseJson(text, MAX_SIGNAL_BYTES, 'signaling message'), 'signaling message');
  switch (o.type) {
    case 'subscribe':
    case 'unsubscribe':
      return { type: o.type, topics: topics(o) };
    case 'publish':
      return { type: 'publish', topic: str(o, 'topic', 64, { min: 1 }), data: str(o, 'data', MAX_SIGNAL_DATA_CHARS, { min: 1 }) };
    case 'ping':
      return { type: 'ping' };
    case 'auth':
      return { type: 'auth', token: str(o, 'token', MAX_TOKEN_CHARS, { min: 1 }) };
    default:
      fail(`unknown signaling message type ${JSON.stringify(o.type)}`);
  }
}

export function parseServerSignal(text: string): ServerSignal {
  const o = obj(parseJson(text, MAX_SIGNAL_BYTES, 'signaling message'), 'signaling message');
  switch (o.type) {
    case 'publish':
      return { type: 'publish', topic: str(o, 'topic', 64), from: str(o, 'from', 128), data: str(o, 'data', MAX_SIGNAL_DATA_CHARS) };
    case 'pong':
      return { type: 'pong' };
    case 'error':
      return { type: 'error', code: str(o, 'code', 64), message: str(o, 'message', 1000) };
    default:
      fail(`unknown signaling message type ${JSON.stringify(o.type)}`);
  }
}

/** What peers say to each other through the relay, encrypted with the session key. `relay` on an
 * announce or an offer: "connect to me through the TURN relay only" (the owner made the session
 * relay-only and the other side may not know yet); it can only make a connection more private. */
export type SignalEnvelope =
  | { type: 'announce'; from: string; to?: string; relay?: true }
  /** `cid` names one connection attempt (chosen by the offerer), so a late answer or candidate of
   * an attempt that was replaced is never applied to its successor */
  | { type: 'description'; from: string; to: string; cid: string; description: { type: 'offer' | 'answer'; sdp: string }; relay?: true }
  | { type: 'candidate'; from: string; to: string; cid: string; candidate: { candidate: string; sdpMid: string | null; sdpMLineIndex: number | null } };

export function parseEnvelope(text: string): SignalEnvelope {
  const o = obj(parseJson(text, MAX_SIGNAL_DATA_CHARS, 'signal envelope'), 'signal envelope');
  const from = str(o, 'from', 128, { min: 1 });
  switch (o.type) {
    case 'announce':
      return { type: 'announce', from, to: o.to === undefined ? undefined : str(o, 'to', 128), ...(o.relay === true ? { relay: true } : {}) };
    case 'description': {
      const d = obj(o.description, 'description');
      if (d.type !== 'offer' && d.type !== 'answer') fail('description.type must be offer or answer');
      return { type: 'description', from, to: str(o, 'to', 128), cid: str(o, 'cid', 64, { min: 1 }), description: { type: d.type, sdp: str(d, 'sdp', 40_000) }, ...(o.relay === true ? { relay: true } : {}) };
    }
    case 'candidate': {
      const c = obj(o.candidate, 'candidate');
      const mid = c.sdpMid;
      const idx = c.sdpMLineIndex;
      return {
        type: 'candidate',
        from,
        to: str(o, 'to', 128),
        cid: str(o, 'cid', 64, { min: 1 }),
        candidate: {
          candidate: str(c, 'candidate', 2000),
          sdpMid: typeof mid === 'string' ? mid.slice(0, 64) : null,
          sdpMLineIndex: typeof idx === 'number' && Number.isInteger(idx) ? idx : null
        }
      };
    }
    default:
      fail(`unknown envelope type ${JSON.stringify(o.type)}`);
  }
}
