/**
 * Session administration (capability byte CAP.SESSION): what the host tells owners about the
 * session itself. Today only the share links; role changes and removals belong here too.
 *
 *   links [0] {links: {owner?, editor?, viewer?}}   host → owners
 */
import { HOST, readJson, typeOf, writeJson, type Protocol, type Rules } from './capability.ts';
import { CAP } from './frames.ts';
import { INVITE_ROLES, type InviteRole } from './roles.ts';
import { obj, str } from './validate.ts';

export type ShareLinks = Partial<Record<InviteRole, string>>;

export type SessionDown = { type: 'links'; links: ShareLinks };
/** nothing yet: owners will change roles and remove participants this way */
export type SessionUp = never;

const TYPES = ['links'] as const satisfies readonly SessionDown['type'][];
const MAX_LINK_CHARS = 2000;

export function writeSession(m: SessionDown): Uint8Array {
  const { type, ...fields } = m;
  return writeJson(CAP.SESSION, TYPES.indexOf(type), fields);
}

export function readSession(body: Uint8Array): SessionDown {
  const type = typeOf(body, TYPES, 'session');
  const o = readJson(body, 16 * 1024);
  switch (type) {
    case 'links': {
      const l = obj(o.links, 'links');
      const links: ShareLinks = {};
      for (const k of INVITE_ROLES) if (l[k] !== undefined) links[k] = str(l, k, MAX_LINK_CHARS);
      return { type, links };
    }
  }
}

export const SESSION_RULES: Rules<SessionDown> = {
  links: { from: HOST, to: ['owner'] }
};

export const sessionProtocol: Protocol<SessionUp, SessionDown> = {
  cap: CAP.SESSION,
  name: 'session',
  write: writeSession,
  read: readSession,
  rules: SESSION_RULES
};
