/**
 * xterm.js answers a program's terminal queries (device attributes, cursor position, mode and
 * colour reports) through the same onData as keystrokes. In a shared terminal the host's mirror
 * answers them once (host-agent/terminals/mirror.ts), so each browser drops its own automatic
 * answers — otherwise the program would get one per editor. No keystroke produces these shapes.
 */
const REPLY_PATTERNS: RegExp[] = [
  /^\x1b\[[?>=]?[\d;]*c$/, // DA1 / DA2 / DA3
  /^\x1b\[\??\d+(;\d+)?R$/, // cursor position report (DSR 6)
  /^\x1b\[\??\d*n$/, // device status report
  /^\x1b\[\??\d+;\d+\$y$/, // DECRQM mode report
  /^\x1b\[\d+(;\d+){1,2}t$/, // XTWINOPS size reports
  /^\x1b\][\d;]+[^\x07\x1b]*(\x07|\x1b\\)$/, // OSC replies (colours)
  /^\x1bP[\s\S]*\x1b\\$/ // DCS replies (DECRQSS, XTGETTCAP)
];

export function isTerminalReply(data: string): boolean {
  return data.charCodeAt(0) === 0x1b && REPLY_PATTERNS.some((re) => re.test(data));
}
