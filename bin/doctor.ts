/**
 * `live-sessions doctor [--signaling URL]`: checks, from this box, what a session needs to reach
 * beyond one network — the signaling server answers, hands out a credential with ICE servers,
 * STUN answers, and the TURN relay gives an address over UDP, TCP and TLS — and says in plain
 * words what is wrong. Exit 0 when everything needed works, 1 otherwise.
 */
import { ApiClient } from '../src/lib/mesh/api-client.ts';
import type { CredentialResponse } from '../src/lib/protocol/api.ts';
import { parseFlags, parseHttpUrl } from './args.ts';
import { DEFAULT_PORT } from './signal.ts';
import { parseStunUrl, stunBinding, TlsRefused, TurnRefused, turnAllocate } from './stun-probe.ts';

const FLAGS = { signaling: 'string', help: 'boolean' } as const;

export const DOCTOR_USAGE = `Usage: live-sessions doctor [--signaling URL]

Checks that the signaling server at URL (default http://127.0.0.1:${DEFAULT_PORT}) answers, issues
credentials with STUN/TURN servers, that STUN answers and that the TURN relay allocates over UDP, TCP
and TLS (turns:, its certificate checked as a browser would). Prints one line per check; exits 1 when one that matters fails.
`;

type Line = (ok: boolean | null, text: string) => void;

function refusal(url: string, e: unknown): string {
  if (e instanceof TurnRefused && (e.code === 401 || e.code === 438)) return `${url} refused the credentials (${e.message}): the signaling server's --turn-secret must be coturn's static-auth-secret (use-auth-secret), and both clocks must be right`;
  if (e instanceof TurnRefused && e.code === 403) return `${url} forbids this allocation (${e.message}): check coturn's allowed/denied peer and user quotas`;
  if (e instanceof TlsRefused) return `${url} has a TLS certificate this box does not trust (${e.message}): browsers refuse it too; give coturn a certificate from a public CA for that name (cert= and pkey= in turnserver.conf)`;
  const msg = (e as Error).message;
  return `${url} did not answer (${msg}): is coturn running there, and are its ports open (UDP and TCP) from this network?`;
}

async function checkIce(cred: CredentialResponse, line: Line): Promise<boolean> {
  let ok = true;
  const stun = cred.ice.flatMap((s) => s.urls.filter((u) => u.startsWith('stun:')));
  const turn = cred.ice.flatMap((s) => s.urls.filter((u) => /^turns?:/.test(u)).map((u) => ({ url: u, s })));
  if (!cred.ice.length) line(null, 'the server offers no STUN or TURN: sessions work only where peers reach each other directly (same network); start signaling with --stun-url / --turn-url');
  for (const url of stun) {
    const t = parseStunUrl(url);
    if (!t) {
      line(null, `${url}: not probed (this check speaks plain stun: only)`);
      continue;
    }
    try {
      line(true, `STUN ${url} answers: this box is seen as ${await stunBinding(t)}`);
    } catch (e) {
      ok = false;
      line(false, `STUN ${url} did not answer (${(e as Error).message}): peers behind NAT will not find their public address`);
    }
  }
  /** relays that did not answer over UDP, and those that allocated over TCP/TLS (host names) */
  const udpSilent = new Set<string>();
  const streamOk = new Set<string>();
  for (const { url, s } of turn) {
    const t = parseStunUrl(url);
    if (!t) {
      line(null, `${url}: not probed (not a stun:, turn: or turns: URL this check understands)`);
      continue;
    }
    try {
      line(true, `TURN ${url} allocates a relay (${t.transport.toUpperCase()}): ${await turnAllocate(t, s.username ?? '', s.credential ?? '')}`);
      if (t.transport !== 'udp') streamOk.add(t.host);
    } catch (e) {
      ok = false;
      line(false, `TURN ${refusal(url, e)}`);
      if (t.transport === 'udp' && !(e instanceof TurnRefused)) udpSilent.add(t.host);
    }
  }
  // libjuice (the host agent's ICE) cannot be reached through a browser's TCP allocation, nor use one itself
  if ([...udpSilent].some((h) => streamOk.has(h))) {
    line(false, 'this network blocks UDP to the relay (TCP/TLS gets through): browsers here reach other browsers over TURN/TCP, but the host agent cannot be reached over TURN/TCP yet, and a host agent run here cannot use the relay at all (it relays over UDP only)');
  }
  return ok;
}

/** Runs the checks, printing through `out`; resolves with the exit code. */
export async function doctor(argv: string[], out: (s: string) => void = (s) => console.log(s)): Promise<number> {
  const f = parseFlags(argv, FLAGS);
  if (f.help) return out(DOCTOR_USAGE), 0;
  const base = parseHttpUrl(f.signaling ?? `http://127.0.0.1:${DEFAULT_PORT}`, '--signaling');
  const line: Line = (ok, text) => out(`${ok === null ? '  -' : ok ? ' ok' : 'FAIL'}  ${text}`);
  const api = new ApiClient(base);
  let cred;
  try {
    await api.jwks();
    line(true, `signaling ${base} answers`);
    // a throwaway session: the only way to be handed ICE servers is to be a participant
    cred = await api.createSession({ role: 'host', name: 'live-sessions doctor' });
    line(true, `it issues credentials (${cred.ice.length} ICE server entr${cred.ice.length === 1 ? 'y' : 'ies'}${cred.relay ? ', relay-only' : ''})`);
  } catch (e) {
    line(false, (e as Error).message);
    return 1;
  }
  try {
    return (await checkIce(cred, line)) ? 0 : 1;
  } finally {
    await api.end(cred.session, cred.token).catch(() => {});
  }
}
