import { sqlLiteral } from '../catalog/show-create.js';
import type { Expr } from './ast.js';

/** An operand of a binary operator, parenthesized when it is itself an operation (so the grouping shows). */
function operand(e: Expr): string {
  const text = exprToSql(e);
  return e.kind === 'binary' || e.kind === 'in' || e.kind === 'between' || e.kind === 'like' || e.kind === 'isNull' || (e.kind === 'unary' && e.op === 'NOT') ? `(${text})` : text;
}

/**
 * SQL text of an expression, used as the column label when a select item has no alias and
 * in error messages ('BIGINT value is out of range in ...'). MySQL labels with the
 * original text; ours is regenerated (same tokens, normalised spacing and case).
 */
export function exprToSql(e: Expr): string {
  switch (e.kind) {
    case 'literal':
      return sqlLiteral(e.value);
    case 'param':
      return '?';
    case 'column':
      return e.table === undefined ? e.name : `${e.table}.${e.name}`;
    case 'sysvar':
      return `@@${e.scope === undefined ? '' : `${e.scope}.`}${e.name}`;
    case 'uservar':
      return `@${e.name}`;
    case 'unary':
      return e.op === 'NOT' ? `NOT ${exprToSql(e.operand)}` : `${e.op}${exprToSql(e.operand)}`;
    case 'binary':
      return `${operand(e.left)} ${e.op} ${operand(e.right)}`;
    case 'in':
      return `${exprToSql(e.operand)} ${e.negated ? 'NOT IN' : 'IN'} (${e.list.map(exprToSql).join(',')})`;
    case 'between':
      return `${exprToSql(e.operand)} ${e.negated ? 'NOT BETWEEN' : 'BETWEEN'} ${exprToSql(e.low)} AND ${exprToSql(e.high)}`;
    case 'isNull':
      return `${exprToSql(e.operand)} IS ${e.negated ? 'NOT NULL' : 'NULL'}`;
    case 'like':
      return `${exprToSql(e.operand)} ${e.negated ? 'NOT LIKE' : 'LIKE'} ${exprToSql(e.pattern)}${e.escape === undefined ? '' : ` ESCAPE ${exprToSql(e.escape)}`}`;
    case 'call':
      return `${e.name}(${e.args.map(exprToSql).join(',')})`;
    case 'aggregate':
      return `${e.fn}(${e.distinct ? 'DISTINCT ' : ''}${e.arg === undefined ? '*' : exprToSql(e.arg)})`;
    case 'insertedValue':
      return `VALUES(${e.column})`;
    case 'default':
      return 'DEFAULT';
  }
}
