/**
 * The daemon's view of the audit log: what the API, the metrics and the SDK read. {@link AuditQuery}
 * is the seam to the persistent audit store (src/audit, SQLite/PostgreSQL), which the daemon uses;
 * {@link MemoryAuditLog} is a bounded in-memory one for the embedded SDK and tests.
 * Entries carry the hosted SDK's AuditEntry fields (timestamp, method, url, status_code,
 * pii_redactions, injection_blocks, transformations_applied, direction) next to declaw's own.
 */
import type { AuditEvent } from '../audit/events.js';
import { toAuditRow, type AuditEntry } from '../audit/entry.js';
import type { StoredEvent } from '../audit/runtime-events.js';
import type { AuditSink } from '../audit/sink.js';
import type { SandboxEvent } from '../sandbox/events.js';

/** Any event the daemon records: the proxy's and the sandbox runtime's. */
export type DaemonEvent = AuditEvent | SandboxEvent;

/** One audit entry as the API returns it (snake_case wire format): the audit store's entry. */
export type AuditEntryJSON = AuditEntry;

/** A query over the audit log. Times are ISO 8601; `after` is the last id of the previous page. */
export interface AuditFilter {
  sandboxId?: string;
  types?: readonly string[];
  since?: string;
  until?: string;
  after?: number;
  limit?: number;
}

/** One page of entries, oldest first. `nextCursor` is set when there may be more. */
export interface AuditPage {
  entries: AuditEntryJSON[];
  nextCursor?: number;
}

/** What the daemon needs from an audit store. */
export interface AuditQuery {
  query(filter: AuditFilter): Promise<AuditPage>;
}

/**
 * A bounded in-memory audit log (the oldest entries go first when full). It is an {@link AuditSink}
 * for the proxy and takes the sandbox runtime's events through {@link record} too.
 *
 * @example
 * const log = new MemoryAuditLog({ capacity: 100_000 });
 * const proxy = new ProxyServer({ upstreamTrust, auditSink: log });
 * const page = await log.query({ sandboxId: 'abc', types: ['egress_blocked'] });
 */
export class MemoryAuditLog implements AuditSink, AuditQuery {
  private readonly entries: AuditEntryJSON[] = [];
  private nextId = 1;
  private readonly capacity: number;
  private readonly listeners = new Set<(e: DaemonEvent, entry: AuditEntryJSON) => void>();

  constructor(o: { capacity?: number } = {}) {
    this.capacity = o.capacity ?? 100_000;
  }

  record(event: DaemonEvent): void {
    // The same allow-listed normalisation as the persistent store, so both answer alike.
    const { ts: _ts, ...row } = toAuditRow(event as StoredEvent);
    const entry: AuditEntryJSON = { id: this.nextId++, ...row };
    this.entries.push(entry);
    if (this.entries.length > this.capacity) this.entries.splice(0, this.entries.length - this.capacity);
    for (const l of this.listeners) l(event, entry);
  }

  /** Be told of every event as it is recorded (metrics, live tail). Returns the unsubscribe function. */
  subscribe(listener: (e: DaemonEvent, entry: AuditEntryJSON) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async query(f: AuditFilter): Promise<AuditPage> {
    const limit = Math.max(1, Math.min(f.limit ?? 100, 1000));
    const types = f.types && f.types.length > 0 ? new Set(f.types) : undefined;
    const since = f.since ? Date.parse(f.since) : undefined;
    const until = f.until ? Date.parse(f.until) : undefined;
    const out: AuditEntryJSON[] = [];
    for (const e of this.entries) {
      if (f.after !== undefined && e.id <= f.after) continue;
      if (f.sandboxId && e.sandbox_id !== f.sandboxId) continue;
      if (types && !types.has(e.type)) continue;
      const t = Date.parse(e.timestamp);
      if (since !== undefined && t < since) continue;
      if (until !== undefined && t > until) continue;
      out.push(e);
      if (out.length > limit) break;
    }
    const more = out.length > limit;
    const entries = more ? out.slice(0, limit) : out;
    return { entries, nextCursor: more ? entries[entries.length - 1]?.id : undefined };
  }
}
