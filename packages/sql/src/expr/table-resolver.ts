import type { TableSchema } from '../catalog/table-schema.js';
import { UnknownColumnError } from '../errors/unknown-column-error.js';
import type { ColumnResolver } from './compile.js';

/**
 * Resolves column names of one table to their positions (rows are full table rows).
 * A qualified name must use the table's name or its alias; 1054 names the clause.
 */
export function tableColumnResolver(table: TableSchema, alias: string | undefined, context: string): ColumnResolver {
  return {
    column(qualifier, name) {
      if (qualifier !== undefined && qualifier !== table.name && qualifier !== alias) throw new UnknownColumnError(`${qualifier}.${name}`, context);
      const i = table.findColumn(name);
      if (i < 0) throw new UnknownColumnError(qualifier === undefined ? name : `${qualifier}.${name}`, context);
      return i;
    },
    insertedColumn(name) {
      return table.columnPosition(name, 'field list');
    },
  };
}
