/**
 * Offline and lab worlds: a fake internet on private addresses (declaw demo's network namespace, a
 * test's loopback servers, an air-gapped lab). The proxy normally refuses every private, loopback and
 * link-local destination (SSRF); a lab network names the few ranges it may reach anyway.
 *
 * This is a constructor option of the proxy and nothing else: no policy field, environment variable or
 * CLI flag reaches it, so a policy file cannot open private ranges by accident. Ranges wider than /8
 * (IPv4) or /32 (IPv6) are refused, so it cannot switch the protection off wholesale either.
 */
import { InvalidArgumentError } from '../../errors.js';
import { NetworkEntryError, parseNetworkEntry } from '../../policy/network-entry.js';

/** The `labNetwork` option of the proxy. */
export interface LabNetwork {
  /**
   * Private ranges (IP addresses or CIDRs, e.g. `127.0.0.0/8`, `10.77.0.0/24`) reachable as if they
   * were public internet. At most /8 wide for IPv4, /32 for IPv6.
   */
  reachablePrivateRanges: readonly string[];
}

const WIDEST = { 4: 8, 6: 32 } as const;

/**
 * The validated ranges of a lab network (none when `lab` is undefined).
 *
 * @throws {InvalidArgumentError} for an entry that is not an IP or CIDR, or a range too wide.
 * @example
 * labRanges({ reachablePrivateRanges: ['127.0.0.0/8'] }); // ['127.0.0.0/8']
 * labRanges({ reachablePrivateRanges: ['0.0.0.0/0'] });   // throws: wider than /8
 */
export function labRanges(lab: LabNetwork | undefined): string[] {
  if (lab === undefined) return [];
  const where = 'labNetwork.reachablePrivateRanges';
  if (!Array.isArray(lab.reachablePrivateRanges)) {
    throw new InvalidArgumentError(where, 'must be a list of IP addresses or CIDRs');
  }
  return lab.reachablePrivateRanges.map((raw, i) => {
    let entry;
    try {
      entry = parseNetworkEntry(String(raw));
    } catch (err) {
      if (!(err instanceof NetworkEntryError)) throw err;
      throw new InvalidArgumentError(`${where}[${i}]`, `${err.message}${err.hint ? `; ${err.hint}` : ''}`);
    }
    if (entry.kind === 'ip') return entry.text;
    if (entry.kind === 'cidr' && entry.prefix >= WIDEST[entry.family]) return entry.text;
    if (entry.kind === 'cidr' || entry.kind === 'all') {
      throw new InvalidArgumentError(
        `${where}[${i}]`,
        `"${raw}" is wider than /${entry.kind === 'cidr' ? WIDEST[entry.family] : 8}; name the lab's own subnet (e.g. 10.77.0.0/24), not whole address families`,
      );
    }
    throw new InvalidArgumentError(`${where}[${i}]`, `"${raw}" is not an IP address or CIDR`);
  });
}
