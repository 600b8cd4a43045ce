import type { ColumnSpec, ColumnType, CreateTableStatement, IndexSpec, SqlValue } from '../../src/index.js';

/** Hand-built CREATE TABLE statements (the parser has its own tests). */
export function column(name: string, type: ColumnType, options: Partial<Omit<ColumnSpec, 'name' | 'type'>> & { defaultValue?: SqlValue } = {}): ColumnSpec {
  const { defaultValue, ...rest } = options;
  return {
    name,
    type,
    nullable: undefined,
    default: defaultValue === undefined ? { kind: 'none' } : defaultValue === null ? { kind: 'null' } : { kind: 'value', value: defaultValue },
    autoIncrement: false,
    primaryKey: false,
    unique: false,
    comment: undefined,
    ...rest,
  };
}

export function createTable(name: string, columns: ColumnSpec[], primaryKey?: string[], indexes: IndexSpec[] = [], database?: string): CreateTableStatement {
  return { kind: 'createTable', table: { database, name }, ifNotExists: false, columns, primaryKey, indexes, engine: undefined, comment: undefined };
}

export const INT: ColumnType = { kind: 'int', bytes: 4, unsigned: false };

/** sysbench's sbtest table. */
export function sbtest(name = 'sbtest1'): CreateTableStatement {
  return createTable(
    name,
    [
      column('id', INT, { nullable: false, autoIncrement: true }),
      column('k', INT, { nullable: false, defaultValue: '0' }),
      column('c', { kind: 'char', length: 120 }, { nullable: false, defaultValue: '' }),
      column('pad', { kind: 'char', length: 60 }, { nullable: false, defaultValue: '' }),
    ],
    ['id'],
  );
}
