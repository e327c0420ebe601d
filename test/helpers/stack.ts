/** Signaling server and host agent in this process, for integration tests that look inside. */
import { startSignaling, type SignalingServer } from '../../signaling/server.ts';
import { HostAgent } from '../../host-agent/agent.ts';
import { shellTestEnv } from './processes.ts';
import { makeTempDir } from './tmp.ts';

export interface Stack {
  server: SignalingServer;
  agent: HostAgent;
  cwd: string;
  hostLog: string[];
  /** invite secret and session key of a role's link */
  link(role: 'owner' | 'editor' | 'viewer'): { invite: string; key: string };
  dispose(): Promise<void>;
}

export async function startStack(): Promise<Stack> {
  const cwd = makeTempDir('live-sessions-cwd-');
  const stateDir = makeTempDir('live-sessions-state-');
  const server = await startSignaling({ port: 0, staticDir: null, log: () => {} });
  const hostLog: string[] = [];
  const env = { ...(process.env as Record<string, string>), ...shellTestEnv() };
  const agent = await HostAgent.start({ signaling: server.url, cwd, shell: '/bin/bash', name: 'test-host', stateDir, env, log: (l) => hostLog.push(l) });
  return {
    server,
    agent,
    cwd,
    hostLog,
    link(role) {
      const p = new URLSearchParams(new URL(agent.links![role]).hash.slice(1));
      return { invite: p.get('invite')!, key: p.get('key')! };
    },
    async dispose() {
      await agent.dispose();
      await server.close();
    }
  };
}
