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
