// The few web-platform globals the protocol uses that exist in browsers and Node alike (the
// protocol's tsconfig leaves out the DOM on purpose).
declare class TextEncoder {
  encode(input?: string): Uint8Array;
}
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean });
  decode(input?: Uint8Array): string;
}
