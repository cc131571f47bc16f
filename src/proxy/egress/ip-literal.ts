import ipaddr from 'ipaddr.js';

/** An IP address in its one canonical spelling. */
export interface CanonicalIp {
  /** `127.0.0.1`, `2001:db8::1`. IPv4-mapped IPv6 is given as IPv4. */
  address: string;
  family: 4 | 6;
}

/**
 * If `host` is an IP literal in any encoding a client might use (decimal `2130706433`, hex
 * `0x7f000001`, octal `0177.0.0.1`, short `127.1`, bracketed `[::1]`, IPv4-mapped `::ffff:7f00:1`),
 * its canonical form; otherwise undefined (a name). Matching always uses the canonical form, so
 * `http://2130706433/` cannot slip past a rule about `127.0.0.1`.
 *
 * @example canonicalIpLiteral('0x7f.1') // { address: '127.0.0.1', family: 4 }
 */
export function canonicalIpLiteral(host: string): CanonicalIp | undefined {
  let text = host.trim();
  if (text.startsWith('[') && text.endsWith(']')) text = text.slice(1, -1);
  if (text.endsWith('.') && !text.includes(':')) text = text.slice(0, -1);
  // A zone id (fe80::1%eth0) names an interface of the host: never a valid remote destination.
  if (text.includes('%')) return { address: text.slice(0, text.indexOf('%')), family: 6 };
  if (!ipaddr.isValid(text)) return undefined;
  // ipaddr accepts a bare number as IPv4; names like "1e100" never reach here because isValid is false.
  let addr = ipaddr.parse(text);
  if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress()) {
    addr = (addr as ipaddr.IPv6).toIPv4Address();
  }
  return { address: addr.toString(), family: addr.kind() === 'ipv4' ? 4 : 6 };
}
