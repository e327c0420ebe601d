/**
 * The host agent as a peer: Node participants (real WebRTC) against a real host agent with a real
 * PTY. Roles are enforced where the input lands; bad credentials and bad frames are refused.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CAP, MAX_FRAME_BYTES } from '../../src/lib/protocol/frames.ts';
import { terminalProtocol } from '../../src/lib/protocol/terminal.ts';
import { MAX_STRIKES } from '../../src/lib/mesh/mesh.ts';
import type { Routed } from '../../src/lib/mesh/router.ts';
import { useStack } from '../helpers/stack.ts';
import { expiredToken, forgedToken, otherSessionToken, unsignedToken, wrongAlgToken } from '../helpers/tokens.ts';
import { nextEvent, until } from '../helpers/wait.ts';

const stack = useStack();

/** every connection the host refused at hello */
const refusals: { id: string; error: Error }[] = [];

beforeAll(() => {
  stack.agent.mesh.peerRefused.on((r) => refusals.push(r));
});

describe('host agent', () => {
  it("runs an editor's input in the PTY and records who typed it", async () => {
    const { t, type } = await stack.follow('editor', 'Eddie');
    type('touch by-editor && echo done-$((40+2))\r');
    await t.waitFor(/done-42/);
    expect(existsSync(join(stack.cwd, 'by-editor'))).toBe(true);
    const audited = () =>
      readFileSync(stack.agent.audit.path, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l))
        .some((e) => e.kind === 'input' && e.who.name === 'Eddie' && e.who.role === 'editor' && e.data.includes('touch by-editor'));
    await until(audited, 'the audit record of the input');
  });

  it('records that input was typed at a password prompt (echo off), and who typed it, but not what', async () => {
    const { t, type } = await stack.follow('editor', 'Pat');
    type("read -s -p 'pw: ' X; echo; echo got-${#X}-chars\r");
    await t.waitFor(/pw: /);
    // typed the way people type: a key at a time, after the prompt
    for (const ch of 'hunter2') {
      type(ch);
      await new Promise((r) => setTimeout(r, 20));
    }
    type('\r');
    await t.waitFor(/got-7-chars/);
    type('echo visible-$((1+1))\r');
    await t.waitFor(/visible-2/);
    const records = () =>
      readFileSync(stack.agent.audit.path, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l))
        .filter((e) => e.kind === 'input' && e.who.name === 'Pat');
    await until(() => records().some((e) => e.data?.includes('visible')), 'the audit of the visible command').catch((e) => {
      throw new Error(`${e.message}: ${JSON.stringify(records())}`);
    });
    expect(records().map((e) => e.data ?? '').join(''), JSON.stringify(records())).not.toMatch(/h.*u.*n.*t.*e.*r/);
    // the password and its Enter: how much, not what (the command that started the prompt may
    // count as hidden too: read after it ran, it errs on the safe side)
    const hidden = records().filter((e) => e.hidden);
    expect(hidden[0], JSON.stringify(records())).toMatchObject({ who: { name: 'Pat', role: 'editor' } });
    expect(hidden.reduce((n, e) => n + e.bytes, 0)).toBeGreaterThanOrEqual('hunter2'.length);
    // input is coalesced: the visible command is one line, not one per keystroke
    expect(records().filter((e) => e.data === 'echo visible-$((1+1))\r')).toHaveLength(1);
  });

  it("forgets a closed terminal's echo state: terminals opened, typed into and closed leave nothing behind", async () => {
    const { p, type } = await stack.follow('editor', 'Cole');
    const before = stack.agent.terminals.list().map((t) => t.id);
    type('true\r');
    await until(() => stack.agent.hub.echoStates === before.length, 'the echo state of the first terminal');
    for (let i = 0; i < 5; i++) {
      const count = stack.agent.terminals.list().length;
      p.terminals.open(80, 24);
      await until(() => stack.agent.terminals.list().length === count + 1, 'the new terminal');
      const id = stack.agent.terminals.list().find((t) => !before.includes(t.id))!.id;
      p.terminals.input(id, 'true\r');
      await until(() => stack.agent.hub.echoStates === stack.agent.terminals.list().length, `the echo state of terminal ${id}`);
      p.terminals.close(id);
      await until(() => !stack.agent.terminals.list().some((t) => t.id === id), `terminal ${id} closed`);
      expect(stack.agent.hub.echoStates).toBeLessThanOrEqual(before.length);
    }
    // the host's command markers (a capability this Node peer does not run) cost it nothing
    expect(p.log.filter((l) => /closed/.test(l))).toEqual([]);
  });

  it("drops a viewer's keystrokes and terminal changes at the host, and tells the viewer", async () => {
    const { p: viewer, t: viewerScreen, type: viewerTypes } = await stack.follow('viewer', 'Vera');
    const { type: editorTypes } = await stack.follow('editor', 'Ed2');
    const refused: Routed[] = [];
    const sub = stack.agent.mesh.router.refused.on((r) => r.peer.id === viewer.cred.participant && refused.push(r));
    // the client sends whatever it is asked to: the host is what refuses
    viewerTypes('touch by-viewer\r');
    viewerTypes('touch by-viewer-again\r');
    viewer.terminals.open(80, 24);
    await until(() => viewer.errors.length >= 2 && refused.length >= 3, 'the refusals');
    sub.dispose();
    // told once per kind of message, every attempt refused and recorded
    expect(viewer.errors.map((e) => e.code)).toEqual(['forbidden', 'forbidden']);
    expect(viewer.errors[0].message).toMatch(/viewer/);
    expect(refused.map((r) => `${r.capability} ${r.msg.type}`)).toEqual(['terminal input', 'terminal input', 'terminal open']);
    // a marker from the editor proves the PTY processed everything sent before it
    editorTypes('echo marker-$((1+1))-ok\r');
    await viewerScreen.waitFor(/marker-2-ok/);
    expect(existsSync(join(stack.cwd, 'by-viewer'))).toBe(false);
    expect(stack.agent.terminals.list()).toHaveLength(1);
    const audit = () => readFileSync(stack.agent.audit.path, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    await until(() => audit().filter((e) => e.kind === 'refused' && e.who.name === 'Vera').length === 3, 'the audit records of the refusals');
    expect(audit().find((e) => e.kind === 'refused' && e.who.name === 'Vera')).toMatchObject({ what: 'terminal input', term: stack.agent.terminals.list()[0].id, bytes: 16 });
  });

  const bad: [string, typeof forgedToken, RegExp][] = [
    ['forged', forgedToken, /signature does not verify/],
    ['expired', expiredToken, /expired/],
    ['wrong-algorithm', wrongAlgToken, /algorithm not allowed/],
    ['unsigned', unsignedToken, /algorithm not allowed|alg/i],
    ['other-session', otherSessionToken, /claim "aud"/]
  ];
  for (const [what, make, reason] of bad) {
    it(`refuses a peer whose credential is ${what}, even one claiming to be an owner`, async () => {
      const intruder = await stack.join('editor', 'Mallory', { helloToken: (cred, fp) => make(stack.server, stack.agent.session, { sub: cred.participant, fp, role: 'owner' }) });
      const refusal = () => refusals.find((r) => r.id === intruder.cred.participant);
      await until(() => !!refusal(), 'the refusal', 20_000);
      expect(refusal()!.error.message).toMatch(reason);
      expect(stack.agent.mesh.peers.some((p) => p.id === intruder.cred.participant)).toBe(false);
    });
  }

  it('answers malformed and forbidden messages with errors, drops an abusive peer, and keeps serving others', async () => {
    const { p: bad } = await stack.follow('editor', 'Fuzzy');
    const { t: good, type: goodTypes } = await stack.follow('editor', 'Goodie');
    const host = await bad.peer('host');
    const enc = new TextEncoder();
    host.sendEncoded(terminalProtocol.write({ type: 'resize', id: 0, cols: 99999, rows: 1 }));
    host.sendEncoded(new Uint8Array([CAP.TERMINAL, 4, ...enc.encode('not json')]));
    host.sendEncoded(terminalProtocol.write({ type: 'output', id: 0, seq: 1, data: enc.encode('A') }));
    host.sendEncoded(new Uint8Array([77, 1, 2]));
    await until(() => bad.errors.length >= 4, 'four errors');
    expect(bad.errors[0].message).toMatch(/"cols" must be an integer from 1 to 500/);
    expect(bad.errors[1].message).toMatch(/not valid JSON/);
    expect(bad.errors[2]).toMatchObject({ code: 'forbidden', message: expect.stringMatching(/editor may not send terminal output/) });
    expect(bad.errors[3].message).toMatch(/unknown capability 77/);
    // a flood of large malformed messages: the host removes the peer
    const removed = nextEvent(stack.agent.mesh.peerGone.on, ({ peer }) => peer.id === bad.cred.participant, 'the removal');
    for (let i = 0; i < MAX_STRIKES; i++) host.sendEncoded(new Uint8Array([CAP.TERMINAL, 4, ...new Uint8Array(MAX_FRAME_BYTES).fill(120)]));
    expect((await removed).reason).toMatchObject({ kind: 'removed', detail: expect.stringMatching(/too many bad messages/) });
    goodTypes('echo still-$((6*7))\r');
    await good.waitFor(/still-42/);
  });
});
