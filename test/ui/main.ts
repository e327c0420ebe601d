/**
 * Mounts the session screen over a FakeSession, to look at the UI without a network (and for UI
 * tests). Query: role=owner|editor|viewer, a11y=1, signaling=online|connecting|offline,
 * status=joining|joined|failed|ended, host=0 (host agent not connected), exit=N (first shell
 * exited), size=COLSxROWS (the host's terminal size).
 */
import { mount } from 'svelte';
import '../../src/app.css';
import { isRole } from '../../src/lib/protocol/roles.ts';
import Session from '../../src/lib/session/Session.svelte';
import type { JoinStatus, SignalingStatus } from '../../src/lib/session/view.ts';
import { FakeSession, type FakeOptions } from './fake-session.svelte.ts';

const q = new URLSearchParams(location.search);
const role = q.get('role');
const exit = q.get('exit');
const size = /^(\d{1,3})x(\d{1,3})$/.exec(q.get('size') ?? '');
const opts: FakeOptions = {
  role: isRole(role) && role !== 'host' ? role : 'owner',
  signaling: (q.get('signaling') as SignalingStatus | null) ?? 'online',
  status: (q.get('status') as JoinStatus | null) ?? 'joined',
  hostConnected: q.get('host') !== '0',
  exitCode: exit !== null && /^\d+$/.test(exit) ? Number(exit) : undefined,
  cols: size ? Number(size[1]) : undefined,
  rows: size ? Number(size[2]) : undefined
};
const view = new FakeSession(opts);
// Tests read `inputs` to prove that a viewer's keystrokes were never sent.
(window as unknown as { __fakeSession: FakeSession }).__fakeSession = view;

mount(Session, { target: document.body, props: { view, a11y: q.get('a11y') === '1' } });
