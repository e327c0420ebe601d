/**
 * Shell-integration marks as the shells print them, OSC 133 (A prompt start, B command line start,
 * C command executed, D;exit finished) and OSC 7 (cwd): what one payload (between `ESC ]` and its
 * terminator) means. The host reads them from the PTY's output (host-agent/commands), pages from
 * their own terminals' parsers (to mark command starts in the gutter).
 */

export type ShellMark =
  | { kind: 'prompt' }
  | { kind: 'input' }
  /** `text`: the command line, when the shell told it (our bash hook does, base64) */
  | { kind: 'exec'; text: string | null }
  | { kind: 'done'; exit: number | null }
  | { kind: 'cwd'; path: string };

function decodeBase64(s: string): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(atob(s), (c) => c.charCodeAt(0)));
  } catch {
    return null;
  }
}

export function parseMark(payload: string): ShellMark | null {
  if (payload.startsWith('7;')) {
    try {
      const url = new URL(payload.slice(2));
      return url.protocol === 'file:' ? { kind: 'cwd', path: decodeURIComponent(url.pathname) } : null;
    } catch {
      return null;
    }
  }
  if (!payload.startsWith('133;')) return null;
  const [code, ...params] = payload.slice(4).split(';');
  switch (code) {
    case 'A':
      return { kind: 'prompt' };
    case 'B':
      return { kind: 'input' };
    case 'C': {
      const cmd = params.find((p) => p.startsWith('cmd='));
      return { kind: 'exec', text: cmd ? decodeBase64(cmd.slice(4)) : null };
    }
    case 'D': {
      const n = params.length ? Number(params[0]) : NaN;
      return { kind: 'done', exit: Number.isInteger(n) ? n : null };
    }
    default:
      return null;
  }
}
