import { LockstepError } from '@lockstep/base';

/** Why a table or index definition is refused, each with MySQL's errno and wording. */
export type TableDefinitionProblem =
  | { readonly reason: 'autoColumn' }
  | { readonly reason: 'autoColumnType'; readonly column: string }
  | { readonly reason: 'invalidDefault'; readonly column: string }
  | { readonly reason: 'blobKey'; readonly column: string }
  | { readonly reason: 'keyColumnMissing'; readonly column: string }
  | { readonly reason: 'nullablePrimaryKey' }
  | { readonly reason: 'nameTooLong'; readonly name: string }
  | { readonly reason: 'tooManyColumns'; readonly limit: number }
  | { readonly reason: 'tooManyKeys'; readonly limit: number }
  | { readonly reason: 'tooManyKeyParts'; readonly limit: number }
  | { readonly reason: 'badLength'; readonly column: string; readonly limit: number }
  | { readonly reason: 'noColumns' };

const ERRNO: Readonly<Record<TableDefinitionProblem['reason'], [number, string]>> = {
  autoColumn: [1075, '42000'],
  autoColumnType: [1063, '42000'],
  invalidDefault: [1067, '42000'],
  blobKey: [1170, '42000'],
  keyColumnMissing: [1072, '42000'],
  nullablePrimaryKey: [1171, '42000'],
  nameTooLong: [1059, '42000'],
  tooManyColumns: [1117, 'HY000'],
  tooManyKeys: [1069, '42000'],
  tooManyKeyParts: [1070, '42000'],
  badLength: [1074, '42000'],
  noColumns: [1113, '42000'],
};

function describe(problem: TableDefinitionProblem): string {
  switch (problem.reason) {
    case 'autoColumn':
      return 'Incorrect table definition; there can be only one auto column and it must be defined as a key';
    case 'autoColumnType':
      return `Incorrect column specifier for column '${problem.column}'`;
    case 'invalidDefault':
      return `Invalid default value for '${problem.column}'`;
    case 'blobKey':
      return `BLOB/TEXT column '${problem.column}' used in key specification without a key length`;
    case 'keyColumnMissing':
      return `Key column '${problem.column}' doesn't exist in table`;
    case 'nullablePrimaryKey':
      return 'All parts of a PRIMARY KEY must be NOT NULL; if you need NULL in a key, use UNIQUE instead';
    case 'nameTooLong':
      return `Identifier name '${problem.name}' is too long`;
    case 'tooManyColumns':
      return `Too many columns (the limit is ${problem.limit})`;
    case 'tooManyKeys':
      return `Too many keys specified; max ${problem.limit} keys allowed`;
    case 'tooManyKeyParts':
      return `Too many key parts specified; max ${problem.limit} parts allowed`;
    case 'badLength':
      return `Column length too big for column '${problem.column}' (max = ${problem.limit})`;
    case 'noColumns':
      return 'A table must have at least 1 column';
  }
}

/** A CREATE TABLE / CREATE INDEX that MySQL would refuse, with MySQL's errno and message. */
export class InvalidTableDefinitionError extends LockstepError {
  readonly problem: TableDefinitionProblem;

  constructor(problem: TableDefinitionProblem) {
    const [errno, sqlState] = ERRNO[problem.reason];
    super('SQL_INVALID_TABLE_DEFINITION', describe(problem), { errno, sqlState });
    this.problem = problem;
  }
}
