/**
 * The storage seam of the audit store (SQLite or PostgreSQL) and the column layout both share. A
 * backend only persists and reads; queueing, batching, retention policy and the live tail live in
 * {@link AuditStore}, so both databases behave the same.
 */
import type { AuditEntry, AuditRow } from './entry.js';
import type { AuditPage, ResolvedFilter } from './query.js';

/** What the store needs from a database. */
export interface AuditBackend {
  readonly kind: 'sqlite' | 'postgres';
  /**
   * Writes rows in one transaction and returns them as entries with their ids, in order. Resolves
   * only once the transaction committed: that is what "acknowledged" means.
   */
  insert(rows: readonly AuditRow[], expiresAtMs: readonly number[]): Promise<AuditEntry[]>;
  /** One page of entries matching `f`, oldest first. */
  query(f: ResolvedFilter): Promise<AuditPage>;
  /** Deletes entries whose retention ended at or before `nowMs`; returns how many. */
  purge(nowMs: number): Promise<number>;
  /** The id of the newest entry, 0 when there is none (where a tail "from now" starts). */
  maxId(): Promise<number>;
  close(): Promise<void>;
}

/** How a column is stored: the two databases name these kinds differently. */
type ColumnKind = 'int' | 'bigint' | 'text';

/** The table's columns in insert order, with their kind and whether they may be NULL. */
const COLUMN_SPECS = [
  { name: 'ts', kind: 'bigint' },
  { name: 'type', kind: 'text' },
  { name: 'category', kind: 'text' },
  { name: 'sandbox_id', kind: 'text' },
  { name: 'host', kind: 'text', nullable: true },
  { name: 'port', kind: 'int', nullable: true },
  { name: 'method', kind: 'text' },
  { name: 'path', kind: 'text' },
  { name: 'url', kind: 'text' },
  { name: 'status_code', kind: 'int' },
  { name: 'reason', kind: 'text', nullable: true },
  { name: 'rule', kind: 'text', nullable: true },
  { name: 'direction', kind: 'text' },
  { name: 'pii_redactions', kind: 'int' },
  { name: 'injection_blocks', kind: 'int' },
  { name: 'transformations_applied', kind: 'int' },
  { name: 'item_count', kind: 'int' },
  { name: 'details', kind: 'text' },
  { name: 'expires_at', kind: 'bigint' },
] as const satisfies ReadonlyArray<{ name: string; kind: ColumnKind; nullable?: boolean }>;

/** The table's columns in insert order (`item_count` holds the entry's `count`). */
export const COLUMNS = COLUMN_SPECS.map((c) => c.name);

const SQL_TYPES: Record<'sqlite' | 'postgres', Record<ColumnKind | 'id', string>> = {
  sqlite: { id: 'INTEGER PRIMARY KEY AUTOINCREMENT', int: 'INTEGER', bigint: 'INTEGER', text: 'TEXT' },
  postgres: { id: 'BIGSERIAL PRIMARY KEY', int: 'INTEGER', bigint: 'BIGINT', text: 'TEXT' },
};

/** PostgreSQL array type of each of {@link COLUMNS}, in order, for an `unnest` insert. */
export const POSTGRES_ARRAY_TYPES: readonly string[] = COLUMN_SPECS.map((c) =>
  c.kind === 'int' ? 'integer[]' : `${c.kind}[]`,
);

/**
 * The `CREATE TABLE` and `CREATE INDEX` statements of the audit table in one dialect: the one column
 * layout both backends share. Index names are `<indexPrefix>_by_sandbox` and so on.
 */
export function auditTableDdl(dialect: 'sqlite' | 'postgres', table: string, indexPrefix: string): string {
  const types = SQL_TYPES[dialect];
  const columns = COLUMN_SPECS.map(
    (c) => `  ${c.name} ${types[c.kind]}${'nullable' in c && c.nullable ? '' : ' NOT NULL'}`,
  );
  return `
CREATE TABLE IF NOT EXISTS ${table} (
  id ${types.id},
${columns.join(',\n')}
);
CREATE INDEX IF NOT EXISTS ${indexPrefix}_by_sandbox ON ${table} (sandbox_id, id);
CREATE INDEX IF NOT EXISTS ${indexPrefix}_by_type ON ${table} (type, id);
CREATE INDEX IF NOT EXISTS ${indexPrefix}_by_ts ON ${table} (ts);
CREATE INDEX IF NOT EXISTS ${indexPrefix}_by_expiry ON ${table} (expires_at);
`;
}

/** One value per {@link COLUMNS} entry, in that order. */
export function columnValues(row: AuditRow, expiresAtMs: number): Array<string | number | null> {
  return [
    row.ts,
    row.type,
    row.category,
    row.sandbox_id,
    row.host ?? null,
    row.port ?? null,
    row.method,
    row.path,
    row.url,
    row.status_code,
    row.reason ?? null,
    row.rule ?? null,
    row.direction,
    row.pii_redactions,
    row.injection_blocks,
    row.transformations_applied,
    row.count,
    JSON.stringify(row.details),
    expiresAtMs,
  ];
}

/** A row as a database driver returns it (bigints may come back as strings from PostgreSQL). */
export type DbRecord = Record<string, unknown>;

const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v));
const optStr = (v: unknown): string | undefined => (v === null || v === undefined ? undefined : String(v));

/** Turns a stored record back into an entry. */
export function entryFromRecord(r: DbRecord): AuditEntry {
  const details = typeof r.details === 'string' ? (JSON.parse(r.details) as Record<string, unknown>) : {};
  const entry: AuditEntry = {
    id: num(r.id),
    type: String(r.type),
    category: String(r.category) as AuditEntry['category'],
    sandbox_id: String(r.sandbox_id),
    timestamp: new Date(num(r.ts)).toISOString(),
    method: String(r.method ?? ''),
    path: String(r.path ?? ''),
    url: String(r.url ?? ''),
    status_code: num(r.status_code),
    direction: String(r.direction ?? ''),
    pii_redactions: num(r.pii_redactions),
    injection_blocks: num(r.injection_blocks),
    transformations_applied: num(r.transformations_applied),
    count: num(r.item_count),
    details,
  };
  const host = optStr(r.host);
  if (host !== undefined) entry.host = host;
  if (r.port !== null && r.port !== undefined) entry.port = num(r.port);
  const reason = optStr(r.reason);
  if (reason !== undefined) entry.reason = reason;
  const rule = optStr(r.rule);
  if (rule !== undefined) entry.rule = rule;
  return entry;
}

/** An entry built from a row the backend just wrote, without reading it back. */
export function entryFromRow(id: number, row: AuditRow): AuditEntry {
  const { ts: _ts, ...rest } = row;
  return { id, ...rest };
}

/**
 * The WHERE clause and parameters of a filter, with placeholders made by `ph(n)` (SQLite `?`,
 * PostgreSQL `$n`). Ordered by id, one extra row fetched to know whether a next page exists.
 */
export function whereOf(
  f: ResolvedFilter,
  ph: (n: number) => string,
): { sql: string; params: Array<string | number> } {
  const params: Array<string | number> = [];
  const add = (v: string | number) => {
    params.push(v);
    return ph(params.length);
  };
  const parts = [`id > ${add(f.after)}`];
  if (f.sandboxId !== undefined) parts.push(`sandbox_id = ${add(f.sandboxId)}`);
  if (f.types !== undefined) parts.push(`type IN (${f.types.map((t) => add(t)).join(', ')})`);
  if (f.sinceMs !== undefined) parts.push(`ts >= ${add(f.sinceMs)}`);
  if (f.untilMs !== undefined) parts.push(`ts <= ${add(f.untilMs)}`);
  return { sql: parts.join(' AND '), params };
}

/** Splits `limit + 1` fetched records into a page. */
export function pageOf(records: readonly DbRecord[], limit: number): AuditPage {
  const more = records.length > limit;
  const entries = (more ? records.slice(0, limit) : records).map(entryFromRecord);
  const last = entries[entries.length - 1];
  return more && last ? { entries, nextCursor: last.id } : { entries };
}
