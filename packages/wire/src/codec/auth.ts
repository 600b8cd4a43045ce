import { createHash, timingSafeEqual } from 'node:crypto';

function sha1(...parts: Uint8Array[]): Buffer {
  const hash = createHash('sha1');
  for (const part of parts) hash.update(part);
  return hash.digest();
}

/**
 * What a server stores for a mysql_native_password account: SHA1(SHA1(password)), 20 bytes
 * (MySQL shows it as '*' + 40 hex digits in mysql.user).
 */
export function nativePasswordHash(password: string): Buffer {
  return sha1(sha1(Buffer.from(password, 'utf8')));
}

/** The client's answer to a 20-byte scramble: SHA1(pw) XOR SHA1(scramble + SHA1(SHA1(pw))). Empty for an empty password. */
export function scrambleNativePassword(password: string, scramble: Uint8Array): Buffer {
  if (password === '') return Buffer.alloc(0);
  const stage1 = sha1(Buffer.from(password, 'utf8'));
  const stage2 = sha1(stage1);
  const mask = sha1(scramble, stage2);
  for (let i = 0; i < 20; i++) mask[i] = mask[i]! ^ stage1[i]!;
  return mask;
}

/**
 * Checks a client's token against the stored SHA1(SHA1(password)) without knowing the
 * password: stage1 = token XOR SHA1(scramble + stored); valid iff SHA1(stage1) == stored.
 * An empty stored hash (no password) accepts only an empty token.
 */
export function verifyNativePassword(token: Uint8Array, scramble: Uint8Array, storedHash: Uint8Array): boolean {
  if (storedHash.length === 0) return token.length === 0;
  if (token.length !== 20 || storedHash.length !== 20) return false;
  const mask = sha1(scramble, storedHash);
  for (let i = 0; i < 20; i++) mask[i] = mask[i]! ^ token[i]!;
  return timingSafeEqual(sha1(mask), storedHash);
}
