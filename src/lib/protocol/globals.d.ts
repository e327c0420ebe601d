// The few web-platform globals the protocol uses that exist in browsers and Node alike (the
// protocol's tsconfig leaves out the DOM on purpose).
declare class TextEncoder {
  encode(input?: string): Uint8Array;
}
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean });
  decode(input?: Uint8Array): string;
}
declare class URLSearchParams {
  constructor(init?: string);
  get(name: string): string | null;
}
declare class URL {
  constructor(url: string, base?: string);
  readonly href: string;
  readonly origin: string;
  readonly protocol: string;
  readonly pathname: string;
  readonly search: string;
  readonly hash: string;
}
/** deflate-raw inflation (the logs capability's compressed `lines`; browsers and Node ≥ 18) */
declare class DecompressionStream {
  constructor(format: 'deflate-raw');
  readonly writable: { getWriter(): { write(chunk: Uint8Array): Promise<void>; close(): Promise<void> } };
  readonly readable: { getReader(): { read(): Promise<{ done: boolean; value?: Uint8Array }>; cancel(): Promise<void> } };
}
