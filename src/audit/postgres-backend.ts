/**
 * The PostgreSQL audit backend (`pg`), for several hosts sharing one log (DECLAW_AUDIT_URL=postgres://...).
 * A batch is one transaction: ids are taken from the table's sequence first (so they are known, in
 * order, without relying on RETURNING order) and the rows go in as one `INSERT ... SELECT FROM unnest`
 * of column arrays, one round trip however large the batch.
 */
import pg from 'pg';
import type { AuditEntry, AuditRow } from './entry.js';
import type { AuditPage, ResolvedFilter } from './query.js';
import {
  auditTableDdl,
  COLUMNS,
  POSTGRES_ARRAY_TYPES,
  columnValues,
  entryFromRow,
  pageOf,
  whereOf,
  type AuditBackend,
  type DbRecord,
} from './backend.js';

/** Options of {@link PostgresAuditBackend.open}. */
export interface PostgresBackendOptions {
  /** `postgres://user:password@host:port/db`. */
  url: string;
  /** Table name (default `audit_entries`); lets tests and tenants keep separate logs in one database. */
  table?: string;
  /** Connections in the pool (default 4). */
  poolSize?: number;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Audit entries in a PostgreSQL table.
 *
 * @example
 * const backend = await PostgresAuditBackend.open({ url: process.env.DECLAW_AUDIT_URL! });
 * const store = new AuditStore({ backend });
 */
export class PostgresAuditBackend implements AuditBackend {
  readonly kind = 'postgres' as const;
  private readonly insertSql: string;

  private constructor(
    private readonly pool: pg.Pool,
    /** The table the entries are in. */
    readonly table: string,
  ) {
    const unnest = POSTGRES_ARRAY_TYPES.map((type, i) => `$${i + 2}::${type}`).join(', ');
    this.insertSql = `INSERT INTO ${table} (id, ${COLUMNS.join(', ')}) SELECT * FROM unnest($1::bigint[], ${unnest})`;
  }

  /** Connects, creates the table and its indexes when missing, and returns the backend. */
  static async open(o: PostgresBackendOptions): Promise<PostgresAuditBackend> {
    const table = o.table ?? 'audit_entries';
    if (!IDENTIFIER.test(table)) {
      throw new RangeError(
        `audit table name "${table}" must be lower-case letters, digits and _ (at most 63)`,
      );
    }
    const pool = new pg.Pool({ connectionString: o.url, max: o.poolSize ?? 4 });
    // An idle client losing its server must not crash the process; the next query reports it.
    pool.on('error', () => {});
    try {
      const client = await pool.connect();
      try {
        // Serialise schema creation between hosts starting at the same time.
        await client.query('BEGIN');
        await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`declaw_audit_schema_${table}`]);
        await client.query(auditTableDdl('postgres', table, table));
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      } finally {
        client.release();
      }
    } catch (err) {
      await pool.end().catch(() => {});
      throw err;
    }
    return new PostgresAuditBackend(pool, table);
  }

  async insert(rows: readonly AuditRow[], expiresAtMs: readonly number[]): Promise<AuditEntry[]> {
    if (rows.length === 0) return [];
    const columns: unknown[][] = COLUMNS.map(() => new Array<unknown>(rows.length));
    rows.forEach((row, i) => {
      columnValues(row, expiresAtMs[i] ?? 0).forEach((v, c) => {
        (columns[c] as unknown[])[i] = v;
      });
    });
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const res = await client.query<{ id: string }>(
        `SELECT nextval(pg_get_serial_sequence('${this.table}', 'id')) AS id FROM generate_series(1, $1)`,
        [rows.length],
      );
      const ids = res.rows.map((r) => Number(r.id)).sort((a, b) => a - b);
      await client.query(this.insertSql, [ids, ...columns]);
      await client.query('COMMIT');
      return rows.map((row, i) => entryFromRow(ids[i] ?? 0, row));
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  }

  async query(f: ResolvedFilter): Promise<AuditPage> {
    const { sql, params } = whereOf(f, (n) => `$${n}`);
    const res = await this.pool.query<DbRecord>(
      `SELECT * FROM ${this.table} WHERE ${sql} ORDER BY id LIMIT ${f.limit + 1}`,
      params,
    );
    return pageOf(res.rows, f.limit);
  }

  async purge(nowMs: number): Promise<number> {
    const res = await this.pool.query(`DELETE FROM ${this.table} WHERE expires_at <= $1`, [nowMs]);
    return res.rowCount ?? 0;
  }

  async maxId(): Promise<number> {
    const res = await this.pool.query<{ id: string | null }>(`SELECT MAX(id) AS id FROM ${this.table}`);
    return Number(res.rows[0]?.id ?? 0);
  }

  /** Drops the table (tests and `declaw` maintenance only). */
  async dropTable(): Promise<void> {
    await this.pool.query(`DROP TABLE IF EXISTS ${this.table}`);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
