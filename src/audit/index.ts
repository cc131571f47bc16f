/**
 * Public API of the audit layer: typed events, sinks, the store (SQLite/PostgreSQL), queries and the
 * live tail.
 *
 * @example
 * import { openAuditStore } from './audit/index.js';
 * const store = await openAuditStore({ dataDir: '/var/lib/declaw' });
 */
export * from './events.js';
export * from './sink.js';
export * from './runtime-events.js';
export { toAuditRow, type AuditEntry, type AuditRow } from './entry.js';
export {
  resolveFilter,
  matchesFilter,
  MAX_PAGE_SIZE,
  DEFAULT_PAGE_SIZE,
  type AuditFilter,
  type AuditPage,
  type ResolvedFilter,
} from './query.js';
export { AuditBus, type AuditListener } from './audit-bus.js';
export {
  AuditStore,
  AuditWriteError,
  DEFAULT_RETENTION_DAYS,
  type AuditStoreOptions,
  type AuditStoreStats,
  type SandboxAuditConfig,
} from './audit-store.js';
export type { AuditBackend } from './backend.js';
export { SqliteAuditBackend, type SqliteBackendOptions } from './sqlite-backend.js';
export { PostgresAuditBackend, type PostgresBackendOptions } from './postgres-backend.js';
export { openAuditStore, defaultDataDir, AUDIT_DB_FILE, type OpenAuditStoreOptions } from './open-store.js';
export { followEntries, type TailOptions, type TailSource } from './tail.js';
