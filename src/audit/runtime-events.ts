/**
 * Events of the sandbox runtime as the audit store takes them: lifecycle (seed 000's vm_created and
 * vm_killed, plus timeout) and DNS queries. They mirror the shapes src/sandbox emits (declared here
 * structurally, because the audit layer depends on nothing), so `manager.onEvent = (e) => store.record(e)`
 * type-checks without a cast.
 */
import type { AuditEvent } from './events.js';

/** A sandbox was created and is ready for commands. */
export interface VmCreatedAuditEvent {
  type: 'vm_created';
  time: string;
  sandboxId: string;
  warm?: boolean;
  address?: string;
  proxied?: boolean;
  intercepted?: boolean;
  /** When its TTL ends (ISO 8601). */
  endAt?: string;
}

/** A sandbox was removed. `reason` is `killed`, `timeout` (its TTL ended) or `shutdown`. */
export interface VmKilledAuditEvent {
  type: 'vm_killed';
  time: string;
  sandboxId: string;
  reason: string;
}

/**
 * Something ran out of time: the sandbox's TTL (`scope: 'sandbox'`) or one command (`scope: 'command'`).
 * The store also files one of these for every `vm_killed` whose reason is `timeout`.
 */
export interface TimeoutAuditEvent {
  type: 'timeout';
  time: string;
  sandboxId: string;
  scope: 'sandbox' | 'command';
  /** The limit that was reached, in milliseconds, when known. */
  limitMs?: number;
}

/** A DNS query a sandbox made (never the answer data). */
export interface DnsQueryAuditEvent {
  type: 'dns_query';
  time: string;
  sandboxId: string;
  /** The name asked for. */
  name: string;
  qtype: string;
  outcome: string;
  decision: { action: string; rule?: string; reason: string };
  rcode: string;
}

/** Lifecycle events: always recorded, whatever the sandbox's AuditConfig says. */
export type LifecycleAuditEvent = VmCreatedAuditEvent | VmKilledAuditEvent | TimeoutAuditEvent;

/** Everything the audit store records: the proxy's events and the runtime's. */
export type StoredEvent = AuditEvent | LifecycleAuditEvent | DnsQueryAuditEvent;

/** The `type` of a {@link StoredEvent}. */
export type StoredEventType = StoredEvent['type'];

/** Which of seed 000's groups an event belongs to; only `lifecycle` ignores `audit.enabled`. */
export type AuditCategory = 'lifecycle' | 'network' | 'content';

const LIFECYCLE = new Set<string>(['vm_created', 'vm_killed', 'timeout']);
const NETWORK = new Set<string>([
  'egress_allowed',
  'egress_blocked',
  'dns_query',
  'tls_error',
  'upstream_timeout',
  'request_completed',
]);

/**
 * The group of an event type. Unknown types count as content, so a policy that turned auditing off
 * also drops event kinds added later.
 *
 * @example
 * categoryOf('vm_killed'); // 'lifecycle'
 * categoryOf('dns_query'); // 'network'
 * categoryOf('request_completed'); // 'network'
 * categoryOf('pii');       // 'content'
 */
export function categoryOf(type: string): AuditCategory {
  if (LIFECYCLE.has(type)) return 'lifecycle';
  if (NETWORK.has(type)) return 'network';
  return 'content';
}
