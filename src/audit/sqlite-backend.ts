/**
 * The default audit backend: one SQLite file (better-sqlite3) in write-ahead-log mode. Batches are
 * written in one transaction with a prepared statement, which is what makes tens of thousands of
 * entries per second cheap. better-sqlite3 is synchronous: a batch blocks the event loop for its
 * duration (well under a millisecond per hundred entries), in exchange for no thread hop.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type Database from 'better-sqlite3';
import { loadSqliteDriver } from './sqlite-driver.js';
import type { AuditEntry, AuditRow } from './entry.js';
import type { AuditPage, ResolvedFilter } from './query.js';
import {
  auditTableDdl,
  COLUMNS,
  columnValues,
  entryFromRow,
  pageOf,
  whereOf,
  type AuditBackend,
  type DbRecord,
} from './backend.js';

/** Options of {@link SqliteAuditBackend}. */
export interface SqliteBackendOptions {
  /** The database file; its directory is created (mode 0700) when missing. `:memory:` for tests. */
  file: string;
  /**
   * `normal` (default): a committed batch survives the process being killed, not a power cut.
   * `full`: fsync on every commit, surviving power loss too, at a large cost in throughput.
   */
  synchronous?: 'normal' | 'full';
  /** Open without creating or writing (for `declaw audit` reading a daemon's file). */
  readonly?: boolean;
}

const SCHEMA_VERSION = 1;

const SCHEMA = auditTableDdl('sqlite', 'audit_entries', 'audit');

/**
 * Audit entries in a SQLite file.
 *
 * @example
 * const backend = new SqliteAuditBackend({ file: '/var/lib/declaw/audit.sqlite' });
 * const store = new AuditStore({ backend });
 */
export class SqliteAuditBackend implements AuditBackend {
  readonly kind = 'sqlite' as const;
  private readonly db: Database.Database;
  private readonly insertStmt: Database.Statement | undefined;
  private readonly insertMany: ((rows: readonly AuditRow[], exp: readonly number[]) => number) | undefined;

  constructor(o: SqliteBackendOptions) {
    if (!o.readonly && o.file !== ':memory:') mkdirSync(dirname(o.file), { recursive: true, mode: 0o700 });
    const Sqlite = loadSqliteDriver();
    this.db = new Sqlite(o.file, { readonly: Boolean(o.readonly), fileMustExist: Boolean(o.readonly) });
    this.db.pragma('busy_timeout = 5000');
    if (o.readonly) return;
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${o.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    this.db.exec(SCHEMA);
    this.db.pragma(`user_version = ${SCHEMA_VERSION}`);
    const stmt = this.db.prepare(
      `INSERT INTO audit_entries (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')})`,
    );
    this.insertStmt = stmt;
    // Returns the id of the first row: AUTOINCREMENT ids of one transaction are consecutive because
    // SQLite allows a single writer at a time.
    this.insertMany = this.db.transaction((rows: readonly AuditRow[], exp: readonly number[]) => {
      let first = 0;
      rows.forEach((row, i) => {
        const id = Number(stmt.run(columnValues(row, exp[i] ?? 0)).lastInsertRowid);
        if (i === 0) first = id;
      });
      return first;
    });
  }

  insert(rows: readonly AuditRow[], expiresAtMs: readonly number[]): Promise<AuditEntry[]> {
    if (!this.insertMany || !this.insertStmt) {
      return Promise.reject(new Error('this audit database was opened read-only'));
    }
    if (rows.length === 0) return Promise.resolve([]);
    try {
      const first = this.insertMany(rows, expiresAtMs);
      return Promise.resolve(rows.map((row, i) => entryFromRow(first + i, row)));
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  query(f: ResolvedFilter): Promise<AuditPage> {
    try {
      const { sql, params } = whereOf(f, () => '?');
      const records = this.db
        .prepare(`SELECT * FROM audit_entries WHERE ${sql} ORDER BY id LIMIT ${f.limit + 1}`)
        .all(...params) as DbRecord[];
      return Promise.resolve(pageOf(records, f.limit));
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  purge(nowMs: number): Promise<number> {
    try {
      return Promise.resolve(
        this.db.prepare('DELETE FROM audit_entries WHERE expires_at <= ?').run(nowMs).changes,
      );
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  maxId(): Promise<number> {
    try {
      const r = this.db.prepare('SELECT MAX(id) AS id FROM audit_entries').get() as { id: number | null };
      return Promise.resolve(r.id ?? 0);
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  close(): Promise<void> {
    if (this.db.open) this.db.close();
    return Promise.resolve();
  }
}
