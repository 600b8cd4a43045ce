import { invariant } from '@lockstep/base';
import type { ParsedStatement } from './ast.js';

export interface StatementCacheOptions {
  /** Most statements kept (default 1024). */
  readonly maxEntries?: number;
  /** Texts longer than this are parsed every time, never cached (default 4096 characters): multi-row INSERTs are rarely repeated. */
  readonly maxSqlLength?: number;
}

export interface StatementCacheStats {
  readonly entries: number;
  readonly hits: number;
  readonly misses: number;
  readonly evictions: number;
  /** Statements too long to cache. */
  readonly uncacheable: number;
}

/**
 * A bounded LRU of parsed statements keyed by the exact SQL text. A Map keeps insertion
 * order; a hit moves the entry to the end, an insert past `maxEntries` evicts the first.
 * Cached statements are shared: they are immutable by contract (see ast.ts).
 */
export class StatementCache {
  readonly maxEntries: number;
  readonly maxSqlLength: number;
  private readonly entries = new Map<string, ParsedStatement>();
  private hits = 0;
  private misses = 0;
  private evictions = 0;
  private uncacheable = 0;

  constructor(options: StatementCacheOptions = {}) {
    this.maxEntries = options.maxEntries ?? 1024;
    this.maxSqlLength = options.maxSqlLength ?? 4096;
    invariant(this.maxEntries >= 0 && Number.isInteger(this.maxEntries), 'maxEntries is a non-negative integer');
  }

  get(sql: string): ParsedStatement | undefined {
    const found = this.entries.get(sql);
    if (found === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    this.entries.delete(sql);
    this.entries.set(sql, found);
    return found;
  }

  set(sql: string, parsed: ParsedStatement): void {
    if (sql.length > this.maxSqlLength || this.maxEntries === 0) {
      this.uncacheable++;
      return;
    }
    this.entries.delete(sql);
    this.entries.set(sql, parsed);
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value!;
      this.entries.delete(oldest);
      this.evictions++;
    }
  }

  clear(): void {
    this.entries.clear();
  }

  stats(): StatementCacheStats {
    return { entries: this.entries.size, hits: this.hits, misses: this.misses, evictions: this.evictions, uncacheable: this.uncacheable };
  }
}
