/**
 * Queries over the audit store: by sandbox, event type and time range, paged by a cursor (the id of
 * the last entry of the previous page), oldest first. Shared by both backends so they agree on
 * validation and limits.
 */
import { InvalidArgumentError } from '../errors.js';
import type { AuditEntry } from './entry.js';

/** A query. Times are ISO 8601 strings or Dates; `after` is the previous page's `nextCursor`. */
export interface AuditFilter {
  sandboxId?: string;
  /** Event types to include (any of them); all when empty or absent. */
  types?: readonly string[];
  /** Entries at or after this time. */
  since?: string | Date;
  /** Entries at or before this time. */
  until?: string | Date;
  /** Only entries with an id greater than this (cursor pagination). */
  after?: number;
  /** Page size, 1..1000, default 100. */
  limit?: number;
}

/** One page of entries, oldest first. `nextCursor` is set when more entries may follow. */
export interface AuditPage {
  entries: AuditEntry[];
  nextCursor?: number;
}

/** A validated filter with times as epoch milliseconds. */
export interface ResolvedFilter {
  sandboxId?: string;
  types?: string[];
  sinceMs?: number;
  untilMs?: number;
  after: number;
  limit: number;
}

/** Largest page a query returns, whatever it asks for. */
export const MAX_PAGE_SIZE = 1000;
/** Page size when a query does not say. */
export const DEFAULT_PAGE_SIZE = 100;

function timeOf(name: string, v: string | Date | undefined): number | undefined {
  if (v === undefined) return undefined;
  const ms = v instanceof Date ? v.getTime() : Date.parse(v);
  if (!Number.isFinite(ms)) {
    throw new InvalidArgumentError(
      name,
      `must be an ISO 8601 time such as 2025-01-31T12:00:00Z, not "${String(v)}"`,
    );
  }
  return ms;
}

/**
 * Validates a filter at the store's boundary.
 *
 * @example
 * resolveFilter({ sandboxId: 'sb1', since: '2025-01-01T00:00:00Z', limit: 50 }).sinceMs; // 1735689600000
 */
export function resolveFilter(f: AuditFilter = {}): ResolvedFilter {
  const limit = f.limit ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new InvalidArgumentError(
      'limit',
      `must be a whole number from 1 to ${MAX_PAGE_SIZE}, not ${limit}`,
    );
  }
  const after = f.after ?? 0;
  if (!Number.isInteger(after) || after < 0) {
    throw new InvalidArgumentError(
      'after',
      `must be a cursor returned by a previous page (a whole number), not ${after}`,
    );
  }
  const types = f.types?.filter((t) => t !== '');
  return {
    sandboxId: f.sandboxId || undefined,
    types: types && types.length > 0 ? [...new Set(types)] : undefined,
    sinceMs: timeOf('since', f.since),
    untilMs: timeOf('until', f.until),
    after,
    limit: Math.min(limit, MAX_PAGE_SIZE),
  };
}

/**
 * Whether an entry passes a filter's sandbox, type and time conditions (not the cursor or limit);
 * the live tail uses it on entries it is handed by the bus.
 *
 * @example
 * matchesFilter(entry, resolveFilter({ types: ['egress_blocked'] }));
 */
export function matchesFilter(e: AuditEntry, f: ResolvedFilter): boolean {
  if (f.sandboxId !== undefined && e.sandbox_id !== f.sandboxId) return false;
  if (f.types !== undefined && !f.types.includes(e.type)) return false;
  const t = Date.parse(e.timestamp);
  if (f.sinceMs !== undefined && t < f.sinceMs) return false;
  if (f.untilMs !== undefined && t > f.untilMs) return false;
  return true;
}
