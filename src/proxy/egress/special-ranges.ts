import ipaddr from 'ipaddr.js';

/**
 * Why an address is not an ordinary public destination, or undefined when it is one. Loopback,
 * private (RFC 1918), carrier-grade NAT, link-local (cloud metadata at 169.254.169.254 lives here),
 * unique-local IPv6 (fd00:ec2::254, AWS's IPv6 metadata), multicast, reserved, and the IPv6 transition
 * ranges that embed IPv4 (NAT64, 6to4, Teredo) are all special: an agent reaching them is the SSRF the
 * proxy exists to stop.
 */
export function specialRange(address: string): string | undefined {
  if (!ipaddr.isValid(address)) return 'not an IP address';
  const addr = ipaddr.parse(address);
  const range = addr.range();
  return range === 'unicast' ? undefined : range;
}
