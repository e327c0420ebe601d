/**
 * Session administration (capability byte CAP.SESSION): the share links the host tells owners,
 * and the owner's decisions about participants.
 *
 *   links   [0] {links: {owner?, editor?, viewer?}}   host → owners (all), editors (viewer only)
 *   control [1] {statement, owner}                   anyone → anyone
 *
 * `control` carries an owner's signed statement (statements.ts: role change or removal) with the
 * owner's credential, so every peer can verify it without the server. The mesh consumes it
 * (mesh.ts): the owner sends it to everyone, every peer passes a statement it had not seen on to
 * the others and hands all it knows to each peer that joins, so it reaches peers the owner is not
 * connected to. Its authority is the signature, not the sender: anyone may relay it.
 */
import { EVERYONE, HOST, readJson, typeOf, writeJson, type Protocol, type Rules } from './capability.ts';
import { MAX_TOKEN_CHARS } from './credentials.ts';
import { MAX_STATEMENT_CHARS } from './statements.ts';
import { CAP } from './frames.ts';
import { INVITE_ROLES, type InviteRole } from './roles.ts';
import { obj, str } from './validate.ts';

export type ShareLinks = Partial<Record<InviteRole, string>>;

export type SessionControl = { type: 'control'; statement: string; owner: string };
export type SessionDown = { type: 'links'; links: ShareLinks } | SessionControl;
export type SessionUp = SessionControl;

const TYPES = ['links', 'control'] as const satisfies readonly SessionDown['type'][];
const MAX_LINK_CHARS = 2000;

export function writeSession(m: SessionDown | SessionUp): Uint8Array {
  const { type, ...fields } = m;
  return writeJson(CAP.SESSION, TYPES.indexOf(type), fields);
}

export function readSession(body: Uint8Array): SessionDown | SessionUp {
  const type = typeOf(body, TYPES, 'session');
  const o = readJson(body, 16 * 1024);
  switch (type) {
    case 'links': {
      const l = obj(o.links, 'links');
      const links: ShareLinks = {};
      for (const k of INVITE_ROLES) if (l[k] !== undefined) links[k] = str(l, k, MAX_LINK_CHARS);
      return { type, links };
    }
    case 'control':
      return { type, statement: str(o, 'statement', MAX_STATEMENT_CHARS, { min: 1 }), owner: str(o, 'owner', MAX_TOKEN_CHARS, { min: 1 }) };
  }
}

export const SESSION_RULES: Rules<SessionDown> = {
  // owners get every link, editors the viewer link (to pass on)
  links: { from: HOST, to: ['owner', 'editor'] },
  control: { from: EVERYONE, to: EVERYONE }
};

export const sessionProtocol: Protocol<SessionUp, SessionDown> = {
  cap: CAP.SESSION,
  name: 'session',
  write: writeSession,
  read: readSession,
  rules: SESSION_RULES
};
