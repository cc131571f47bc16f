import { compileHostMatcher, type HostMatcher } from '../../policy/host-matcher.js';
import { normalizeHostname, parseNetworkEntry } from '../../policy/network-entry.js';
import type { SecurityPolicy } from '../../policy/security-policy.js';

/** What the responder does with a name. */
export type DnsAction = 'allow' | 'deny' | 'forward';

/** A decision and the rule behind it. */
export interface DnsDecision {
  action: DnsAction;
  /** The allow_out/deny_out entry that decided, when one did. */
  rule?: string;
  /** Why, for the audit event: `allow_rule`, `deny_rule`, `all_traffic_denied`, `open_egress`, `invalid_name`. */
  reason: string;
}

/**
 * The DNS half of the network policy. A name allowed by `allow_out` is resolved and answered; a name
 * matched by `deny_out` gets NXDOMAIN for every record type (TXT included, so nothing can leave in a
 * denied name); when `deny_out` holds ALL_TRAFFIC every name that is not allowed gets NXDOMAIN too,
 * because forwarding it would carry data out through the host's resolver although the sandbox may
 * reach nothing. Everything else is forwarded.
 *
 * @example
 * const dns = new DnsPolicy(SecurityPolicy.from({ network: { allowOut: ['pypi.org'], denyOut: [ALL_TRAFFIC] } }));
 * dns.decide('pypi.org').action;          // 'allow'
 * dns.decide('secret.evil.test').action;  // 'deny'
 */
export class DnsPolicy {
  private readonly allow: HostMatcher;
  private readonly deny: HostMatcher;
  private readonly denyAll: boolean;

  constructor(policy: SecurityPolicy) {
    const { allow_out, deny_out } = policy.json.network;
    this.allow = compileHostMatcher(allow_out);
    this.deny = compileHostMatcher(deny_out);
    this.denyAll = deny_out.some((e) => parseNetworkEntry(e).kind === 'all');
  }

  decide(name: string): DnsDecision {
    if (!normalizeHostname(name)) return { action: 'deny', reason: 'invalid_name' };
    const allowed = this.allow.match(name);
    if (allowed) return { action: 'allow', rule: allowed, reason: 'allow_rule' };
    const denied = this.deny.match(name);
    if (denied) return { action: 'deny', rule: denied, reason: 'deny_rule' };
    if (this.denyAll) return { action: 'deny', rule: '0.0.0.0/0', reason: 'all_traffic_denied' };
    return { action: 'forward', reason: 'open_egress' };
  }
}
