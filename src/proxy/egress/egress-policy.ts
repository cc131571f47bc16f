import { BlockList, isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { SecurityPolicy } from '../../policy/security-policy.js';
import { compileHostMatcher, type HostMatcher } from '../../policy/host-matcher.js';
import { parseNetworkEntry, type NetworkEntry } from '../../policy/network-entry.js';
import { canonicalIpLiteral, type CanonicalIp } from './ip-literal.js';
import { specialRange } from './special-ranges.js';
import { systemResolver, type Resolver } from './resolver.js';

/** Why a destination was allowed or refused; stable strings for the audit log. */
export type EgressReason =
  'allow_rule' | 'open_egress' | 'deny_rule' | 'special_address' | 'host_address' | 'unresolvable';

/** The outcome of stage 2 for one destination. */
export type EgressDecision =
  | { allowed: true; reason: EgressReason; rule?: string; addresses: CanonicalIp[] }
  | { allowed: false; reason: EgressReason; rule?: string; detail: string };

/** Options of {@link EgressPolicy}. */
export interface EgressPolicyOptions {
  /** Resolves names; default: the system resolver (getaddrinfo, /etc/hosts applies). */
  resolver?: Resolver;
  /** This host's own addresses, refused unless a rule names them. Default: read from the interfaces. */
  hostAddresses?: Iterable<string>;
  /**
   * CIDRs treated as ordinary public destinations even though they are private: the "internet" of a
   * test or of an air-gapped deployment. Default none.
   */
  trustedRanges?: readonly string[];
}

function ipList(entries: readonly NetworkEntry[], includeAll: boolean): BlockList {
  const list = new BlockList();
  for (const e of entries) {
    if (e.kind === 'all' && includeAll)
      list.addSubnet(
        e.text.startsWith('::') ? '::' : '0.0.0.0',
        0,
        e.text.startsWith('::') ? 'ipv6' : 'ipv4',
      );
    if (e.kind === 'ip') list.addAddress(e.text, e.family === 4 ? 'ipv4' : 'ipv6');
    if (e.kind === 'cidr')
      list.addSubnet(e.text.split('/')[0] as string, e.prefix, e.family === 4 ? 'ipv4' : 'ipv6');
  }
  return list;
}

function entriesWithText(list: readonly string[]): NetworkEntry[] {
  return list.map((e) => parseNetworkEntry(e));
}

/** One IP/CIDR entry with its own matcher, to name the rule that decided. */
interface IpRule {
  text: string;
  list: BlockList;
}

function ipRules(entries: readonly NetworkEntry[]): IpRule[] {
  return entries
    .filter((e) => e.kind === 'all' || e.kind === 'ip' || e.kind === 'cidr')
    .map((e) => ({ text: e.text, list: ipList([e], true) }));
}

/**
 * Stage 2, the egress decision, as ARCHITECTURE.md states it: allow beats deny; a name allowed by
 * `allow_out` is allowed whatever IP rules say; a name denied by `deny_out` is refused without a DNS
 * lookup; any other name is resolved and its addresses decide. Every resolved address is vetted: one
 * in a special range (loopback, private, link-local/metadata, ...) or belonging to this host refuses
 * the whole name unless an `allow_out` IP/CIDR narrower than ALL_TRAFFIC covers it. The caller dials
 * only the returned addresses, never the name again, so DNS rebinding between check and connect fails.
 *
 * @example
 * const egress = new EgressPolicy(SecurityPolicy.from({ network: { allowOut: ['pypi.org'], denyOut: [ALL_TRAFFIC] } }));
 * await egress.decide('pypi.org');   // { allowed: true, reason: 'allow_rule', rule: 'pypi.org', addresses: [...] }
 * await egress.decide('evil.test');  // { allowed: false, reason: 'deny_rule', rule: '0.0.0.0/0', ... }
 */
export class EgressPolicy {
  private readonly allowHosts: HostMatcher;
  private readonly denyHosts: HostMatcher;
  private readonly allowIps: BlockList;
  private readonly allowIpsNarrow: BlockList;
  private readonly denyIps: BlockList;
  private readonly denyRules: IpRule[];
  private readonly allowRules: IpRule[];
  private readonly hostAddresses: ReadonlySet<string>;
  private readonly trusted: BlockList;
  private readonly resolver: Resolver;

  constructor(policy: SecurityPolicy, options: EgressPolicyOptions = {}) {
    const { allow_out, deny_out } = policy.json.network;
    this.allowHosts = compileHostMatcher(allow_out);
    this.denyHosts = compileHostMatcher(deny_out);
    const allowEntries = entriesWithText(allow_out);
    const denyEntries = entriesWithText(deny_out);
    this.allowRules = ipRules(allowEntries);
    this.denyRules = ipRules(denyEntries);
    this.allowIps = ipList(allowEntries, true);
    this.allowIpsNarrow = ipList(allowEntries, false);
    this.denyIps = ipList(denyEntries, true);
    this.trusted = ipList(entriesWithText(options.trustedRanges ?? []), false);
    this.resolver = options.resolver ?? systemResolver();
    const own =
      options.hostAddresses ??
      Object.values(networkInterfaces()).flatMap((l) => (l ?? []).map((i) => i.address));
    this.hostAddresses = new Set([...own].flatMap((a) => canonicalIpLiteral(a)?.address ?? []));
  }

  private ruleFor(rules: readonly IpRule[], ip: CanonicalIp): string | undefined {
    const type = ip.family === 4 ? 'ipv4' : 'ipv6';
    return rules.find((r) => r.list.check(ip.address, type))?.text;
  }

  /**
   * Decide for one address. `nameRule` is the allow_out pattern that already allowed the name the
   * address was resolved from, if any.
   */
  decideAddress(ip: CanonicalIp, nameRule?: string): EgressDecision {
    const type = ip.family === 4 ? 'ipv4' : 'ipv6';
    const named = this.allowIpsNarrow.check(ip.address, type) || this.trusted.check(ip.address, type);
    const special = specialRange(ip.address);
    if (special && !named) {
      return { allowed: false, reason: 'special_address', detail: `${ip.address} is a ${special} address` };
    }
    if (this.hostAddresses.has(ip.address) && !named) {
      return {
        allowed: false,
        reason: 'host_address',
        detail: `${ip.address} is an address of the declaw host`,
      };
    }
    if (nameRule) return { allowed: true, reason: 'allow_rule', rule: nameRule, addresses: [ip] };
    if (this.allowIps.check(ip.address, type)) {
      return {
        allowed: true,
        reason: 'allow_rule',
        rule: this.ruleFor(this.allowRules, ip),
        addresses: [ip],
      };
    }
    if (this.denyIps.check(ip.address, type)) {
      const rule = this.ruleFor(this.denyRules, ip);
      return { allowed: false, reason: 'deny_rule', rule, detail: `${ip.address} matches deny_out ${rule}` };
    }
    return { allowed: true, reason: 'open_egress', addresses: [ip] };
  }

  /** Decide for a destination host name or IP literal (in any encoding), resolving names. */
  async decide(host: string): Promise<EgressDecision> {
    const literal = canonicalIpLiteral(host);
    if (literal) {
      if (isIP(literal.address) === 0) {
        return { allowed: false, reason: 'special_address', detail: `${host} has an interface zone id` };
      }
      return this.decideAddress(literal);
    }
    const allowRule = this.allowHosts.match(host);
    if (!allowRule) {
      const denyRule = this.denyHosts.match(host);
      if (denyRule)
        return {
          allowed: false,
          reason: 'deny_rule',
          rule: denyRule,
          detail: `${host} matches deny_out ${denyRule}`,
        };
    }
    let addresses: CanonicalIp[];
    try {
      addresses = await this.resolver.resolve(host);
    } catch (err) {
      return {
        allowed: false,
        reason: 'unresolvable',
        detail: `${host} does not resolve: ${(err as Error).message}`,
      };
    }
    if (addresses.length === 0)
      return { allowed: false, reason: 'unresolvable', detail: `${host} has no addresses` };
    const vetted: CanonicalIp[] = [];
    let first: EgressDecision | undefined;
    for (const ip of addresses) {
      const d = this.decideAddress(ip, allowRule);
      // One bad address refuses the name: a resolver that mixes a public and a private answer is an attack.
      if (!d.allowed) return { ...d, detail: `${host} resolves to ${d.detail}` };
      first ??= d;
      vetted.push(ip);
    }
    return { ...(first as Extract<EgressDecision, { allowed: true }>), addresses: vetted };
  }
}
