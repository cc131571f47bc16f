import type { AuditEvent } from './events.js';

/**
 * Where audit events go. The proxy calls `record` synchronously on its hot path, so a sink must not
 * block: a store queues and writes in batches. A sink that throws does not break traffic; the proxy
 * logs the failure and carries on.
 *
 * @example
 * const sink: AuditSink = { record: (e) => queue.push(e) };
 * const proxy = new ProxyServer({ auditSink: sink, upstreamTrust });
 */
export interface AuditSink {
  record(event: AuditEvent): void;
}

/**
 * A sink that drops everything: the default when nobody listens.
 *
 * @example
 * new ProxyServer({ upstreamTrust, auditSink: nullAuditSink });
 */
export const nullAuditSink: AuditSink = Object.freeze({ record() {} });

/** A sink that keeps events in memory, for tests and for `declaw proxy`'s own summary. */
export interface CollectingAuditSink extends AuditSink {
  /** Events recorded so far, oldest first. */
  readonly events: readonly AuditEvent[];
  /** Events of one type. */
  ofType<T extends AuditEvent['type']>(type: T): Array<Extract<AuditEvent, { type: T }>>;
  clear(): void;
}

/**
 * A sink keeping the last `limit` events in memory.
 *
 * @example
 * const audit = collectingAuditSink();
 * // ... traffic ...
 * audit.ofType('egress_blocked').map((e) => e.host);
 */
export function collectingAuditSink(limit = 10_000): CollectingAuditSink {
  const events: AuditEvent[] = [];
  return {
    events,
    record(event) {
      events.push(event);
      if (events.length > limit) events.splice(0, events.length - limit);
    },
    ofType<T extends AuditEvent['type']>(type: T) {
      return events.filter((e): e is Extract<AuditEvent, { type: T }> => e.type === type);
    },
    clear() {
      events.length = 0;
    },
  };
}

/**
 * Fans one event out to several sinks (e.g. the store and a console printer). A sink that throws
 * does not keep the event from the others.
 *
 * @example
 * const sink = teeAuditSink([store, printer], (err) => logger.warn('audit sink failed', { err }));
 */
export function teeAuditSink(sinks: readonly AuditSink[], onError?: (error: unknown) => void): AuditSink {
  return {
    record(event) {
      for (const s of sinks) {
        try {
          s.record(event);
        } catch (err) {
          onError?.(err);
        }
      }
    },
  };
}
