/**
 * The normalised audit entry: one row per event, the same columns for every event type, in the
 * snake_case wire format of the hosted API. It carries the hosted SDK's `AuditEntry` fields
 * (timestamp, method, url, status_code, pii_redactions, injection_blocks, transformations_applied,
 * direction) next to declaw's own (type, sandbox, host, path, reason, rule, counts).
 *
 * What goes in is chosen field by field per event type (an allow list), never copied wholesale, so a
 * field added to an event later cannot carry a body, a PII value or a secret value into the log; paths
 * lose their query values again here even if a producer forgot.
 */
import { redactedPath } from './events.js';
import { categoryOf, type AuditCategory, type StoredEvent } from './runtime-events.js';

/** One stored audit entry (snake_case, as the REST API and `declaw audit --json` print it). */
export interface AuditEntry {
  /** Store-assigned, increasing: the pagination cursor. */
  id: number;
  type: string;
  category: AuditCategory;
  sandbox_id: string;
  /** ISO 8601, millisecond precision, UTC. */
  timestamp: string;
  host?: string;
  port?: number;
  /** HTTP method, or '' when the event is not about one request. */
  method: string;
  /** Request path with query values removed, or ''. */
  path: string;
  /** `https://host[:port]/path` (query values removed), or '' when there is no destination. */
  url: string;
  /**
   * HTTP status the sandbox was answered with: for a decision, the refusal's (0 when it was not
   * refused); for `request_completed`, the status of the exchange (0 when none was sent).
   */
  status_code: number;
  reason?: string;
  rule?: string;
  /** `outbound` (request), `inbound` (response), or '' for lifecycle and DNS events. */
  direction: string;
  pii_redactions: number;
  injection_blocks: number;
  transformations_applied: number;
  /** How many things the event is about (PII findings, rule hits, invisible characters, keys...). */
  count: number;
  /** Event-specific fields that are safe to keep (types and counts, scores, signal ids, DNS name...). */
  details: Record<string, unknown>;
}

/** An entry before the store gave it an id, with its time as epoch milliseconds for indexing. */
export type AuditRow = Omit<AuditEntry, 'id'> & { ts: number };

type Fields = Partial<
  Pick<AuditRow, 'status_code' | 'reason' | 'rule' | 'direction' | 'count' | 'pii_redactions'>
> &
  Partial<Pick<AuditRow, 'injection_blocks' | 'transformations_applied' | 'host'>> & {
    details?: Record<string, unknown>;
  };

const sum = (xs: ReadonlyArray<{ count: number }>): number => xs.reduce((n, x) => n + x.count, 0);

/** Type-specific columns and details; every field named explicitly (see the file comment). */
function fieldsOf(e: StoredEvent): Fields {
  switch (e.type) {
    case 'vm_created':
      return {
        details: {
          warm: e.warm,
          address: e.address,
          proxied: e.proxied,
          intercepted: e.intercepted,
          end_at: e.endAt,
        },
      };
    case 'vm_killed':
      return { reason: e.reason };
    case 'timeout':
      return { reason: e.scope, details: { scope: e.scope, limit_ms: e.limitMs } };
    case 'dns_query':
      return {
        host: e.name.toLowerCase().replace(/\.$/, ''),
        reason: e.decision.reason,
        rule: e.decision.rule,
        details: { qtype: e.qtype, outcome: e.outcome, action: e.decision.action, rcode: e.rcode },
      };
    case 'egress_allowed':
      return {
        direction: 'outbound',
        reason: e.reason,
        rule: e.rule,
        details: {
          address: e.address,
          mode: e.mode,
          front_door: e.frontDoor,
          original_dst: e.originalDst,
        },
      };
    case 'egress_blocked':
      return {
        direction: 'outbound',
        status_code: 403,
        reason: e.reason,
        rule: e.rule,
        details: { detail: e.detail, front_door: e.frontDoor, original_dst: e.originalDst },
      };
    case 'pii': {
      const n = sum(e.types);
      return {
        direction: 'outbound',
        status_code: e.action === 'block' ? 403 : 0,
        reason: e.action,
        count: n,
        pii_redactions: e.action === 'redact' ? n : 0,
        details: { action: e.action, types: e.types.map((t) => ({ type: t.type, count: t.count })) },
      };
    }
    case 'injection_detected':
      return {
        direction: 'inbound',
        status_code: e.action === 'block' ? 403 : 0,
        reason: e.action,
        count: 1,
        injection_blocks: e.action === 'block' ? 1 : 0,
        details: {
          action: e.action,
          score: e.score,
          threshold: e.threshold,
          signals: [...e.signals],
          streamed: e.streamed,
          model: e.model,
        },
      };
    case 'invisible_text':
      return {
        direction: 'inbound',
        status_code: e.action === 'block' ? 403 : 0,
        reason: e.action,
        count: e.count,
        details: { action: e.action },
      };
    case 'transform_applied': {
      const n = sum(e.rules);
      return {
        direction: e.direction,
        count: n,
        transformations_applied: n,
        details: {
          rules: e.rules.map((r) => ({ rule: r.rule, count: r.count })),
          dropped_headers: e.droppedHeaders ? [...e.droppedHeaders] : undefined,
        },
      };
    }
    case 'tls_error':
      return {
        direction: e.side === 'upstream' ? 'outbound' : '',
        status_code: e.side === 'upstream' ? 502 : 0,
        reason: e.category,
        details: { side: e.side, message: e.message },
      };
    case 'secret_injected':
    case 'secret_withheld':
      return { direction: 'outbound', count: e.keys.length, details: { keys: [...e.keys] } };
    case 'secret_masked':
      return { direction: 'inbound', count: e.keys.length, details: { keys: [...e.keys] } };
    case 'content_not_scanned':
      return {
        direction: e.direction,
        status_code: e.refused ? (e.reason === 'too_large' ? 413 : 415) : 0,
        reason: e.reason,
        details: { refused: e.refused },
      };
    case 'upstream_timeout':
      return {
        direction: 'outbound',
        // A 504 only when the client got one; a response already under way was cut instead.
        status_code: e.answered ? 504 : 0,
        reason: e.stage,
        details: { stage: e.stage, timeout_ms: e.timeoutMs, answered: e.answered },
      };
    case 'request_completed':
      return {
        direction: 'outbound',
        status_code: e.status,
        ...(e.completed ? {} : { reason: 'incomplete' }),
        details: {
          status: e.status,
          request_bytes: e.requestBytes,
          response_bytes: e.responseBytes,
          duration_ms: e.durationMs,
          mode: e.mode,
          completed: e.completed,
        },
      };
    case 'guardrails_fallback':
      return { direction: e.direction, reason: e.reason, details: { operation: e.operation } };
    case 'guardrails_recovered':
      return { direction: e.direction, details: { operation: e.operation } };
    default:
      return {};
  }
}

function withoutUndefined(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out;
}

/**
 * The URL of a destination as the hosted API reports it: scheme from the port (80 → http, else
 * https), the port only when not the scheme's default.
 */
function urlOf(host: string | undefined, port: number | undefined, path: string): string {
  if (!host) return '';
  const scheme = port === 80 ? 'http' : 'https';
  const showPort = port !== undefined && port !== 80 && port !== 443;
  return `${scheme}://${host}${showPort ? `:${port}` : ''}${path || '/'}`;
}

/**
 * Turns any recorded event into a row. Throws a TypeError when the event lacks the fields every
 * entry needs (`type`, `sandboxId`, a parseable `time`): the store rejects such events at its door.
 *
 * @example
 * const row = toAuditRow({ type: 'egress_blocked', time: new Date().toISOString(), sandboxId: 'sb1',
 *   flowId: 'f1', host: 'evil.example', reason: 'deny_rule', rule: '0.0.0.0/0', detail: '...',
 *   frontDoor: 'transparent' });
 * row.status_code; // 403
 * row.url;         // 'https://evil.example/'
 */
export function toAuditRow(event: StoredEvent): AuditRow {
  const rec = event as unknown as Record<string, unknown>;
  if (typeof rec.type !== 'string' || rec.type === '') throw new TypeError('audit event without a type');
  if (typeof rec.sandboxId !== 'string' || rec.sandboxId === '') {
    throw new TypeError(`audit event ${rec.type} without a sandboxId`);
  }
  const ts = typeof rec.time === 'string' ? Date.parse(rec.time) : NaN;
  if (!Number.isFinite(ts)) throw new TypeError(`audit event ${rec.type} without a valid ISO time`);
  const f = fieldsOf(event);
  const host =
    f.host ?? (typeof rec.host === 'string' && rec.host !== '' ? rec.host.toLowerCase() : undefined);
  const port = typeof rec.port === 'number' ? rec.port : undefined;
  const path = typeof rec.path === 'string' ? redactedPath(rec.path) : '';
  const row: AuditRow = {
    ts,
    type: rec.type,
    category: categoryOf(rec.type),
    sandbox_id: rec.sandboxId,
    timestamp: new Date(ts).toISOString(),
    method: typeof rec.method === 'string' ? rec.method.toUpperCase() : '',
    path,
    url: event.type === 'dns_query' ? '' : urlOf(host, port, path),
    status_code: f.status_code ?? 0,
    direction: f.direction ?? '',
    pii_redactions: f.pii_redactions ?? 0,
    injection_blocks: f.injection_blocks ?? 0,
    transformations_applied: f.transformations_applied ?? 0,
    count: f.count ?? 0,
    details: withoutUndefined({
      ...(f.details ?? {}),
      flow_id: typeof rec.flowId === 'string' ? rec.flowId : undefined,
    }),
  };
  if (host !== undefined) row.host = host;
  if (port !== undefined) row.port = port;
  if (f.reason !== undefined) row.reason = f.reason;
  if (f.rule !== undefined) row.rule = f.rule;
  return row;
}
