/**
 * Opens the audit store the environment asks for: PostgreSQL when DECLAW_AUDIT_URL is a postgres://
 * URL, otherwise the SQLite file `audit.sqlite` under the data directory.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError } from '../errors.js';
import { AuditStore, type AuditStoreOptions } from './audit-store.js';
import { PostgresAuditBackend } from './postgres-backend.js';
import { SqliteAuditBackend } from './sqlite-backend.js';

/** The SQLite file's name inside the data directory. */
export const AUDIT_DB_FILE = 'audit.sqlite';

/**
 * Where declaw keeps its state when not told: `$XDG_STATE_HOME/declaw`, else `~/.local/state/declaw`.
 *
 * @example
 * defaultDataDir({ XDG_STATE_HOME: '/srv/state' }); // '/srv/state/declaw'
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_STATE_HOME || join(env.HOME || homedir(), '.local', 'state');
  return join(base, 'declaw');
}

/** Options of {@link openAuditStore}. */
export interface OpenAuditStoreOptions extends Omit<AuditStoreOptions, 'backend'> {
  /** Directory of the SQLite file (default {@link defaultDataDir}). */
  dataDir?: string;
  /** A postgres:// URL; default DECLAW_AUDIT_URL from the environment. */
  url?: string;
  /** PostgreSQL table name (default `audit_entries`). */
  table?: string;
  /** Open an existing SQLite file without writing to it (readers such as `declaw audit`). */
  readonly?: boolean;
  /** SQLite durability: `normal` (survives kill -9, the default) or `full` (survives power loss). */
  synchronous?: 'normal' | 'full';
  env?: NodeJS.ProcessEnv;
}

/**
 * Opens the audit store. A reader (`readonly`) gets no purge timer.
 *
 * @example
 * const store = await openAuditStore({ dataDir: '/var/lib/declaw', retentionDays: 30 });
 * store.record(event);
 * await store.close();
 */
export async function openAuditStore(o: OpenAuditStoreOptions = {}): Promise<AuditStore> {
  const env = o.env ?? process.env;
  const url = o.url ?? env.DECLAW_AUDIT_URL;
  const { dataDir, url: _u, table, readonly, synchronous, env: _e, ...storeOptions } = o;
  if (readonly) storeOptions.purgeIntervalMs = 0;
  if (url) {
    if (!/^postgres(ql)?:\/\//i.test(url)) {
      throw new InvalidArgumentError(
        'DECLAW_AUDIT_URL',
        'must be a postgres://user:password@host:port/database URL; unset it to use the SQLite file in the data directory',
      );
    }
    const backend = await PostgresAuditBackend.open({ url, ...(table ? { table } : {}) });
    return new AuditStore({ ...storeOptions, backend });
  }
  const file = join(dataDir ?? defaultDataDir(env), AUDIT_DB_FILE);
  const backend = new SqliteAuditBackend({
    file,
    ...(readonly ? { readonly } : {}),
    ...(synchronous ? { synchronous } : {}),
  });
  return new AuditStore({ ...storeOptions, backend });
}
