import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate } from 'y-protocols/awareness';
import { activityOf, describeActivity } from './activity.ts';

describe('activity from awareness', () => {
  it("reads each person's colour, open file, terminal, typing and round trip to the host; ignores what is malformed", () => {
    const mine = new Awareness(new Y.Doc());
    mine.setLocalState({ user: { id: 'p_me', name: 'Me', color: 'hsl(0 70% 60%)' }, file: 'src/a.ts', term: 2, typing: 2, hostRtt: 83.4 });
    const theirs = new Awareness(new Y.Doc());
    theirs.setLocalState({ user: { id: 'p_x', name: 'X', color: 'red;background:url(x)' }, file: 42, term: 'one', typing: -1, hostRtt: 1e9 });
    applyAwarenessUpdate(mine, encodeAwarenessUpdate(theirs, [theirs.clientID]), 'remote');
    const a = activityOf(mine);
    expect(a.p_me).toEqual({ color: 'hsl(0 70% 60%)', file: 'src/a.ts', term: 2, typing: 2, hostRttMs: 83 });
    expect(a.p_x).toEqual({ color: '#8b96a5', file: null, term: null, typing: null, hostRttMs: null });
  });

  it('describes it in words', () => {
    const title = (id: number) => (id === 1 ? 'bash' : null);
    expect(describeActivity({ color: '', file: null, term: 1, typing: 1, hostRttMs: null }, title)).toEqual({ open: 'terminal bash', typing: 'bash' });
    expect(describeActivity({ color: '', file: '/memory/plan.md', term: 1, typing: null, hostRttMs: null }, title)).toEqual({ open: 'plan.md', typing: null });
    expect(describeActivity({ color: '', file: '/notes.md', term: null, typing: 7, hostRttMs: null }, title)).toEqual({ open: 'notes', typing: 'terminal 7' });
    expect(describeActivity(undefined, title)).toEqual({ open: null, typing: null });
  });
});
