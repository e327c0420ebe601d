/** UTF-8 bytes arriving in pieces (PTY reads, input messages): where the complete characters end. */

/**
 * `end`, or before it the start of a UTF-8 character whose last bytes are not in `b[start, end)`
 * yet. (Bytes that cannot start a complete character are left in: they are written replaced.)
 */
export function charEnd(b: Uint8Array, start: number, end: number): number {
  for (let back = 1; back <= 3 && end - back >= start; back++) {
    const c = b[end - back];
    if (c < 0x80) return end;
    if (c >= 0xc0) {
      const need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
      return need > back ? end - back : end;
    }
  }
  return end;
}
