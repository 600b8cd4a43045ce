import type { WireUser } from '@lockstep/wire';
import { UsersFileError } from './errors/users-file-error.js';

/** Most accounts a users file or the flags may define (a bound on what is kept in memory). */
export const MAX_ACCOUNTS = 10_000;

/** Splits `NAME:PASSWORD` (the password may contain ':'); `NAME` alone gets `defaultPassword`. */
export function parseAccount(text: string, defaultPassword: string): WireUser {
  const colon = text.indexOf(':');
  const user = (colon === -1 ? text : text.slice(0, colon)).trim();
  const password = colon === -1 ? defaultPassword : text.slice(colon + 1);
  return { user, password };
}

/**
 * The accounts: every `--user` (NAME or NAME:PASSWORD; NAME alone takes `--password`),
 * then every line of the users file (`NAME:PASSWORD`, blank lines and `#` comments skipped).
 * A later definition of a name replaces an earlier one.
 */
export function resolveAccounts(users: readonly string[], password: string, usersFile: { name: string; text: string } | undefined): WireUser[] {
  const byName = new Map<string, WireUser>();
  const add = (account: WireUser, where: () => string): void => {
    if (account.user === '') throw new UsersFileError(where(), 'empty user name');
    if (account.user.length > 80) throw new UsersFileError(where(), `user name longer than 80 characters`);
    byName.set(account.user, account);
    if (byName.size > MAX_ACCOUNTS) throw new UsersFileError(where(), `more than ${MAX_ACCOUNTS} accounts`);
  };
  for (const text of users) add(parseAccount(text, password), () => '--user');
  if (usersFile !== undefined) {
    const lines = usersFile.text.split(/\r?\n/);
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!.trim();
      if (line === '' || line.startsWith('#')) continue;
      if (!line.includes(':')) throw new UsersFileError(`${usersFile.name}:${i + 1}`, "expected 'NAME:PASSWORD'");
      add(parseAccount(line, ''), () => `${usersFile.name}:${i + 1}`);
    }
  }
  return [...byName.values()];
}
