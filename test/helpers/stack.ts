/** Signaling server and host agent in this process, for integration tests that look inside. */
import { afterAll, beforeAll } from 'vitest';
import { startSignaling, type SignalingServer } from '../../signaling/server.ts';
import { HostAgent } from '../../host-agent/agent.ts';
import { cleanupWebRTC } from '../../host-agent/webrtc.ts';
import { joinNodePeer, type NodePeer } from './node-peer.ts';
import { shellTestEnv } from './processes.ts';
import { TermScreen } from './term-screen.ts';
import { makeTempDir, removeTempDirs } from './tmp.ts';
import { until } from './wait.ts';

type Role = 'owner' | 'editor' | 'viewer';

/** A participant following the host's first terminal. */
export interface Follower {
  p: NodePeer;
  /** what its TerminalClient shows of that terminal */
  t: TermScreen;
  /** the terminal's id */
  id: number;
  /** types into that terminal */
  type(s: string): void;
}

export interface StackOptions {
  /** more environment for the host's shell (and its snapshot), over shellTestEnv() */
  env?: Record<string, string>;
  /** runs in the fresh cwd before the host agent starts (what its first snapshot should see) */
  prepare?: (cwd: string) => void;
}

export interface Stack {
  server: SignalingServer;
  agent: HostAgent;
  cwd: string;
  hostLog: string[];
  /** invite secret and session key of a role's link */
  link(role: Role): { invite: string; key: string };
  /** a Node participant joined through `role`'s link; dispose() disposes it */
  join(role: Role, name: string, opts?: Parameters<typeof joinNodePeer>[4]): Promise<NodePeer>;
  /** join(), then connected to the host and following its first terminal, whose snapshot is in */
  follow(role: Role, name: string): Promise<Follower>;
  /** disposes the joined participants, then the host agent and the server */
  dispose(): Promise<void>;
}

export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const cwd = makeTempDir('live-sessions-cwd-');
  const stateDir = makeTempDir('live-sessions-state-');
  opts.prepare?.(cwd);
  const server = await startSignaling({ port: 0, staticDir: null, log: () => {} });
  const hostLog: string[] = [];
  const env = { ...(process.env as Record<string, string>), ...shellTestEnv(), ...opts.env };
  const agent = await HostAgent.start({ signaling: server.url, cwd, shell: '/bin/bash', name: 'test-host', stateDir, env, log: (l) => hostLog.push(l) });
  const peers: NodePeer[] = [];
  const link = (role: Role) => {
    const p = new URLSearchParams(new URL(agent.links![role]).hash.slice(1));
    return { invite: p.get('invite')!, key: p.get('key')! };
  };
  const join = async (role: Role, name: string, peerOpts: Parameters<typeof joinNodePeer>[4] = {}) => {
    const { invite, key } = link(role);
    const p = await joinNodePeer(server.url, agent.session, invite, key, { name, ...peerOpts });
    peers.push(p);
    return p;
  };
  return {
    server,
    agent,
    cwd,
    hostLog,
    link,
    join,
    async follow(role, name) {
      const p = await join(role, name);
      await p.peer('host');
      const id = agent.terminals.list()[0].id;
      const t = new TermScreen(p.terminals, id);
      await until(() => t.snapshots.length > 0, `${name}'s first snapshot`);
      return { p, t, id, type: (s: string) => p.terminals.input(id, s) };
    },
    async dispose() {
      await Promise.all(peers.map((p) => p.dispose()));
      await agent.dispose();
      await server.close();
    }
  };
}

/**
 * The stack of a whole test file: started before its tests, disposed after them (and after the
 * file's own afterAll hooks: vitest runs those in reverse order), then libdatachannel's threads
 * are stopped and the temp directories removed. Its members are set from the first test on.
 */
export function useStack(opts: StackOptions = {}): Stack {
  const stack = {} as Stack;
  beforeAll(async () => {
    Object.assign(stack, await startStack(opts));
  });
  afterAll(async () => {
    await stack.dispose?.();
    cleanupWebRTC();
    removeTempDirs();
  });
  return stack;
}
