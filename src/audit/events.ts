/**
 * The typed audit events of the proxy (seed 000, stage 6). An event says what was decided, where and
 * why: host, method, a path with query values removed, rule names, PII types and counts, scores, rule
 * indexes, secret names. It never carries a body, a PII value, a secret value or a query value, so the
 * audit log can be kept and shared without becoming a leak of its own.
 */
import type { PiiType } from '../policy/pii-types.js';

/** How the proxy handled a connection: bytes spliced untouched, TLS intercepted, or plain HTTP read. */
export type FlowMode = 'splice' | 'intercept' | 'http';

/** Which listener a connection came through. */
export type FrontDoor = 'explicit' | 'transparent';

/** Fields every proxy event carries. */
export interface AuditEventBase {
  /** ISO 8601 time the decision was taken. */
  time: string;
  /** The sandbox (proxy session) the traffic belongs to. */
  sandboxId: string;
  /** Identifies one client connection, so the events of one flow can be grouped. */
  flowId: string;
  /** Destination host name (SNI, CONNECT authority or Host header), lower case. */
  host?: string;
  port?: number;
  /** HTTP method, for events about one request. */
  method?: string;
  /** Request path with every query value removed (`/v1/x?key&page`); see {@link redactedPath}. */
  path?: string;
}

/** A connection or request was let through by the network policy (stage 2). */
export interface EgressAllowedEvent extends AuditEventBase {
  type: 'egress_allowed';
  /** Why: `allow_rule` (a rule named it) or `open_egress` (nothing denied it). */
  reason: string;
  /** The allow_out entry that matched, if any. */
  rule?: string;
  /** The vetted address the proxy dialled. */
  address?: string;
  mode: FlowMode;
  frontDoor: FrontDoor;
  /** For transparent connections: where the sandbox really tried to go (SO_ORIGINAL_DST). */
  originalDst?: string;
}

/** A connection or request was refused before anything reached the destination. */
export interface EgressBlockedEvent extends AuditEventBase {
  type: 'egress_blocked';
  /**
   * Stable reason: the egress decision's (`deny_rule`, `special_address`, `host_address`,
   * `unresolvable`) or the front door's (`no_sni`, `ech`, `not_tls`, `malformed_hello`,
   * `domain_fronting`, `sni_mismatch`, `no_session`, `bad_request`).
   */
  reason: string;
  /** The deny_out entry that matched, if any. */
  rule?: string;
  /** One sentence for humans; names hosts and addresses, never payloads. */
  detail: string;
  frontDoor: FrontDoor;
  originalDst?: string;
}

/** PII found in a request body (stage 4). */
export interface PiiEvent extends AuditEventBase {
  type: 'pii';
  /** What the policy did: `redact` (tokens sent), `block` (403), `log_only` (sent unchanged). */
  action: 'redact' | 'block' | 'log_only';
  types: Array<{ type: PiiType; count: number }>;
}

/** A response scored at or above the injection threshold (stage 4, inbound). */
export interface InjectionDetectedEvent extends AuditEventBase {
  type: 'injection_detected';
  score: number;
  threshold: number;
  action: 'block' | 'log';
  /** Signal ids of the best window, e.g. `override.ignore_previous`. */
  signals: string[];
  /** True when the response was a stream scanned incrementally (and cut there when blocked). */
  streamed: boolean;
  /** The Guardrails model that scored it; absent when the built-in scorer did. */
  model?: string;
}

/** Invisible characters found in a response. */
export interface InvisibleTextEvent extends AuditEventBase {
  type: 'invisible_text';
  action: 'strip' | 'block' | 'log_only';
  count: number;
}

/** Transformation rules rewrote a message (stage 5). */
export interface TransformAppliedEvent extends AuditEventBase {
  type: 'transform_applied';
  direction: 'outbound' | 'inbound';
  /** Index of each rule in the policy's `transformations` list, with how often it fired. */
  rules: Array<{ rule: number; count: number }>;
  /** Headers removed because a rule left them malformed. */
  droppedHeaders?: string[];
}

/** A TLS handshake failed: with the upstream server (verification) or with the sandboxed client. */
export interface TlsErrorEvent extends AuditEventBase {
  type: 'tls_error';
  side: 'upstream' | 'client';
  /** e.g. `untrusted`, `expired`, `name-mismatch`, `handshake`. */
  category: string;
  /** The sentence the client was sent (names the host and what to do, no secrets). */
  message: string;
}

/** Real secret values were put in place of their placeholders on a request to a bound host. */
export interface SecretInjectedEvent extends AuditEventBase {
  type: 'secret_injected';
  /** Env var names of the secrets, never their values. */
  keys: string[];
}

/** A placeholder was sent to a host its secret is not bound to: it went out as the placeholder. */
export interface SecretWithheldEvent extends AuditEventBase {
  type: 'secret_withheld';
  keys: string[];
}

/** A response carried a real secret value; the client got the placeholder instead. */
export interface SecretMaskedEvent extends AuditEventBase {
  type: 'secret_masked';
  keys: string[];
}

/** A body that had to be scanned was not: too large (refused), or a format the stages cannot read. */
export interface ContentNotScannedEvent extends AuditEventBase {
  type: 'content_not_scanned';
  direction: 'outbound' | 'inbound';
  /** `too_large` (the message was refused), `binary`, `unsupported_encoding`, or a scanner's reason. */
  reason: string;
  /** True when the message was refused because of it (fail closed). */
  refused: boolean;
}

/** The proxy gave up waiting for an upstream server; the client got a 504 or a cut response. */
export interface UpstreamTimeoutEvent extends AuditEventBase {
  type: 'upstream_timeout';
  /**
   * Which wait ran out: `connect` (TCP connect and TLS handshake), `response_head` (from the request
   * sent to the response's status line and headers), `body_idle` (silence between response body chunks).
   */
  stage: 'connect' | 'response_head' | 'body_idle';
  /** The limit that was reached, in milliseconds. */
  timeoutMs: number;
  /** True when the client was answered 504; false when the response had started and was cut. */
  answered: boolean;
}

/**
 * One HTTP exchange through an intercepted or plain-HTTP flow ended (spliced TLS carries no visible
 * requests). Sizes and timing only: never a header, body or query value.
 */
export interface RequestCompletedEvent extends AuditEventBase {
  type: 'request_completed';
  /** Status the client was answered with (the upstream's or the proxy's own); 0 when none was sent. */
  status: number;
  /** Body bytes sent upstream (after the outbound stages); 0 when the request went nowhere. */
  requestBytes: number;
  /** Body bytes sent to the client (after the inbound stages). */
  responseBytes: number;
  /** From the request head arriving to the last response byte written (or the exchange ending). */
  durationMs: number;
  mode: FlowMode;
  /** False when the exchange ended early: the client left, or the response was cut. */
  completed: boolean;
}

/**
 * Why a Guardrails call gave nothing: `timeout` (no answer within the deadline), `unreachable`
 * (connection refused or reset), `http_status` (a non-2xx answer, e.g. 503 overloaded),
 * `invalid_response` (not the protocol, or offsets outside the texts sent), `breaker_open` (the
 * circuit breaker skipped the call after repeated failures), `too_large` (a text above the request
 * size limit; not sent).
 */
export type GuardrailsFallbackReason =
  'timeout' | 'unreachable' | 'http_status' | 'invalid_response' | 'breaker_open' | 'too_large';

/**
 * The Guardrails Service did not answer for this message: the built-in engines decided alone (seed
 * 001: "the fallback to regex detection is automatic"). Never carries the text that was to be sent.
 */
export interface GuardrailsFallbackEvent extends AuditEventBase {
  type: 'guardrails_fallback';
  /** `outbound` for NER on a request body, `inbound` for the injection model on a response. */
  direction: 'outbound' | 'inbound';
  /** The service call: `analyze` (NER) or `injection`. */
  operation: 'analyze' | 'injection';
  /** A {@link GuardrailsFallbackReason}, or a reason a newer client reports. */
  reason: string;
}

/** The first message the Guardrails Service answered after an outage: its circuit breaker closed. */
export interface GuardrailsRecoveredEvent extends AuditEventBase {
  type: 'guardrails_recovered';
  direction: 'outbound' | 'inbound';
  operation: 'analyze' | 'injection';
}

/** Any event the proxy emits. Discriminated by `type`. */
export type AuditEvent =
  | EgressAllowedEvent
  | EgressBlockedEvent
  | PiiEvent
  | InjectionDetectedEvent
  | InvisibleTextEvent
  | TransformAppliedEvent
  | TlsErrorEvent
  | SecretInjectedEvent
  | SecretWithheldEvent
  | SecretMaskedEvent
  | ContentNotScannedEvent
  | UpstreamTimeoutEvent
  | RequestCompletedEvent
  | GuardrailsFallbackEvent
  | GuardrailsRecoveredEvent;

/** The `type` of an {@link AuditEvent}. */
export type AuditEventType = AuditEvent['type'];

/** Every event type, for sinks that index or filter by type. */
export const AUDIT_EVENT_TYPES: readonly AuditEventType[] = Object.freeze([
  'egress_allowed',
  'egress_blocked',
  'pii',
  'injection_detected',
  'invisible_text',
  'transform_applied',
  'tls_error',
  'secret_injected',
  'secret_withheld',
  'secret_masked',
  'content_not_scanned',
  'upstream_timeout',
  'request_completed',
  'guardrails_fallback',
  'guardrails_recovered',
]);

/**
 * A request target as the audit log keeps it: the path, and the names of query parameters without
 * their values (which often hold keys, e-mail addresses or tokens). Absolute-form targets keep only
 * their path. Fragments are dropped.
 *
 * @example
 * redactedPath('/v1/search?q=john@example.com&page=2'); // '/v1/search?q&page'
 * redactedPath('http://pypi.org/simple/?x=1');          // '/simple/?x'
 */
export function redactedPath(target: string): string {
  let rest = target;
  const scheme = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(rest);
  if (scheme) rest = rest.slice(scheme[0].length) || '/';
  const hash = rest.indexOf('#');
  if (hash >= 0) rest = rest.slice(0, hash);
  const q = rest.indexOf('?');
  if (q < 0) return rest;
  const names = rest
    .slice(q + 1)
    .split('&')
    .filter((p) => p !== '')
    .map((p) => {
      const eq = p.indexOf('=');
      return eq < 0 ? p : p.slice(0, eq);
    });
  return `${rest.slice(0, q)}?${names.join('&')}`;
}
