import { BlockList } from 'node:net';
import { domainToASCII } from 'node:url';
import ipaddr from 'ipaddr.js';
import { getPublicSuffix } from 'tldts';
import { compileUserRegex, UserRegexSyntaxError } from './user-regex.js';

/** Every IPv4 address: the seeds' `ALL_TRAFFIC`. Its IPv6 twin `::/0` is implied by it. */
export const ALL_TRAFFIC = '0.0.0.0/0';
/** Every IPv6 address. */
export const ALL_TRAFFIC_V6 = '::/0';

/** A parsed entry of `allow_out`/`deny_out` (and of the `domains` lists, which hold only host patterns). */
export type NetworkEntry =
  | { kind: 'all'; text: string }
  | { kind: 'ip'; text: string; family: 4 | 6 }
  | { kind: 'cidr'; text: string; family: 4 | 6; prefix: number }
  | { kind: 'domain'; text: string }
  | { kind: 'wildcard'; text: string; suffix: string }
  | { kind: 'regex'; text: string; source: string };

/** Why an entry was refused, with the fix. */
export class NetworkEntryError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'NetworkEntryError';
  }
}

const LABEL = /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/;

/**
 * Normalise a host name the way matching does: lower case, no trailing dot, IDNs as punycode.
 * Returns undefined when it is not a valid DNS name.
 */
export function normalizeHostname(raw: string): string | undefined {
  let name = raw.trim();
  if (name.endsWith('.')) name = name.slice(0, -1);
  if (name.length === 0 || name.length > 253) return undefined;
  const ascii = /^[\x21-\x7e]*$/.test(name) ? name.toLowerCase() : domainToASCII(name);
  if (!ascii) return undefined;
  const labels = ascii.split('.');
  return labels.every((l) => LABEL.test(l)) ? ascii : undefined;
}

function looksLikeIp(text: string): boolean {
  return /^[0-9a-fx.]+$/i.test(text) && /^(0x|\d)/i.test(text) && !/[g-wyz]/i.test(text);
}

function parseIpOrCidr(text: string): NetworkEntry | undefined {
  const slash = text.indexOf('/');
  const addrPart = slash === -1 ? text : text.slice(0, slash);
  const isV6 = addrPart.includes(':');
  if (!isV6 && !looksLikeIp(addrPart)) return undefined;
  if (!isV6 && !ipaddr.IPv4.isValidFourPartDecimal(addrPart)) {
    if (ipaddr.isValid(addrPart)) {
      const canonical = ipaddr.parse(addrPart).toString();
      throw new NetworkEntryError(
        `"${addrPart}" is an IPv4 address in a non-standard encoding`,
        `write it as ${canonical}${slash === -1 ? '' : text.slice(slash)}`,
      );
    }
    if (/^[\d.]+$/.test(addrPart)) {
      throw new NetworkEntryError(
        `"${addrPart}" is not a valid IPv4 address`,
        'use four numbers 0-255, e.g. 10.0.0.1',
      );
    }
    return undefined;
  }
  if (isV6 && !ipaddr.IPv6.isValid(addrPart)) {
    throw new NetworkEntryError(`"${addrPart}" is not a valid IPv6 address`, 'e.g. 2001:db8::1');
  }
  let addr = ipaddr.parse(addrPart);
  // An IPv4-mapped IPv6 address is the IPv4 address: match it as one.
  if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress() && slash === -1) {
    addr = (addr as ipaddr.IPv6).toIPv4Address();
  }
  const family = addr.kind() === 'ipv4' ? 4 : 6;
  if (slash === -1) return { kind: 'ip', text: addr.toString(), family };
  const prefixText = text.slice(slash + 1);
  const max = family === 4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > max) {
    throw new NetworkEntryError(`"${text}" has an invalid prefix length`, `use /0 to /${max}`);
  }
  const prefix = Number(prefixText);
  const network = ipaddr.parse(
    family === 4
      ? ipaddr.IPv4.networkAddressFromCIDR(`${addr.toString()}/${prefix}`).toString()
      : ipaddr.IPv6.networkAddressFromCIDR(`${addr.toString()}/${prefix}`).toString(),
  );
  const canonical = `${network.toString()}/${prefix}`;
  if (network.toString() !== addr.toString()) {
    throw new NetworkEntryError(
      `"${text}" has bits set beyond its /${prefix} prefix`,
      `did you mean ${canonical}?`,
    );
  }
  if (prefix === 0) return { kind: 'all', text: canonical };
  return { kind: 'cidr', text: canonical, family, prefix };
}

/**
 * Parse and normalise one network entry: an IPv4/IPv6 address or CIDR, `ALL_TRAFFIC`, a domain, a
 * `*.example.com` wildcard (subdomains, not the apex), or a `~regex` matched against the whole
 * lower-case host name with RE2.
 *
 * @param options.allowIps false for lists that hold only host patterns (`pii.domains`, ...).
 * @throws {NetworkEntryError} with a hint that says how to write the entry.
 * @example
 * parseNetworkEntry('*.OpenAI.com.') // { kind: 'wildcard', text: '*.openai.com', suffix: 'openai.com' }
 */
export function parseNetworkEntry(raw: string, options: { allowIps?: boolean } = {}): NetworkEntry {
  const allowIps = options.allowIps ?? true;
  const text = raw.trim();
  if (text.length === 0) throw new NetworkEntryError('entry is empty', 'write a domain, IP address or CIDR');
  if (text.startsWith('~')) {
    const source = text.slice(1);
    try {
      compileUserRegex(source);
    } catch (err) {
      if (err instanceof UserRegexSyntaxError) throw new NetworkEntryError(err.message, err.hint);
      throw err;
    }
    return { kind: 'regex', text, source };
  }
  const ipEntry = parseIpOrCidr(text);
  if (ipEntry) {
    if (!allowIps) {
      throw new NetworkEntryError(
        `"${text}" is an IP address or CIDR`,
        'this list holds host names and patterns only',
      );
    }
    return ipEntry;
  }
  if (text.includes('*')) {
    if (text === '*' || text === '*.*') {
      throw new NetworkEntryError(
        `"${text}" matches every host`,
        `use ${ALL_TRAFFIC} (ALL_TRAFFIC) to mean all traffic`,
      );
    }
    if (!text.startsWith('*.') || text.slice(2).includes('*')) {
      throw new NetworkEntryError(
        `"${text}" puts a wildcard inside a label`,
        'a wildcard may only be the whole leftmost label, as in *.example.com; use ~regex for anything else',
      );
    }
    const suffix = normalizeHostname(text.slice(2));
    if (!suffix)
      throw new NetworkEntryError(`"${text}" is not a valid wildcard domain`, 'e.g. *.example.com');
    if (getPublicSuffix(suffix) === suffix) {
      throw new NetworkEntryError(
        `"${text}" is over-broad: ${suffix} is a public suffix shared by unrelated owners`,
        `name the registrable domain, e.g. *.example.${suffix}`,
      );
    }
    return { kind: 'wildcard', text: `*.${suffix}`, suffix };
  }
  const host = normalizeHostname(text);
  if (!host) {
    throw new NetworkEntryError(
      `"${text}" is not a valid domain, IP address or CIDR`,
      'use a host name (api.openai.com), a wildcard (*.openai.com), an IP (10.0.0.1), a CIDR (10.0.0.0/8) or ~regex',
    );
  }
  return { kind: 'domain', text: host };
}

/** A BlockList holding the IP and CIDR entries of a list, for kernel-rule generation and checks. */
export function toBlockList(entries: readonly NetworkEntry[]): BlockList {
  const list = new BlockList();
  for (const e of entries) {
    if (e.kind === 'all') {
      list.addSubnet('0.0.0.0', 0, 'ipv4');
      list.addSubnet('::', 0, 'ipv6');
    } else if (e.kind === 'ip') list.addAddress(e.text, e.family === 4 ? 'ipv4' : 'ipv6');
    else if (e.kind === 'cidr') {
      const [addr] = e.text.split('/');
      list.addSubnet(addr as string, e.prefix, e.family === 4 ? 'ipv4' : 'ipv6');
    }
  }
  return list;
}
