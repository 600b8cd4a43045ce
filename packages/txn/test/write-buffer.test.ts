// The write buffer (internal) against a Map + sort model, with tiny chunks so that splits
// and chunk removals happen, and a large transaction to show writes are not O(n).
import fc from 'fast-check';
import { compareBytes } from '@lockstep/locktree';
import { describe, expect, it } from 'vitest';
import { WriteBuffer } from '../src/internal/write-buffer.js';

const k = (n: number): Uint8Array => Uint8Array.of(n >> 8, n & 255);
const n = (key: Uint8Array): number => (key[0]! << 8) | key[1]!;

describe('WriteBuffer', () => {
  it('agrees with a Map model on set, savepoints, rollback and seek (chunks of 3)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({ op: fc.constant('set' as const), key: fc.integer({ min: 0, max: 40 }), value: fc.option(fc.integer({ min: 0, max: 9 }), { nil: undefined }) }),
            fc.record({ op: fc.constant('mark' as const) }),
            fc.record({ op: fc.constant('rollback' as const), which: fc.nat() }),
            fc.record({ op: fc.constant('seek' as const), key: fc.option(fc.integer({ min: 0, max: 41 }), { nil: undefined }), inclusive: fc.boolean(), reverse: fc.boolean() }),
          ),
          { maxLength: 120 },
        ),
        (commands) => {
          const buffer = new WriteBuffer(3);
          let model = new Map<number, number | undefined>();
          const marks: { mark: number; model: Map<number, number | undefined> }[] = [];
          for (const c of commands) {
            if (c.op === 'set') {
              buffer.set(k(c.key), c.value === undefined ? undefined : Uint8Array.of(c.value));
              model.set(c.key, c.value);
            } else if (c.op === 'mark') marks.push({ mark: buffer.mark, model: new Map(model) });
            else if (c.op === 'rollback') {
              if (marks.length === 0) continue;
              const i = c.which % marks.length;
              buffer.rollbackTo(marks[i]!.mark);
              model = new Map(marks[i]!.model);
              marks.length = i + 1;
            } else {
              const keys = [...model.keys()].sort((a, b) => a - b);
              const expected =
                c.key === undefined
                  ? c.reverse
                    ? keys.at(-1)
                    : keys[0]
                  : c.reverse
                    ? keys.filter((x) => (c.inclusive ? x <= c.key! : x < c.key!)).at(-1)
                    : keys.find((x) => (c.inclusive ? x >= c.key! : x > c.key!));
              const got = buffer.seek(c.key === undefined ? undefined : k(c.key), c.inclusive, c.reverse);
              expect(got === undefined ? undefined : n(got.key)).toBe(expected);
            }
            const keys = [...model.keys()].sort((a, b) => a - b);
            expect(buffer.size).toBe(keys.length);
            expect(buffer.entries().map((e) => [n(e.key), e.value?.[0]])).toEqual(keys.map((x) => [x, model.get(x)]));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a 200 000-key transaction stays sorted and rolls back to a savepoint (chunked: no O(n) insert)', () => {
    const buffer = new WriteBuffer();
    let x = 12345;
    const key = (i: number): Uint8Array => Uint8Array.of(i >>> 24, (i >>> 16) & 255, (i >>> 8) & 255, i & 255);
    for (let i = 0; i < 100_000; i++) {
      x = (x * 1103515245 + 12345) >>> 0;
      buffer.set(key(x), undefined);
    }
    const mark = buffer.mark;
    const sizeAtMark = buffer.size;
    for (let i = 0; i < 100_000; i++) {
      x = (x * 1103515245 + 12345) >>> 0;
      buffer.set(key(x), Uint8Array.of(1));
    }
    const entries = buffer.entries();
    for (let i = 1; i < entries.length; i++) expect(compareBytes(entries[i - 1]!.key, entries[i]!.key)).toBeLessThan(0);
    buffer.rollbackTo(mark);
    expect(buffer.size).toBe(sizeAtMark);
    expect(buffer.entries().every((e) => e.value === undefined)).toBe(true);
  });
});
