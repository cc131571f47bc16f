/**
 * Stage 1 of the pipeline as kernel rules: the iptables-restore / ip6tables-restore scripts that
 * confine one sandbox. Pure functions, so every rule can be read and tested without root.
 *
 * Everything lives in the HOST namespace, keyed by the sandbox's host-side interface, in chains of
 * its own (`DECLAW-<tag>-<id>-*`): code in the sandbox cannot see or change them, and removing a
 * sandbox removes exactly its rules. Chains:
 *
 * - OUT (FORWARD -i if): anti-spoofing, DNS/DoT/UDP restrictions, allow_out ACCEPT before anything
 *   else, special ranges (private, link-local, metadata, ...) DROP unless trusted, then POL.
 * - POL: ALL_TRAFFIC in allow_out ACCEPT, deny_out DROP, then open egress (IPv4) or DROP (IPv6:
 *   no IPv6 egress unless a rule allows it).
 * - IN (FORWARD -o if): only replies reach the sandbox.
 * - HOST (INPUT -i if): the sandbox reaches the host only on the DNS responder and the proxy.
 * - NAT (PREROUTING -i if): DNS to the gateway → the responder; TCP 80/443 → the proxy when used.
 * - SNAT (POSTROUTING): masquerade, only when open egress is forwarded out of the host (production).
 */
import type { NetworkEntry } from '../policy/network-entry.js';
import type { SandboxNames } from './names.js';

/** A host address and port a sandbox may reach (after DNAT). */
export interface HostEndpoint {
  host: string;
  port: number;
}

/** Everything the rules of one sandbox depend on. */
export interface FirewallPlan {
  names: SandboxNames;
  sandboxV4: string;
  gatewayV4: string;
  sandboxV6?: string;
  /** allow_out / deny_out, parsed. Domain entries are ignored here (the proxy and DNS handle them). */
  allow: readonly NetworkEntry[];
  deny: readonly NetworkEntry[];
  /** Where DNS queries to the gateway go. */
  dns: HostEndpoint;
  /** Where TCP 80/443 go; undefined for policies that need no proxy (IP rules only). */
  proxy?: HostEndpoint;
  /** CIDRs treated as public although they are special (a test "internet", an air-gapped network). */
  trustedRanges?: readonly string[];
  /** Masquerade forwarded traffic (production hosts forwarding open egress to the internet). */
  masquerade?: boolean;
}

/** Chain suffixes, in creation order. */
export const CHAIN_SUFFIXES = ['OUT', 'POL', 'IN', 'HOST', 'NAT', 'SNAT'] as const;

/**
 * IPv4 ranges that are not ordinary public destinations: the ranges in which the proxy's
 * `specialRange()` check refuses addresses (a test keeps the two in agreement).
 */
export const SPECIAL_V4: readonly string[] = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.0.2.0/24',
  '192.31.196.0/24',
  '192.52.193.0/24',
  '192.88.99.0/24',
  '192.168.0.0/16',
  '192.175.48.0/24',
  '198.18.0.0/15',
  '198.51.100.0/24',
  '203.0.113.0/24',
  '224.0.0.0/4',
  '240.0.0.0/4',
];

/** IPv6 ranges that are not ordinary public destinations (same agreement as {@link SPECIAL_V4}). */
export const SPECIAL_V6: readonly string[] = [
  '::/128',
  '::1/128',
  '::ffff:0:0/96',
  '::ffff:0:0:0/96',
  '64:ff9b::/96',
  '64:ff9b:1::/48',
  '100::/64',
  '2001::/23',
  '2001:db8::/32',
  '2002::/16',
  '2620:4f:8000::/48',
  '3fff::/20',
  '5f00::/16',
  'fc00::/7',
  'fe80::/10',
  'fec0::/10',
  'ff00::/8',
];

function familyOf(entry: NetworkEntry): 4 | 6 | 'all' | undefined {
  if (entry.kind === 'all') return 'all';
  if (entry.kind === 'ip' || entry.kind === 'cidr') return entry.family;
  return undefined;
}

function destinations(entries: readonly NetworkEntry[], family: 4 | 6): { narrow: string[]; all: boolean } {
  const narrow: string[] = [];
  let all = false;
  for (const e of entries) {
    const f = familyOf(e);
    if (f === 'all') all = true;
    else if (f === family) narrow.push(e.text);
  }
  return { narrow, all };
}

function cidrFamily(text: string): 4 | 6 {
  return text.includes(':') ? 6 : 4;
}

/** Whether the policy restricts egress at all (any deny entry): then UDP and foreign DNS are closed. */
export function isRestricted(plan: FirewallPlan): boolean {
  return plan.deny.length > 0;
}

function q(s: string): string {
  return `"${s}"`;
}

/**
 * The iptables-restore (family 4) or ip6tables-restore (family 6) script that installs a sandbox's
 * rules with `--noflush`: it creates the chains, fills them, and inserts the jumps at the top of the
 * built-in chains so no other rule on the host decides before them.
 *
 * @example
 * const script = firewallScript(plan, 4);
 * await runHostTool('iptables-restore', ['-w', '--noflush'], { input: script });
 */
export function firewallScript(plan: FirewallPlan, family: 4 | 6): string {
  const { names } = plan;
  const c = (s: string) => `${names.chain}-${s}`;
  const ifc = names.hostIf;
  const tag = `-m comment --comment ${q(names.comment)}`;
  const self = family === 4 ? plan.sandboxV4 : plan.sandboxV6;
  const restricted = isRestricted(plan);
  const allow = destinations(plan.allow, family);
  const deny = destinations(plan.deny, family);
  const trusted = (plan.trustedRanges ?? []).filter((t) => cidrFamily(t) === family);
  const special = family === 4 ? SPECIAL_V4 : SPECIAL_V6;
  const lines: string[] = ['*filter'];
  for (const s of ['OUT', 'POL', 'IN', 'HOST']) lines.push(`:${c(s)} - [0:0]`);

  // OUT: what the sandbox sends through the host.
  const out = (rule: string) => lines.push(`-A ${c('OUT')} ${rule}`);
  if (self) out(`! -s ${self} -j DROP`);
  else out('-j DROP');
  out('-m conntrack --ctstate INVALID -j DROP');
  out('-m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT');
  if (restricted) {
    for (const proto of ['udp', 'tcp']) out(`-p ${proto} -m multiport --dports 53,853 -j DROP`);
    out('-p udp -j DROP');
  }
  // IPv6 cannot be redirected to the (IPv4) proxy, so it must not bypass it either.
  if (family === 6 && plan.proxy) out('-p tcp -m multiport --dports 80,443 -j DROP');
  for (const d of allow.narrow) out(`-d ${d} -j ACCEPT`);
  for (const t of trusted) out(`-d ${t} -g ${c('POL')}`);
  for (const s of special) out(`-d ${s} -j DROP`);
  out(`-g ${c('POL')}`);

  // POL: the policy proper for ordinary destinations.
  const pol = (rule: string) => lines.push(`-A ${c('POL')} ${rule}`);
  if (allow.all) pol('-j ACCEPT');
  for (const d of deny.narrow) pol(`-d ${d} -j DROP`);
  if (deny.all || family === 6) pol('-j DROP');
  else pol('-j ACCEPT');

  // IN: nothing reaches the sandbox unless it asked for it.
  lines.push(`-A ${c('IN')} -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT`);
  lines.push(`-A ${c('IN')} -j DROP`);

  // HOST: the host itself, on every one of its addresses, is reachable only on DNS and the proxy.
  const host = (rule: string) => lines.push(`-A ${c('HOST')} ${rule}`);
  if (family === 6) {
    // Neighbour discovery keeps the link working; nothing else of the host answers over IPv6.
    for (const t of [133, 134, 135, 136]) host(`-p ipv6-icmp -m icmp6 --icmpv6-type ${t} -j ACCEPT`);
    host('-j DROP');
  } else {
    host(`! -s ${plan.sandboxV4} -j DROP`);
    host('-m conntrack --ctstate INVALID -j DROP');
    host('-m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT');
    for (const proto of ['udp', 'tcp']) {
      host(
        `-p ${proto} -d ${plan.dns.host} --dport ${plan.dns.port} -m conntrack --ctstate DNAT ` +
          `--ctorigdst ${plan.gatewayV4} --ctorigdstport 53 -j ACCEPT`,
      );
    }
    if (plan.proxy) {
      for (const port of [80, 443]) {
        host(
          `-p tcp -d ${plan.proxy.host} --dport ${plan.proxy.port} -m conntrack --ctstate DNAT ` +
            `--ctorigdstport ${port} -j ACCEPT`,
        );
      }
    }
    host('-j DROP');
  }
  lines.push(`-I FORWARD 1 -i ${ifc} ${tag} -j ${c('OUT')}`);
  lines.push(`-I FORWARD 1 -o ${ifc} ${tag} -j ${c('IN')}`);
  lines.push(`-I INPUT 1 -i ${ifc} ${tag} -j ${c('HOST')}`);
  lines.push('COMMIT');

  if (family === 4) {
    lines.push('*nat', `:${c('NAT')} - [0:0]`);
    const nat = (rule: string) => lines.push(`-A ${c('NAT')} ${rule}`);
    for (const proto of ['udp', 'tcp']) {
      nat(
        `-d ${plan.gatewayV4} -p ${proto} --dport 53 -j DNAT --to-destination ${plan.dns.host}:${plan.dns.port}`,
      );
    }
    if (plan.proxy) {
      nat(
        `-p tcp -m multiport --dports 80,443 -j DNAT --to-destination ${plan.proxy.host}:${plan.proxy.port}`,
      );
    }
    lines.push(`-I PREROUTING 1 -i ${ifc} ${tag} -j ${c('NAT')}`);
    if (plan.masquerade) {
      lines.push(`:${c('SNAT')} - [0:0]`);
      lines.push(`-A ${c('SNAT')} ! -o ${ifc} -j MASQUERADE`);
      lines.push(`-I POSTROUTING 1 -s ${plan.sandboxV4}/32 ${tag} -j ${c('SNAT')}`);
    }
    lines.push('COMMIT');
  } else if (plan.masquerade && plan.sandboxV6) {
    lines.push('*nat', `:${c('SNAT')} - [0:0]`);
    lines.push(`-A ${c('SNAT')} ! -o ${ifc} -j MASQUERADE`);
    lines.push(`-I POSTROUTING 1 -s ${plan.sandboxV6}/128 ${tag} -j ${c('SNAT')}`);
    lines.push('COMMIT');
  }
  return `${lines.join('\n')}\n`;
}

/**
 * From an `iptables-save` dump, the restore script that removes every rule and chain whose chain
 * name matches `chainPattern` and every jump to such a chain: exact removal for one sandbox (pattern
 * of its chains) or for a whole tag (reconciliation after a crash). Returns '' when there is nothing.
 *
 * @example removalScript(await save(), /^DECLAW-dc-k3j2x9a1b7-/)
 */
export function removalScript(saved: string, chainPattern: RegExp): string {
  const out: string[] = [];
  let table: string | undefined;
  let deletes: string[] = [];
  let chains: string[] = [];
  const flush = () => {
    if (table && (deletes.length || chains.length)) {
      out.push(`*${table}`, ...deletes);
      for (const ch of chains) out.push(`-F ${ch}`);
      for (const ch of chains) out.push(`-X ${ch}`);
      out.push('COMMIT');
    }
    deletes = [];
    chains = [];
  };
  for (const line of saved.split('\n')) {
    if (line.startsWith('*')) {
      flush();
      table = line.slice(1).trim();
    } else if (line.startsWith(':')) {
      const name = line.slice(1).split(' ')[0] ?? '';
      if (chainPattern.test(name)) chains.push(name);
    } else if (line.startsWith('-A ')) {
      const owner = line.split(' ')[1] ?? '';
      if (chainPattern.test(owner)) continue; // flushed with its chain
      const target = line.match(/ -[jg] (\S+)/)?.[1];
      if (target && chainPattern.test(target)) deletes.push(`-D ${line.slice(3)}`);
    }
  }
  flush();
  return out.length ? `${out.join('\n')}\n` : '';
}
