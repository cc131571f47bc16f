/**
 * The live tail of the audit log. It reads pages from the database by cursor, then waits to be woken:
 * at once by the in-process bus when this process writes, or by a poll timer for entries another
 * process (the daemon, seen from `declaw audit --follow`) wrote to the same database. Reading through
 * the database either way means a tail never skips or repeats an entry.
 */
import type { AuditBus } from './audit-bus.js';
import type { AuditEntry } from './entry.js';
import type { AuditFilter, AuditPage } from './query.js';

/** Options of a live tail. */
export interface TailOptions {
  /** Ends the tail (the iterator returns). */
  signal?: AbortSignal;
  /** Start after the newest stored entry instead of from `filter.after` / the beginning. */
  fromNow?: boolean;
  /** How often to look for entries written by other processes, in ms (default 500). */
  pollMs?: number;
}

/** What the tail reads from. */
export interface TailSource {
  query(filter: AuditFilter): Promise<AuditPage>;
  readonly backend: { maxId(): Promise<number> };
}

/**
 * Entries matching `filter`, then new ones as they are written, until `options.signal` aborts.
 *
 * @example
 * const stop = new AbortController();
 * for await (const e of followEntries(store, bus, { types: ['egress_blocked'] }, { signal: stop.signal })) {
 *   print(e);
 * }
 */
export async function* followEntries(
  source: TailSource,
  bus: AuditBus,
  filter: AuditFilter,
  options: TailOptions = {},
): AsyncGenerator<AuditEntry> {
  const signal = options.signal;
  const pollMs = Math.max(10, options.pollMs ?? 500);
  let after = options.fromNow ? await source.backend.maxId() : (filter.after ?? 0);
  let wake: (() => void) | undefined;
  let dirty = false;
  const poke = () => {
    dirty = true;
    wake?.();
  };
  const unsubscribe = bus.subscribe(poke);
  signal?.addEventListener('abort', poke);
  try {
    while (!signal?.aborted) {
      dirty = false;
      const page = await source.query({ ...filter, after, limit: 1000 });
      for (const e of page.entries) {
        if (signal?.aborted) return;
        yield e;
        after = e.id;
      }
      // Entries matching nothing still move the scan forward past the page that was read.
      if (page.nextCursor !== undefined) {
        after = Math.max(after, page.nextCursor);
        continue;
      }
      if (dirty || signal?.aborted) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pollMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
  } finally {
    unsubscribe();
    signal?.removeEventListener('abort', poke);
  }
}
