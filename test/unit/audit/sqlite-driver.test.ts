import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadSqliteDriver, sqliteDriverPackage } from '../../../src/audit/sqlite-driver.js';

test('Node 20 gets better-sqlite3 12; Node 22 and 24 get the Node-API build that cannot abort on GC', () => {
  assert.equal(sqliteDriverPackage('20.20.2'), 'better-sqlite3');
  assert.equal(sqliteDriverPackage('22.23.0'), 'better-sqlite3-napi');
  assert.equal(sqliteDriverPackage('24.21.0'), 'better-sqlite3-napi');
});

test('the driver for this Node opens a database that survives dropped statements and a full GC', () => {
  const Sqlite = loadSqliteDriver();
  const db = new Sqlite(':memory:');
  db.exec('create table t (a integer)');
  // Statements made and dropped, as queries with varying filters do: on Node ≥ 24.19 with the wrong
  // build, collecting them aborted the process.
  for (let i = 0; i < 2000; i++) db.prepare('insert into t values (?)').run(i);
  (globalThis as { gc?: () => void }).gc?.();
  assert.deepEqual(db.prepare('select count(*) as n from t').get(), { n: 2000 });
  db.close();
});
