/** Roles of a participant. `host` is the agent on the box; it alone owns PTYs, files and logs. */
export const ROLES = ['owner', 'host', 'editor', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/** Roles an invite link can carry (the host role is issued only to the session's creator agent). */
export const INVITE_ROLES = ['owner', 'editor', 'viewer'] as const;
export type InviteRole = (typeof INVITE_ROLES)[number];

/** Roles of the invites an owner makes: those, and `host` — a single-use, short-lived invite that
 * attaches a host agent to a session started in the browser (`live-sessions host --attach LINK`). */
export const MADE_INVITE_ROLES = [...INVITE_ROLES, 'host'] as const;
export type MadeInviteRole = (typeof MADE_INVITE_ROLES)[number];

/** Longest lifetime of a host invite, s: it is meant to be pasted on the box right away. */
export const HOST_INVITE_MAX_TTL_S = 3600;

export function isRole(v: unknown): v is Role {
  return typeof v === 'string' && (ROLES as readonly string[]).includes(v);
}

/** Who may type into terminals and open, close, resize or restart them. */
export function canWrite(role: Role): boolean {
  return role !== 'viewer';
}
