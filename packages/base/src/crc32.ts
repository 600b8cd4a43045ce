/**
 * CRC-32 (the IEEE 802.3 polynomial, reflected, as zlib, gzip, PNG and MySQL's binlog
 * event checksums use). Node 20 has no `zlib.crc32`, so every log format here uses this.
 * Pass the previous result as `crc` to continue over several chunks.
 *
 * Computed eight bytes per step with eight lookup tables ("slicing-by-8"): every kv log
 * record, checkpoint chunk and binlog event is checksummed, and the byte-at-a-time loop
 * was a visible share of writing and decoding them. `crc32Bytewise` is the plain
 * definition, kept as the reference the tests compare against.
 */
const TABLES = (() => {
  const t = new Int32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  for (let n = 0; n < 256; n++) {
    let c = t[n]!;
    for (let s = 1; s < 8; s++) {
      c = t[c & 0xff]! ^ (c >>> 8);
      t[s * 256 + n] = c;
    }
  }
  return t;
})();

export function crc32(data: Uint8Array, crc = 0, start = 0, end = data.length): number {
  const t = TABLES;
  let c = ~crc;
  let i = start;
  for (; i + 8 <= end; i += 8) {
    const a = c ^ (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24));
    c =
      t[1792 + (a & 0xff)]! ^
      t[1536 + ((a >>> 8) & 0xff)]! ^
      t[1280 + ((a >>> 16) & 0xff)]! ^
      t[1024 + (a >>> 24)]! ^
      t[768 + data[i + 4]!]! ^
      t[512 + data[i + 5]!]! ^
      t[256 + data[i + 6]!]! ^
      t[data[i + 7]!]!;
  }
  for (; i < end; i++) c = t[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

/** The byte-at-a-time definition (slow): the reference `crc32` is tested against. */
export function crc32Bytewise(data: Uint8Array, crc = 0, start = 0, end = data.length): number {
  let c = ~crc >>> 0;
  for (let i = start; i < end; i++) c = TABLES[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}
