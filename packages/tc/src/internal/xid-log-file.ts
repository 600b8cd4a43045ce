import { crc32 } from '@lockstep/base';
import { XidLogCorruptError } from '../errors/xid-log-corrupt-error.js';
import type { Xid } from '../participant.js';

/** Encoding and decoding of the XID log (see FORMAT.md). */
export const XID_LOG_HEADER = Uint8Array.of(0x4c, 0x53, 0x58, 0x4c, 1, 0, 0, 0);
const RECORD_HEADER_BYTES = 8;
const TYPE_COMMIT_GROUP = 1;

export function xidLogFileName(number: number): string {
  return `xid-log.${String(number).padStart(6, '0')}`;
}

/** The file number of an XID log name, or undefined for any other name. */
export function parseXidLogFileName(name: string): number | undefined {
  const match = /^xid-log\.(\d{6})$/.exec(name);
  return match === null ? undefined : Number(match[1]);
}

export function encodeCommitGroup(xids: readonly Xid[]): Uint8Array {
  const bodyBytes = 5 + 8 * xids.length;
  const out = new Uint8Array(RECORD_HEADER_BYTES + bodyBytes);
  const view = new DataView(out.buffer);
  view.setUint32(0, bodyBytes, true);
  view.setUint8(8, TYPE_COMMIT_GROUP);
  view.setUint32(9, xids.length, true);
  for (let i = 0; i < xids.length; i++) view.setBigUint64(13 + 8 * i, BigInt.asUintN(64, xids[i]!), true);
  view.setUint32(4, crc32(out, 0, RECORD_HEADER_BYTES, out.length), true);
  return out;
}

export interface DecodedXidLog {
  readonly xids: Xid[];
  /** Offset just past the last intact record. */
  readonly validBytes: number;
  /** Bytes after the last intact record (a torn tail); 0 for a clean file. */
  readonly discardedBytes: number;
}

/** Decodes a whole file; `isNewest` decides whether a bad record is a torn tail or corruption. */
export function decodeXidLog(file: string, bytes: Uint8Array, isNewest: boolean): DecodedXidLog {
  if (bytes.length < XID_LOG_HEADER.length) {
    if (isNewest) return { xids: [], validBytes: 0, discardedBytes: bytes.length };
    throw new XidLogCorruptError(file, 0, 'shorter than the file header');
  }
  for (let i = 0; i < XID_LOG_HEADER.length; i++) {
    if (bytes[i] !== XID_LOG_HEADER[i]) throw new XidLogCorruptError(file, i, 'bad magic or version');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const xids: Xid[] = [];
  let offset = XID_LOG_HEADER.length;
  while (offset < bytes.length) {
    const problem = recordProblem(view, bytes, offset);
    if (problem !== undefined) {
      if (isNewest) return { xids, validBytes: offset, discardedBytes: bytes.length - offset };
      throw new XidLogCorruptError(file, offset, problem);
    }
    const bodyBytes = view.getUint32(offset, true);
    const type = view.getUint8(offset + 8);
    if (type !== TYPE_COMMIT_GROUP) throw new XidLogCorruptError(file, offset, `unknown record type ${type}`);
    const count = view.getUint32(offset + 9, true);
    if (5 + 8 * count !== bodyBytes) throw new XidLogCorruptError(file, offset, `count ${count} does not fit body of ${bodyBytes} bytes`);
    for (let i = 0; i < count; i++) xids.push(view.getBigUint64(offset + 13 + 8 * i, true));
    offset += RECORD_HEADER_BYTES + bodyBytes;
  }
  return { xids, validBytes: offset, discardedBytes: 0 };
}

function recordProblem(view: DataView, bytes: Uint8Array, offset: number): string | undefined {
  if (offset + RECORD_HEADER_BYTES > bytes.length) return 'record header runs past the end';
  const bodyBytes = view.getUint32(offset, true);
  if (bodyBytes < 5 || offset + RECORD_HEADER_BYTES + bodyBytes > bytes.length) return 'record body runs past the end';
  const stored = view.getUint32(offset + 4, true);
  if (crc32(bytes, 0, offset + RECORD_HEADER_BYTES, offset + RECORD_HEADER_BYTES + bodyBytes) !== stored) return 'checksum mismatch';
  return undefined;
}
