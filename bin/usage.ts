/** The help text of the `live-sessions` command (also printed after a usage error). */
import { DEFAULT_PORT } from './signal.ts';

export const USAGE = `Live Sessions — shared terminals for debugging together.

Usage:
  live-sessions start  [--port N] [--cwd DIR] [--shell CMD] [--record-dir DIR]
      a local signaling server and a host agent; prints the owner, editor and viewer links
  live-sessions signal [--port N] [--host ADDR]
      the signaling server alone (default 127.0.0.1:${DEFAULT_PORT}; --port 0 picks a free port)
  live-sessions host   [--signaling URL] [--cwd DIR] [--shell CMD] [--name NAME] [--record-dir DIR] [--json]
      the host agent: shares a shell in DIR through the signaling server at URL
      --record-dir DIR keeps the record there: SESSION.jsonl (audit) and one .cast per terminal
      --json prints one line {"session", "links": {"owner","editor","viewer"}} first on stdout,
      then one JSON event a line
      --relay-only: every peer connects through the server's TURN relay, so nobody learns an address
  live-sessions audit verify FILE | audit show FILE
      checks an audit log's hash chain (exit 0 intact, 1 naming the first bad line), or prints it
  live-sessions doctor [--signaling URL]
      checks signaling, credentials, STUN and the TURN relay (UDP, TCP) from this box
  live-sessions checkpoint [LABEL]
      in a shared shell: an environment checkpoint that sees this shell's variables and cwd
`;
