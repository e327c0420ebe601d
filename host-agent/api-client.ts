/** The host agent's calls to the signaling server's HTTP API, with errors a user can act on. */
import type { JSONWebKeySet } from 'jose';
import type { CreateSessionRequest, CreateSessionResponse } from '../src/lib/protocol/api.ts';

async function call<T>(base: string, path: string, init?: RequestInit): Promise<T> {
  let res: Response;
  try {
    res = await fetch(new URL(path, base), { ...init, signal: AbortSignal.timeout(10_000) });
  } catch (e) {
    throw new Error(`cannot reach the signaling server at ${base} (${(e as Error).cause ?? (e as Error).message}). Is it running? Start one with 'npm run signal' or pass --signaling URL.`);
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`the signaling server at ${base} answered ${res.status} with something that is not JSON: is that URL a Live Sessions signaling server?`);
  }
  if (!res.ok) {
    const msg = (body as { error?: string }).error ?? `HTTP ${res.status}`;
    throw new Error(`the signaling server refused ${path}: ${msg}`);
  }
  return body as T;
}

export function createSession(base: string, req: CreateSessionRequest): Promise<CreateSessionResponse> {
  return call(base, '/api/sessions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(req) });
}

export function fetchJwks(base: string): Promise<JSONWebKeySet> {
  return call(base, '/.well-known/jwks.json');
}
