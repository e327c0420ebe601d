/**
 * `live-sessions doctor` against a real signaling server and a real coturn: everything fine, a
 * secret coturn refuses, a relay that is not there, a server that is not there — each in words and
 * in the exit code.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { selfSignedCert, startCoturn } from '../helpers/coturn.ts';
import { unusedPort } from '../helpers/ports.ts';
import { spawnCli, startSignalingProcess, stopAll } from '../helpers/processes.ts';

afterAll(stopAll);

async function runDoctor(url: string, env?: Record<string, string>) {
  const p = spawnCli(['doctor', '--signaling', url], { env });
  const exit = await p.exited;
  return { code: exit.code, out: p.stdout.join('\n') };
}

const turnArgs = (urls: string[], secret: string) => [...urls.flatMap((u) => ['--turn-url', u]), `--turn-secret=${secret}`];

describe('doctor', () => {
  it('says each check passed, and exits 0', async () => {
    const coturn = await startCoturn({ ip: '127.0.0.1' });
    const sig = await startSignalingProcess({ args: ['--no-state', '--stun-url', coturn.stunUrl, ...turnArgs(coturn.turnUrls, coturn.secret)] });
    const r = await runDoctor(sig.url);
    expect(r.out).toMatch(/ ok  signaling .* answers/);
    expect(r.out).toMatch(/ ok  STUN stun:127\.0\.0\.1:\d+ answers: this box is seen as 127\.0\.0\.1:\d+/);
    expect(r.out).toMatch(/ ok  TURN turn:127\.0\.0\.1:\d+ allocates a relay \(UDP\): 127\.0\.0\.1:\d+/);
    expect(r.out).toMatch(/ ok  TURN turn:127\.0\.0\.1:\d+\?transport=tcp allocates a relay \(TCP\)/);
    expect(r.code).toBe(0);
    await sig.stop();
  });

  it('names refused credentials and a relay that does not answer, and exits 1', async () => {
    const coturn = await startCoturn({ ip: '127.0.0.1' });
    const gone = `turn:127.0.0.1:${await unusedPort()}?transport=tcp`;
    const sig = await startSignalingProcess({ args: ['--no-state', ...turnArgs([coturn.turnUrls[0], gone], 'a-secret-coturn-does-not-have')] });
    const r = await runDoctor(sig.url);
    expect(r.out).toMatch(/FAIL  TURN turn:127\.0\.0\.1:\d+ refused the credentials \(error 401 .*--turn-secret must be coturn's static-auth-secret/);
    expect(r.out).toMatch(/FAIL  TURN turn:127\.0\.0\.1:\d+\?transport=tcp did not answer \(.*ECONNREFUSED.*\): is coturn running there/);
    expect(r.code).toBe(1);
    await sig.stop();
  });

  it('turns: allocates over TLS with a certificate this box trusts; names an untrusted one in words', async () => {
    const tls = selfSignedCert('127.0.0.1');
    const coturn = await startCoturn({ ip: '127.0.0.1', tls });
    const sig = await startSignalingProcess({ args: ['--no-state', ...turnArgs([coturn.turnsUrl!], coturn.secret)] });
    // trusted as a CA would make it (NODE_EXTRA_CA_CERTS): the allocation goes through
    const trusted = await runDoctor(sig.url, { NODE_EXTRA_CA_CERTS: tls.cert });
    expect(trusted.out).toMatch(/ ok  TURN turns:127\.0\.0\.1:\d+\?transport=tcp allocates a relay \(TLS\): 127\.0\.0\.1:\d+/);
    expect(trusted.code).toBe(0);
    const untrusted = await runDoctor(sig.url);
    expect(untrusted.out).toMatch(/FAIL  TURN turns:127\.0\.0\.1:\d+\?transport=tcp has a TLS certificate this box does not trust \(.*SELF_SIGNED.*\): browsers refuse it too/);
    expect(untrusted.code).toBe(1);
    await sig.stop();
  });

  it('a signaling server that is not there: says so, exits 1', async () => {
    const r = await runDoctor(`http://127.0.0.1:${await unusedPort()}`);
    expect(r.out).toMatch(/FAIL  Cannot reach the signaling server/);
    expect(r.code).toBe(1);
  });

  it('a server without STUN or TURN: passes, and says what that means', async () => {
    const sig = await startSignalingProcess({ args: ['--no-state'] });
    const r = await runDoctor(sig.url);
    expect(r.out).toMatch(/  -  the server offers no STUN or TURN: sessions work only where peers reach each other directly/);
    expect(r.code).toBe(0);
    await sig.stop();
  });
});
