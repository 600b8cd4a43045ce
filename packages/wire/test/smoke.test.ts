import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mysql from 'mysql2/promise';
import { startServer, PASSWORD } from './helpers.js';
import type { WireServer } from '../src/index.js';

describe('smoke', () => {
  let server: WireServer;
  let port: number;
  beforeAll(async () => {
    ({ server, port } = await startServer());
  });
  afterAll(async () => {
    await server.close();
  });
  it('query and execute', async () => {
    const c = await mysql.createConnection({ host: '127.0.0.1', port, user: 'root', password: PASSWORD });
    const [rows] = await c.query('select 1');
    expect(rows).toEqual([{ 1: 1 }]);
    const [rows2] = await c.execute('select ?, ?', [5, 'a']);
    expect(rows2).toEqual([{ p0: 5, p1: 'a' }]);
    await c.end();
  });
});
