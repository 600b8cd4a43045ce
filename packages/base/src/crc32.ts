/**
 * CRC-32 (the IEEE 802.3 polynomial, reflected, as zlib, gzip, PNG and MySQL's binlog
 * event checksums use). Node 20 has no `zlib.crc32`, so every log format here uses this.
 * Pass the previous result as `crc` to continue over several chunks.
 */
const TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32(data: Uint8Array, crc = 0, start = 0, end = data.length): number {
  let c = ~crc >>> 0;
  for (let i = start; i < end; i++) c = TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}
