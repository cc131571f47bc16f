import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';

/** The better-sqlite3 constructor (the same API in 12.x and 13.x). */
export type SqliteDriver = typeof BetterSqlite3;

/**
 * The better-sqlite3 build for the running Node.js. 12.x derives its objects from `node::ObjectWrap`,
 * whose destructor aborts the whole process on Node ≥ 24.19 when the garbage collector frees a
 * statement outside a JavaScript context (nodejs/node#65446): the daemon would die at a random
 * moment after an audit write. 13.x is built on Node-API and is not affected, but its prebuilt
 * binary needs Node ≥ 22 (it crashes on Node 20). Both are installed (13.x as the
 * `better-sqlite3-napi` alias); this picks the one that is safe here.
 *
 * @example
 * const Database = loadSqliteDriver();
 * const db = new Database('/var/lib/declaw/audit.db');
 */
export function loadSqliteDriver(nodeVersion: string = process.versions.node): SqliteDriver {
  const require = createRequire(import.meta.url);
  return require(sqliteDriverPackage(nodeVersion)) as SqliteDriver;
}

/** The package name {@link loadSqliteDriver} loads for a Node.js version (`20.20.2` → `better-sqlite3`). */
export function sqliteDriverPackage(nodeVersion: string): 'better-sqlite3' | 'better-sqlite3-napi' {
  const major = Number(nodeVersion.split('.')[0]);
  return major >= 22 ? 'better-sqlite3-napi' : 'better-sqlite3';
}
