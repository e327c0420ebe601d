/** The help text of the `live-sessions` command (also printed after a usage error). */
import { DEFAULT_PORT } from './signal.ts';

export const USAGE = `Live Sessions — shared terminals for debugging together.

Usage:
  live-sessions start  [--port N] [--cwd DIR] [--shell CMD]
      a local signaling server and a host agent; prints the owner, editor and viewer links
  live-sessions signal [--port N] [--host ADDR]
      the signaling server alone (default 127.0.0.1:${DEFAULT_PORT}; --port 0 picks a free port)
  live-sessions host   [--signaling URL] [--cwd DIR] [--shell CMD] [--name NAME] [--json]
      the host agent: shares a shell in DIR through the signaling server at URL
      --json prints one line {"session", "links": {"owner","editor","viewer"}} first on stdout
  live-sessions checkpoint [LABEL]
      in a shared shell: an environment checkpoint that sees this shell's variables and cwd
`;
