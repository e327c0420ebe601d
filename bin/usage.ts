/** The help text of the `live-sessions` command (also printed after a usage error). */
import { DEFAULT_PORT } from './signal.ts';

export const USAGE = `Live Sessions — shared terminals for debugging together.

Usage:
  live-sessions start  [--port N] [--cwd DIR] [--shell CMD] [--record-dir DIR] [--redact REGEX]...
                       [--turn-url URL]... [--turn-secret S | --turn-secret-file FILE] [--stun-url URL]... [--relay-only]
      a local signaling server and a host agent; prints the owner, editor and viewer links
      (the TURN flags are signal's, --relay-only is host's)
  live-sessions signal [--port N] [--host ADDR]
      the signaling server alone (default 127.0.0.1:${DEFAULT_PORT}; --port 0 picks a free port)
  live-sessions host   [--signaling URL] [--cwd DIR] [--shell CMD] [--name NAME] [--record-dir DIR] [--redact REGEX]... [--json]
                       [--otlp URL] [--traceparent TP]
      the host agent: shares a shell in DIR through the signaling server at URL
      --record-dir DIR keeps the record there: SESSION.jsonl (audit) and one .cast per terminal
      --redact REGEX (repeatable) masks what matches in the record, on top of the built-in
      patterns for common tokens and keys
      --json prints one line {"session", "links": {"owner","editor","viewer"}} first on stdout,
      then one JSON event a line
      --relay-only: every peer connects through the server's TURN relay, so nobody learns an address
      --log FILE (repeatable; a glob follows every file it matches, also those created later, up to 32) and --log-cmd "CMD" (repeatable)
      are followed as log sources; --log-docker NAME when docker is installed; --log-history MB
      (per source, default 64) and --log-rate N (lines a second per participant, default 2000)
      --otlp URL exports the session as OpenTelemetry spans (OTLP/HTTP; or OTEL_EXPORTER_OTLP_ENDPOINT)
      --traceparent TP makes the session part of an incident's trace (W3C; or TRACEPARENT)
  live-sessions host --attach LINK [--cwd DIR] [--shell CMD] [--name NAME] [--record-dir DIR] [--redact REGEX]... [--json]
      attaches this box to a session started in the browser (its owner copies the command);
      Ctrl+C detaches, the session goes on ("links" is null with --json)
  live-sessions audit verify FILE | audit show FILE
      checks an audit log's hash chain (exit 0 intact, 1 naming the first bad line), or prints it
  live-sessions doctor [--signaling URL]
      checks signaling, credentials, STUN and the TURN relay (UDP, TCP, TLS) from this box
  live-sessions checkpoint [LABEL]
      in a shared shell: an environment checkpoint that sees this shell's variables and cwd
`;
