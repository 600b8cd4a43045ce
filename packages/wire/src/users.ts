import { nativePasswordHash } from './codec/auth.js';
import { NATIVE_PASSWORD_PLUGIN } from './constants.js';

/**
 * An account. Give `password` (hashed once at server start) or `passwordHash`, the
 * 20-byte SHA1(SHA1(password)); neither means no password. `plugin` defaults to
 * mysql_native_password; any other plugin is refused at login with a message naming it.
 */
export interface WireUser {
  readonly user: string;
  readonly password?: string;
  readonly passwordHash?: Uint8Array;
  readonly plugin?: string;
}

/** The user table: a list, a map by name, or a lookup function (called once per login). */
export type WireUsers = readonly WireUser[] | ReadonlyMap<string, WireUser> | ((user: string) => WireUser | undefined);

export interface ResolvedUser {
  readonly user: string;
  readonly plugin: string;
  readonly hash: Uint8Array;
}

export function resolveUsers(users: WireUsers): (name: string) => ResolvedUser | undefined {
  const resolve = (u: WireUser): ResolvedUser => ({
    user: u.user,
    plugin: u.plugin ?? NATIVE_PASSWORD_PLUGIN,
    hash: u.passwordHash ?? (u.password === undefined || u.password === '' ? new Uint8Array(0) : nativePasswordHash(u.password)),
  });
  if (typeof users === 'function') {
    return (name) => {
      const u = users(name);
      return u === undefined ? undefined : resolve(u);
    };
  }
  const table = new Map<string, ResolvedUser>();
  const entries = users instanceof Map ? [...(users as ReadonlyMap<string, WireUser>).values()] : (users as readonly WireUser[]);
  for (const u of entries) table.set(u.user, resolve(u));
  return (name) => table.get(name);
}
