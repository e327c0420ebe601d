/**
 * The commands list is shared state: a participant whose connection to the host drops and comes
 * back gets the whole list again, with what ended and what ran while it was away (a real host
 * agent, bash with the shell integration, Node participants over real WebRTC).
 */
import { describe, expect, it } from 'vitest';
import type { Command } from '../../src/lib/protocol/commands.ts';
import { useStack } from '../helpers/stack.ts';
import { nextEvent, until } from '../helpers/wait.ts';

const stack = useStack();

/** what a list says of each command */
const summary = (cs: Command[]) => cs.map((c) => ({ id: c.id, text: c.text, exit: c.exit, ended: c.end !== null, authors: c.authors.map((a) => a.name) }));

describe('the commands list', () => {
  it('comes back whole to a participant that reconnects: what ended and what ran while it was away', async () => {
    const ann = await stack.follow('editor', 'Ann');
    const bob = await stack.follow('editor', 'Bob');
    const tracker = stack.agent.commands.tracker;
    const at = (cs: Command[], text: string) => cs.find((c) => c.text === text);
    ann.type('echo one-$((0+1))\r');
    await until(() => at(ann.p.commands.commands, 'echo one-$((0+1))')?.exit === 0, "Ann's command in Ann's list");
    // Bob's next command waits for a line: it is running when Ann's connection drops
    bob.type('read -r answer\r');
    await until(() => at(ann.p.commands.commands, 'read -r answer')?.end === null, "Bob's running command in Ann's list");
    const host = await ann.p.peer('host');
    const back = nextEvent(ann.p.mesh.peerJoined.on, (h) => h.claims.role === 'host' && h !== host, 'a new connection to the host', 20_000);
    host.close({ kind: 'lost', detail: 'test dropped it' });
    // while Ann is away: the running command ends, another one runs and fails
    bob.type('42\r');
    await until(() => at(tracker.commands, 'read -r answer')?.exit === 0, 'the end of the running command at the host');
    bob.type('false\r');
    await until(() => at(tracker.commands, 'false')?.exit === 1, 'the failed command at the host');
    await back;
    await until(() => JSON.stringify(summary(ann.p.commands.commands)) === JSON.stringify(summary(tracker.commands)), "the host's list at Ann").catch((e: Error) => {
      throw new Error(`${e.message}: Ann has ${JSON.stringify(summary(ann.p.commands.commands))}, the host ${JSON.stringify(summary(tracker.commands))}`);
    });
    expect(summary(ann.p.commands.commands)).toEqual([
      { id: expect.any(Number), text: 'echo one-$((0+1))', exit: 0, ended: true, authors: ['Ann'] },
      { id: expect.any(Number), text: 'read -r answer', exit: 0, ended: true, authors: ['Bob'] },
      { id: expect.any(Number), text: 'false', exit: 1, ended: true, authors: ['Bob'] }
    ]);
    // and it goes on live after the reconnect
    ann.type('echo after-$((1+1))\r');
    await until(() => at(ann.p.commands.commands, 'echo after-$((1+1))')?.exit === 0, "Ann's command after the reconnect");
    expect(ann.p.commands.commands).toHaveLength(4);
  });
});
