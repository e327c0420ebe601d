/** Small checks shared by every `parse…` at a boundary. Each throws a ProtocolError whose message a user can act on. */

export class ProtocolError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

export type Obj = Record<string, unknown>;

export function fail(message: string, code = 'bad-message'): never {
  throw new ProtocolError(code, message);
}

export function obj(v: unknown, what: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(`${what} must be a JSON object`);
  return v as Obj;
}

export function str(o: Obj, key: string, maxLen: number, opts: { min?: number; optional?: false } = {}): string {
  const v = o[key];
  if (typeof v !== 'string') fail(`"${key}" must be a string`);
  if (v.length < (opts.min ?? 0)) fail(`"${key}" must not be empty`);
  if (v.length > maxLen) fail(`"${key}" is longer than ${maxLen} characters`);
  return v;
}

export function optStr(o: Obj, key: string, maxLen: number): string | undefined {
  return o[key] === undefined ? undefined : str(o, key, maxLen);
}

export function int(o: Obj, key: string, min: number, max: number): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    fail(`"${key}" must be an integer from ${min} to ${max}`);
  }
  return v;
}

export function optInt(o: Obj, key: string, min: number, max: number): number | undefined {
  return o[key] === undefined ? undefined : int(o, key, min, max);
}

/** JSON.parse with a size bound, so a flood of huge strings is refused before it is parsed. */
export function parseJson(text: string, maxBytes: number, what: string): unknown {
  if (text.length > maxBytes) fail(`${what} is larger than ${maxBytes} bytes`, 'too-large');
  try {
    return JSON.parse(text);
  } catch {
    fail(`${what} is not valid JSON`);
  }
}
