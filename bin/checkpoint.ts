/**
 * `live-sessions checkpoint [LABEL]`, typed in a shell the host agent shares: asks that agent for a
 * checkpoint that sees this shell's environment, cwd and limits. The agent is found through the
 * socket path it exported into the shell (host-agent/env/checkpoint-socket.ts).
 */
import { connect } from 'node:net';
import { CHECKPOINT_ENV, type CheckpointAnswer } from '../host-agent/env/checkpoint-socket.ts';

export async function checkpoint(args: string[]): Promise<void> {
  const path = process.env[CHECKPOINT_ENV];
  if (!path) throw new Error(`not inside a shared shell (${CHECKPOINT_ENV} is not set): run this in a terminal of a live session`);
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  // this command's parent is the shell it was typed in: its limits are the shell's
  const req = { label: args.join(' ').trim(), cwd: process.cwd(), env, pid: process.ppid };
  const answer = await new Promise<CheckpointAnswer>((resolve, reject) => {
    const sock = connect(path);
    let buf = '';
    sock.setEncoding('utf8');
    sock.on('connect', () => sock.write(JSON.stringify(req) + '\n'));
    sock.on('data', (d: string) => (buf += d));
    sock.on('end', () => {
      try {
        resolve(JSON.parse(buf) as CheckpointAnswer);
      } catch {
        reject(new Error('the host agent gave no answer'));
      }
    });
    sock.on('error', (e) => reject(new Error(`cannot reach the host agent at ${path}: ${e.message}`)));
  });
  if (!answer.ok) throw new Error(answer.error);
  console.log(`checkpoint ${answer.id} taken: ${answer.label}`);
}
