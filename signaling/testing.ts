/** Small helpers for the signaling tests: HTTP calls and real ws clients against a real server. */
import { WebSocket } from 'ws';
import type { CreateSessionResponse } from '../src/lib/protocol/api.ts';
import { parseServerSignal, SIGNAL_SUBPROTOCOL, type ClientSignal, type ServerSignal } from '../src/lib/protocol/signaling.ts';
import type { SignalingServer } from './server.ts';

export async function post(server: SignalingServer, path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(server.url + path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body)
  });
  return { status: res.status, headers: res.headers, json: (await res.json()) as Record<string, unknown> };
}

export async function createSession(server: SignalingServer, role: 'owner' | 'host' = 'owner'): Promise<CreateSessionResponse> {
  const r = await post(server, '/api/sessions', { role, name: 'Creator' });
  if (r.status !== 201) throw new Error(`create failed: ${r.status} ${JSON.stringify(r.json)}`);
  return r.json as unknown as CreateSessionResponse;
}

function wsUrl(server: SignalingServer, query = ''): string {
  return server.url.replace(/^http/, 'ws') + '/signal' + query;
}

/** An open socket, or a rejection carrying the HTTP status of a refused upgrade. */
export function connect(server: SignalingServer, token: string, query = ''): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl(server, query), [SIGNAL_SUBPROTOCOL, token]);
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`refused ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

/** The status and body of an upgrade the server refuses. */
export function refusal(server: SignalingServer, protocols: string[], query = ''): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl(server, query), protocols);
    ws.once('open', () => {
      ws.terminate();
      reject(new Error('the upgrade was accepted'));
    });
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    ws.once('error', reject);
  });
}

export function send(ws: WebSocket, msg: ClientSignal): void {
  ws.send(JSON.stringify(msg));
}

/** The next message the socket receives (within `ms`). */
export function nextMessage(ws: WebSocket, ms = 2000): Promise<ServerSignal> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      ws.off('message', on);
      reject(new Error(`no message within ${ms} ms`));
    }, ms);
    const on = (data: Buffer) => {
      clearTimeout(t);
      resolve(parseServerSignal(data.toString()));
    };
    ws.once('message', on);
  });
}

/** Collects every message the socket receives from now on. */
export function collect(ws: WebSocket): ServerSignal[] {
  const got: ServerSignal[] = [];
  ws.on('message', (data: Buffer) => got.push(parseServerSignal(data.toString())));
  return got;
}

export function closed(ws: WebSocket, ms = 5000): Promise<{ code: number; reason: string }> {
  return new Promise((resolve, reject) => {
    if (ws.readyState === WebSocket.CLOSED) return reject(new Error('already closed'));
    const t = setTimeout(() => reject(new Error(`socket still open after ${ms} ms`)), ms);
    ws.once('close', (code, reason) => {
      clearTimeout(t);
      resolve({ code, reason: reason.toString() });
    });
  });
}

/** A ping/pong round trip: everything sent before it has been handled by the server. */
export async function roundTrip(ws: WebSocket): Promise<void> {
  const got = new Promise<void>((resolve) => {
    const on = (data: Buffer) => {
      if (parseServerSignal(data.toString()).type === 'pong') {
        ws.off('message', on);
        resolve();
      }
    };
    ws.on('message', on);
  });
  send(ws, { type: 'ping' });
  await got;
}
