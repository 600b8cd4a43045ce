import { LockstepError } from '@lockstep/base';

/** CREATE DATABASE of an existing database: MySQL ER_DB_CREATE_EXISTS. */
export class DatabaseExistsError extends LockstepError {
  constructor(name: string) {
    super('SQL_DATABASE_EXISTS', `Can't create database '${name}'; database exists`, { errno: 1007, sqlState: 'HY000' });
  }
}
