/** Printable form of a key for errors and status (first 32 bytes). */
export function hexKey(key: Uint8Array): string {
  let out = '';
  for (let i = 0; i < key.length && i < 32; i++) out += key[i]!.toString(16).padStart(2, '0');
  return key.length > 32 ? `${out}…` : out;
}
