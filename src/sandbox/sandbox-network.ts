/**
 * The firewall and forwarding of one sandbox network, from its policy. Split out so the warm pool
 * can secure networks ahead of time for the policy most sandboxes use, and creation only has to
 * check that the pooled rules are the ones its policy needs.
 */
import { parseNetworkEntry } from '../policy/network-entry.js';
import type { SecurityPolicy } from '../policy/security-policy.js';
import type { Firewall } from './firewall.js';
import type { HostEndpoint } from './firewall-rules.js';
import { enableForwarding } from './netns.js';
import type { PrebuiltNetwork } from './warm-pool.js';

/** Host-wide settings the rules depend on. */
export interface NetworkSettings {
  dns: HostEndpoint;
  /** The proxy's transparent listener (used only for proxied policies). */
  proxy?: HostEndpoint;
  trustedRanges?: readonly string[];
  masquerade?: boolean;
}

/** Identifies the rules a policy needs, so pooled rules can be reused exactly when they match. */
export function firewallKey(policy: SecurityPolicy, proxied: boolean): string {
  const { allow_out, deny_out } = policy.json.network;
  return JSON.stringify([allow_out, deny_out, proxied]);
}

/**
 * Install the sandbox's rules, then let its interface forward (never the other way round).
 * @example await secureNetwork(firewall, net, policy, proxied, settings);
 */
export async function secureNetwork(
  firewall: Firewall,
  net: PrebuiltNetwork,
  policy: SecurityPolicy,
  proxied: boolean,
  s: NetworkSettings,
): Promise<void> {
  const { names, addresses } = net;
  const { allow_out, deny_out } = policy.json.network;
  await firewall.install({
    names,
    sandboxV4: addresses.sandboxV4,
    gatewayV4: addresses.gatewayV4,
    sandboxV6: addresses.sandboxV6,
    allow: allow_out.map((e) => parseNetworkEntry(e)),
    deny: deny_out.map((e) => parseNetworkEntry(e)),
    dns: s.dns,
    proxy: proxied ? s.proxy : undefined,
    trustedRanges: s.trustedRanges,
    masquerade: s.masquerade,
  });
  await enableForwarding(names, {
    loopbackServices: [s.dns.host, proxied ? s.proxy?.host : undefined].some((h) => h?.startsWith('127.')),
    ipv6: addresses.sandboxV6 !== undefined,
  });
  net.firewallKey = firewallKey(policy, proxied);
}
