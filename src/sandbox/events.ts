/**
 * Events of the sandbox runtime, shaped like the proxy's audit events (`type`, ISO `time`,
 * `sandboxId`): lifecycle (seed 000's vm_created and vm_killed) and DNS queries. They go to the
 * manager's `onEvent`; the audit store files them with the proxy's events.
 */
import type { DnsQueryEvent } from './dns/dns-responder.js';

export type { DnsQueryEvent };

/** A sandbox was created and is ready for commands. */
export interface VmCreatedEvent {
  type: 'vm_created';
  time: string;
  sandboxId: string;
  /** Whether its network came from the warm pool. */
  warm: boolean;
  /** The sandbox's IPv4 address (its identity for the proxy and the DNS responder). */
  address: string;
  /** Whether TCP 80/443 go through the proxy, and whether TLS is intercepted. */
  proxied: boolean;
  intercepted: boolean;
  /** When its TTL ends. */
  endAt: string;
}

/** A sandbox was removed, with every trace of it on the host. */
export interface VmKilledEvent {
  type: 'vm_killed';
  time: string;
  sandboxId: string;
  /** `killed` by a caller, `timeout` when its TTL expired, `shutdown` when the manager closed. */
  reason: 'killed' | 'timeout' | 'shutdown';
}

/** Every event the sandbox runtime emits. */
export type SandboxEvent = VmCreatedEvent | VmKilledEvent | DnsQueryEvent;
