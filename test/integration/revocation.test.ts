/**
 * Credentials on live connections, through real parts (signaling server, host agent, Node peers
 * over real data channels): a credential is checked at hello and again when it lapses — a peer
 * that does not renew it in time is dropped by every peer; one that renews stays. The owner
 * changes roles and removes participants with statements signed by its own key, which every peer
 * verifies and applies, with or without the signaling server.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CLOCK_SKEW_S, CREDENTIAL_TTL_S, LAPSE_GRACE_S } from '../../src/lib/protocol/credentials.ts';
import type { Decision } from '../../src/lib/protocol/statements.ts';
import { ApiClient } from '../../src/lib/mesh/api-client.ts';
import { makeOwnerKey, signStatement } from '../../src/lib/mesh/owner-key.ts';
import { sessionProtocol } from '../../src/lib/protocol/session.ts';
import { connect } from '../../signaling/testing.ts';
import { useStack } from '../helpers/stack.ts';
import { TermScreen } from '../helpers/term-screen.ts';
import { validToken } from '../helpers/tokens.ts';
import { nextEvent, until } from '../helpers/wait.ts';

const stack = useStack();

/** A credential of `p`'s own (participant, certificate) that lapses `inS` seconds from now, skew included. */
function lapsingIn(inS: number, role = 'editor' as const) {
  return (cred: { participant: string; name: string }, fp: string) => {
    const exp = Math.floor(Date.now() / 1000) + inS - CLOCK_SKEW_S;
    return validToken(stack.server, stack.agent.session, { sub: cred.participant, name: cred.name, fp, role, exp, iat: exp - CREDENTIAL_TTL_S + 5 });
  };
}

describe('credentials on live connections', () => {
  it('drops a peer whose credential lapsed unrenewed after a short grace; a peer that renews stays and keeps typing', async () => {
    const lapsing = await stack.join('editor', 'Lapsing', { helloToken: lapsingIn(8) });
    const renewing = await stack.join('editor', 'Renewing', { helloToken: lapsingIn(8) });
    await Promise.all([lapsing.peer('host'), renewing.peer('host')]);
    await until(() => stack.agent.mesh.peers.filter((p) => ['Lapsing', 'Renewing'].includes(p.name)).length === 2, 'the host to admit both');
    const dropped = nextEvent(stack.agent.mesh.peerGone.on, ({ peer }) => peer.id === lapsing.cred.participant, 'the lapsed peer dropped', (8 + LAPSE_GRACE_S + 10) * 1000);
    const t0 = Date.now();
    renewing.mesh.renewed(await validToken(stack.server, stack.agent.session, { sub: renewing.cred.participant, name: 'Renewing', fp: renewing.fingerprint, role: 'editor' }));
    expect((await dropped).reason).toMatchObject({ kind: 'removed', detail: expect.stringMatching(/expired/) });
    console.log(`lapsed peer dropped ${Date.now() - t0} ms after the test started its 8 s credential (grace ${LAPSE_GRACE_S} s)`);
    expect(stack.agent.mesh.peers.some((p) => p.id === renewing.cred.participant)).toBe(true);
    const id = stack.agent.terminals.list()[0].id;
    const t = new TermScreen(renewing.terminals, id);
    await until(() => t.snapshots.length > 0, 'a snapshot');
    renewing.terminals.input(id, 'echo renewed-$((20+22))\r');
    await t.waitFor(/renewed-42/);
    // the lapsed one is not let back in with the same credential
    await new Promise((r) => setTimeout(r, 1000));
    expect(stack.agent.mesh.peers.some((p) => p.id === lapsing.cred.participant)).toBe(false);
  });
});

describe("the owner's live control", () => {
  it('relay-only from anyone but the owner (bypassing its own mesh): every peer refuses it, tells the sender, and stays as it was', async () => {
    const edKey = await makeOwnerKey();
    const owner = await stack.join('owner', 'Oona', { ownerKey: await makeOwnerKey() });
    const ed = await stack.join('editor', 'Mallory', { ownerKey: edKey });
    await until(() => [owner, ed].every((p) => p.mesh.peers.length >= 2), 'owner, editor and host connected');
    const session = stack.agent.session;
    const statement = await signStatement(edKey.privateKey, { sub: ed.cred.participant, aud: session }, { act: 'relay-only', sub: session });
    // its own mesh would refuse to sign this for a non-owner: sent raw, as a modified client would
    ed.mesh.broadcast(sessionProtocol, { type: 'control', statement, owner: ed.cred.token });
    await until(() => ed.errors.filter((e) => e.code === 'bad-statement').length >= 2, 'the host and the owner refusing it');
    expect(ed.errors.filter((e) => e.code === 'bad-statement').map((e) => e.message)).toEqual([expect.stringMatching(/not by an owner/), expect.stringMatching(/not by an owner/)]);
    expect([stack.agent.mesh, owner.mesh, ed.mesh].map((m) => m.relayOnly)).toEqual([false, false, false]);
    // and the server refuses it as well
    await expect(new ApiClient(stack.server.url).control(session, ed.cred.token, statement)).rejects.toThrow(/not by an owner/);
    await Promise.all([owner.dispose(), ed.dispose()]);
  });

  it('changes roles and removes a participant mid-session: every peer applies it, the removed one cannot refresh, reconnect or come back; also while signaling is down', async () => {
    const key = await makeOwnerKey();
    const owner = await stack.join('owner', 'Olga', { ownerKey: key });
    const ed = await stack.join('editor', 'Eddie');
    const vi = await stack.join('viewer', 'Vic');
    const id = stack.agent.terminals.list()[0].id;
    const everyone = [owner, ed, vi];
    // everyone connected to everyone (the host included)
    await until(() => everyone.every((p) => p.mesh.peers.length >= 3), 'a full mesh');
    const edScreen = new TermScreen(ed.terminals, id);
    await until(() => edScreen.snapshots.length > 0, 'a snapshot');
    const decide = async (d: Decision) => {
      const statement = await owner.mesh.decide(key.privateKey, d);
      await new ApiClient(stack.server.url).control(stack.agent.session, owner.cred.token, statement);
    };

    // viewer → editor: every peer's router applies it, the host runs its input
    await decide({ act: 'role', sub: vi.cred.participant, role: 'editor' });
    await until(() => [stack.agent.mesh, ed.mesh, owner.mesh].every((m) => m.peers.find((p) => p.id === vi.cred.participant)?.role === 'editor'), 'every peer to see Vic as an editor');
    vi.terminals.input(id, 'echo promoted-$((40+2))\r');
    await edScreen.waitFor(/promoted-42/);

    // editor → viewer: the host refuses its input from now on
    await decide({ act: 'role', sub: ed.cred.participant, role: 'viewer' });
    await until(() => stack.agent.mesh.roleOf(ed.cred.participant) === 'viewer' && ed.mesh.peers.length > 0, 'the demotion at the host');
    ed.terminals.input(id, 'touch by-demoted\r');
    await until(() => ed.errors.some((e) => e.code === 'forbidden'), 'the refusal');
    // and a refreshed credential says so too
    const refreshed = await new ApiClient(stack.server.url).refresh(stack.agent.session, ed.cred.token, { fp: ed.fingerprint });
    expect(refreshed.role).toBe('viewer');

    // removal: every peer drops Vic; Vic's own mesh learns why and leaves
    const viLeft = nextEvent(vi.mesh.decided.on, (s) => s.sub === vi.cred.participant && s.act === 'remove', 'Vic told it was removed');
    const hostDropped = nextEvent(stack.agent.mesh.peerGone.on, ({ peer }) => peer.id === vi.cred.participant, 'the host dropping Vic');
    await decide({ act: 'remove', sub: vi.cred.participant });
    await viLeft;
    await hostDropped;
    // the host's audit log says who decided what about whom
    type Decided = { kind: string; who: { name: string; role: string }; act: string; name?: string; role?: string };
    const decisions = () => (readFileSync(stack.agent.audit.path, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) as Decided[]).filter((r) => r.kind === 'decision');
    await until(() => decisions().length >= 3, 'the three decisions in the audit log');
    expect(decisions().map((r) => [r.who.name, r.who.role, r.act, r.name, r.role])).toEqual([
      ['Olga', 'owner', 'role', 'Vic', 'editor'],
      ['Olga', 'owner', 'role', 'Eddie', 'viewer'],
      ['Olga', 'owner', 'remove', 'Vic', undefined]
    ]);
    await until(() => ![owner, ed].some((p) => p.mesh.peers.some((x) => x.id === vi.cred.participant)), 'every peer dropping Vic');
    // its credential can neither be renewed nor open signaling
    await expect(new ApiClient(stack.server.url).refresh(stack.agent.session, vi.cred.token, { fp: vi.fingerprint })).rejects.toThrow(/removed/);
    await expect(connect(stack.server, vi.cred.token)).rejects.toThrow(/401/);
    // and a peer that says hello with it (a second tab with the same certificate) is refused by the host
    expect(stack.agent.mesh.isRemoved(vi.cred.participant)).toBe(true);

    // with signaling down, the owner still changes roles: the mesh carries the statement
    await stack.server.close();
    await until(() => owner.mesh.signaling.status !== 'online', 'signaling down');
    await owner.mesh.decide(key.privateKey, { act: 'role', sub: ed.cred.participant, role: 'editor' });
    await until(() => stack.agent.mesh.roleOf(ed.cred.participant) === 'editor', 'the promotion at the host without signaling');
    ed.terminals.input(id, 'echo back-$((6*7))\r');
    await edScreen.waitFor(/back-42/);
  });
});
