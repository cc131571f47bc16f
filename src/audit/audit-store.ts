/**
 * The audit store: the proxy's and the sandbox runtime's events, normalised into entries, queued,
 * written in batches, kept for a retention period, queried by page and followed live.
 *
 * `record()` never blocks the caller (it is the proxy's {@link AuditSink}); an event is
 * acknowledged, and survives a kill -9 of the process, once a `flush()` called after it or its own
 * `append()` promise resolved.
 *
 * What is recorded: lifecycle events (vm_created, vm_killed, timeout) always; network and content
 * events unless the sandbox's AuditConfig, told through {@link AuditStore.configureSandbox}, has
 * `enabled: false`. The proxy already drops those events for such sandboxes; the store applies the
 * same rule to what reaches it by other paths (DNS queries from the runtime, other producers).
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { LRUCache } from 'lru-cache';
import type { Logger } from '../logger.js';
import { silentLogger } from '../logger.js';
import { AuditWriteError } from '../errors.js';
import type { AuditSink } from './sink.js';
import type { AuditEvent } from './events.js';
import type { AuditBackend } from './backend.js';
import { AuditBus, type AuditListener } from './audit-bus.js';
import { toAuditRow, type AuditEntry, type AuditRow } from './entry.js';
import { resolveFilter, type AuditFilter, type AuditPage } from './query.js';
import type { StoredEvent } from './runtime-events.js';
import { followEntries, type TailOptions } from './tail.js';

/** Days entries are kept when neither the sandbox's policy nor the store say otherwise (seed 000). */
export const DEFAULT_RETENTION_DAYS = 7;
const DAY_MS = 86_400_000;

/** A sandbox's audit settings: the `audit` section of its policy. */
export interface SandboxAuditConfig {
  /** False: record only lifecycle events for this sandbox. Default true. */
  enabled?: boolean;
  /** Days this sandbox's entries are kept; default the store's retention. */
  retention_days?: number;
}

/** Options of {@link AuditStore}. */
export interface AuditStoreOptions {
  backend: AuditBackend;
  /** Store-wide retention in days (default 7), for sandboxes whose config does not set one. */
  retentionDays?: number;
  /** How often expired entries are deleted, in ms (default 10 minutes; 0: only by `purgeExpired()`). */
  purgeIntervalMs?: number;
  /** Most entries written in one transaction (default 2000). */
  batchSize?: number;
  /** Events queued but not yet written beyond which new ones are dropped (default 200,000). */
  maxQueued?: number;
  logger?: Logger;
  /** Clock, for tests of retention. */
  now?: () => number;
}

/** Counters of what the store did since it was opened. */
export interface AuditStoreStats {
  recorded: number;
  written: number;
  /** Dropped: invalid events, queue full, or not audited by the sandbox's config. */
  dropped: number;
  /** Lost because the database refused a batch. */
  failed: number;
  queued: number;
  purged: number;
}

interface Pending {
  seq: number;
  row: AuditRow;
  expiresAt: number;
  done?: { resolve: (e: AuditEntry) => void; reject: (err: Error) => void };
}

interface FlushWaiter {
  target: number;
  error?: Error;
  resolve: () => void;
  reject: (err: Error) => void;
}

/**
 * Audit entries in a database, written in batches.
 *
 * @example
 * const store = await openAuditStore({ dataDir: '/var/lib/declaw' });
 * const proxy = new ProxyServer({ upstreamTrust, auditSink: store });
 * store.configureSandbox('sb1', policy.audit);
 * await store.flush();
 * const page = await store.query({ sandboxId: 'sb1', types: ['egress_blocked'] });
 */
export class AuditStore implements AuditSink {
  readonly backend: AuditBackend;
  private readonly bus: AuditBus;
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly retentionDays: number;
  private readonly batchSize: number;
  private readonly maxQueued: number;
  private readonly sandboxes = new LRUCache<string, SandboxAuditConfig>({ max: 100_000 });
  private queue: Pending[] = [];
  private seq = 0;
  private doneSeq = 0;
  private writing: Promise<void> | undefined;
  private scheduled = false;
  private waiters: FlushWaiter[] = [];
  private readonly purgeTimer: NodeJS.Timeout | undefined;
  private readonly tails = new Set<AbortController>();
  private closed = false;
  private readonly counters = { recorded: 0, written: 0, dropped: 0, failed: 0, purged: 0 };

  constructor(o: AuditStoreOptions) {
    this.backend = o.backend;
    this.logger = o.logger ?? silentLogger;
    this.bus = new AuditBus(this.logger);
    this.now = o.now ?? Date.now;
    this.retentionDays = o.retentionDays ?? DEFAULT_RETENTION_DAYS;
    if (!Number.isInteger(this.retentionDays) || this.retentionDays < 1) {
      throw new RangeError(
        `retentionDays must be a whole number of days, at least 1 (got ${o.retentionDays})`,
      );
    }
    this.batchSize = Math.max(1, o.batchSize ?? 2000);
    this.maxQueued = Math.max(1, o.maxQueued ?? 200_000);
    const every = o.purgeIntervalMs ?? 600_000;
    if (every > 0) {
      this.purgeTimer = setInterval(() => void this.purgeExpired().catch(() => {}), every);
      this.purgeTimer.unref();
    }
  }

  /**
   * Tells the store a sandbox's AuditConfig (its policy's `audit` section). Events of sandboxes
   * never configured are recorded with the store-wide retention.
   */
  configureSandbox(sandboxId: string, config: SandboxAuditConfig | boolean): void {
    const c = typeof config === 'boolean' ? { enabled: config } : config;
    if (c.retention_days !== undefined && (!Number.isInteger(c.retention_days) || c.retention_days < 1)) {
      throw new RangeError(
        `retention_days must be a whole number of days, at least 1 (got ${c.retention_days})`,
      );
    }
    this.sandboxes.set(sandboxId, { ...c });
  }

  /** Whether events of `category` from `sandboxId` are recorded. */
  audits(sandboxId: string, category: AuditEntry['category']): boolean {
    return category === 'lifecycle' || this.sandboxes.get(sandboxId)?.enabled !== false;
  }

  /** Queues an event (the {@link AuditSink} method). Never throws; invalid events are counted and logged. */
  record(event: StoredEvent | AuditEvent): void {
    this.enqueue(event);
  }

  /**
   * Queues an event and resolves with its entry once it is written, or with `undefined` when the
   * store does not keep it (the sandbox's audit is off, or the event is invalid).
   */
  append(event: StoredEvent): Promise<AuditEntry | undefined> {
    return new Promise<AuditEntry | undefined>((resolve, reject) => {
      if (!this.enqueue(event, { resolve, reject })) resolve(undefined);
    });
  }

  /** Resolves once every event recorded before the call is written; rejects if any of them was not. */
  flush(): Promise<void> {
    const target = this.seq;
    if (this.doneSeq >= target) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.waiters.push({ target, resolve, reject });
      void this.kick();
    });
  }

  /** One page of entries, oldest first; pass `nextCursor` back as `after` for the next page. */
  query(filter: AuditFilter = {}): Promise<AuditPage> {
    return this.backend.query(resolveFilter(filter));
  }

  /** Every entry matching `filter` (its `limit` is the page size used to read them). */
  async *entries(filter: AuditFilter = {}): AsyncGenerator<AuditEntry> {
    let after = filter.after;
    for (;;) {
      const page = await this.query({ ...filter, after, limit: filter.limit ?? 1000 });
      yield* page.entries;
      if (page.nextCursor === undefined) return;
      after = page.nextCursor;
    }
  }

  /** Writes every entry matching `filter` to `out` as JSON lines; resolves with how many. */
  async exportJsonLines(filter: AuditFilter, out: Writable): Promise<number> {
    let n = 0;
    for await (const e of this.entries(filter)) {
      if (!out.write(`${JSON.stringify(e)}\n`)) await once(out, 'drain');
      n++;
    }
    return n;
  }

  /** Be told of every entry once it is written. Returns the function that unsubscribes. */
  subscribe(listener: AuditListener): () => void {
    return this.bus.subscribe(listener);
  }

  /**
   * Entries matching `filter` as they are written: those already stored after `filter.after` (or,
   * with `fromNow`, none of the old ones), then new ones. Entries written by this process arrive at
   * once; entries other processes write to the same database are found by polling.
   */
  tail(filter: AuditFilter = {}, options: TailOptions = {}): AsyncGenerator<AuditEntry> {
    const stop = new AbortController();
    this.tails.add(stop);
    const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
    const it = followEntries(this, this.bus, filter, { ...options, signal });
    const tails = this.tails;
    return (async function* () {
      try {
        yield* it;
      } finally {
        tails.delete(stop);
      }
    })();
  }

  /** The id of the newest written entry (0 when empty): a cursor to start a tail "from now". */
  latestId(): Promise<number> {
    return this.backend.maxId();
  }

  /** Deletes the entries whose retention ended; the store's timer calls it periodically. */
  async purgeExpired(): Promise<number> {
    try {
      const n = await this.backend.purge(this.now());
      this.counters.purged += n;
      if (n > 0) this.logger.info('audit entries past their retention deleted', { count: n });
      return n;
    } catch (err) {
      this.logger.error('audit purge failed', { error: String(err) });
      throw err;
    }
  }

  stats(): AuditStoreStats {
    return { ...this.counters, queued: this.queue.length };
  }

  /** Stops the purge timer and open tails, writes what is queued, and closes the database. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.purgeTimer) clearInterval(this.purgeTimer);
    for (const t of this.tails) t.abort();
    try {
      await this.flush();
    } finally {
      await this.backend.close();
    }
  }

  private enqueue(event: StoredEvent | AuditEvent, done?: Pending['done']): boolean {
    this.counters.recorded++;
    if (this.closed) {
      this.counters.dropped++;
      this.logger.warn('audit event after the store closed; dropped', { type: event.type });
      return false;
    }
    let rows: AuditRow[];
    try {
      rows = this.rowsOf(event as StoredEvent);
    } catch (err) {
      this.counters.dropped++;
      this.logger.warn('invalid audit event dropped', { error: String(err) });
      return false;
    }
    const first = rows[0];
    if (!first || !this.audits(first.sandbox_id, first.category)) {
      this.counters.dropped++;
      return false;
    }
    if (this.queue.length + rows.length > this.maxQueued) {
      this.counters.dropped++;
      this.logger.error('audit queue full (database too slow or down); event dropped', { type: first.type });
      return false;
    }
    const cfg = this.sandboxes.get(first.sandbox_id);
    const keepMs = (cfg?.retention_days ?? this.retentionDays) * DAY_MS;
    rows.forEach((row, i) => {
      this.queue.push({
        seq: ++this.seq,
        row,
        expiresAt: row.ts + keepMs,
        ...(i === rows.length - 1 && done ? { done } : {}),
      });
    });
    this.schedule();
    return true;
  }

  /** A sandbox killed by its TTL also gets a `timeout` entry, filed before its `vm_killed`. */
  private rowsOf(event: StoredEvent): AuditRow[] {
    const row = toAuditRow(event);
    if (event.type === 'vm_killed' && event.reason === 'timeout') {
      const timeout = toAuditRow({
        type: 'timeout',
        time: event.time,
        sandboxId: event.sandboxId,
        scope: 'sandbox',
      });
      return [timeout, row];
    }
    return [row];
  }

  private schedule(): void {
    if (this.queue.length >= this.batchSize) {
      void this.kick();
      return;
    }
    if (this.scheduled) return;
    this.scheduled = true;
    // setImmediate: events recorded in the same turn share one transaction.
    setImmediate(() => {
      this.scheduled = false;
      void this.kick();
    });
  }

  private kick(): Promise<void> {
    this.writing ??= this.writeAll().finally(() => {
      this.writing = undefined;
      if (this.queue.length > 0) this.schedule();
    });
    return this.writing;
  }

  private async writeAll(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.batchSize);
      const from = batch[0]?.seq ?? 0;
      const to = batch[batch.length - 1]?.seq ?? 0;
      try {
        const entries = await this.backend.insert(
          batch.map((p) => p.row),
          batch.map((p) => p.expiresAt),
        );
        this.counters.written += entries.length;
        this.doneSeq = to;
        batch.forEach((p, i) => {
          const e = entries[i];
          if (p.done && e) p.done.resolve(e);
        });
        this.bus.publish(entries);
      } catch (err) {
        const error = new AuditWriteError(err);
        this.counters.failed += batch.length;
        this.doneSeq = to;
        this.logger.error('audit batch not written', { count: batch.length, error: String(err) });
        for (const p of batch) p.done?.reject(error);
        for (const w of this.waiters) if (w.target >= from) w.error ??= error;
      }
      this.settleWaiters();
    }
  }

  private settleWaiters(): void {
    const still: FlushWaiter[] = [];
    for (const w of this.waiters) {
      if (w.target > this.doneSeq) still.push(w);
      else if (w.error) w.reject(w.error);
      else w.resolve();
    }
    this.waiters = still;
  }
}

export { AuditWriteError };
