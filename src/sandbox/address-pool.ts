/**
 * Sandbox addresses. Each sandbox gets a point-to-point block from the pool: a /30 for IPv4 (host
 * end .1, sandbox end .2) and a /126 for IPv6. The pool is checked against the host's own networks
 * when it is created, so a sandbox can never shadow an address the host already uses.
 */
import ipaddr from 'ipaddr.js';
import { InvalidArgumentError } from '../errors.js';
import { runHostTool } from './host-exec.js';

/** Default IPv4 pool: 16,384 sandboxes. */
export const DEFAULT_IPV4_POOL = '10.213.0.0/16';
/** Default IPv6 pool (unique local addresses). */
export const DEFAULT_IPV6_POOL = 'fd64:dec1:a000::/64';

/** The addresses of one sandbox. */
export interface SandboxAddresses {
  slot: number;
  /** Host end of the veth: the sandbox's gateway and DNS server. */
  gatewayV4: string;
  sandboxV4: string;
  prefixV4: number;
  gatewayV6?: string;
  sandboxV6?: string;
  prefixV6?: number;
}

interface Cidr {
  family: 4 | 6;
  base: bigint;
  bits: number;
}

function toBig(addr: ipaddr.IPv4 | ipaddr.IPv6): bigint {
  return addr.toByteArray().reduce((acc, b) => (acc << 8n) | BigInt(b), 0n);
}

function fromBig(value: bigint, family: 4 | 6): string {
  const len = family === 4 ? 4 : 16;
  const bytes: number[] = [];
  let v = value;
  for (let i = 0; i < len; i++) {
    bytes.unshift(Number(v & 0xffn));
    v >>= 8n;
  }
  return ipaddr.fromByteArray(bytes).toString();
}

function parseCidr(text: string, what: string): Cidr {
  let parsed: [ipaddr.IPv4 | ipaddr.IPv6, number];
  try {
    parsed = ipaddr.parseCIDR(text);
  } catch {
    throw new InvalidArgumentError(what, `"${text}" is not a CIDR such as 10.213.0.0/16`);
  }
  const [addr, prefix] = parsed;
  const family = addr.kind() === 'ipv4' ? 4 : 6;
  const bits = family === 4 ? 32 : 128;
  const mask = ((1n << BigInt(bits - prefix)) - 1n) ^ 0n;
  return { family, base: toBig(addr) & ~mask & ((1n << BigInt(bits)) - 1n), bits: prefix };
}

function overlaps(a: Cidr, b: Cidr): boolean {
  if (a.family !== b.family) return false;
  const total = a.family === 4 ? 32 : 128;
  const shorter = Math.min(a.bits, b.bits);
  const shift = BigInt(total - shorter);
  return a.base >> shift === b.base >> shift;
}

/** Options of {@link AddressPool.create}. */
export interface AddressPoolOptions {
  /** IPv4 CIDR to carve /30 blocks from; at most /29 ... /8. Default {@link DEFAULT_IPV4_POOL}. */
  ipv4?: string;
  /** IPv6 CIDR to carve /126 blocks from, or null for no IPv6 in sandboxes. Default {@link DEFAULT_IPV6_POOL}. */
  ipv6?: string | null;
  /** The host's networks (CIDRs); default: read from `ip addr` and `ip route`. */
  hostNetworks?: readonly string[];
}

/** The networks this host already uses: interface subnets and non-default routes, every table. */
export async function hostNetworks(): Promise<string[]> {
  const nets: string[] = [];
  const addrs = JSON.parse((await runHostTool('ip', ['-j', 'addr', 'show'])).stdout) as Array<{
    addr_info?: Array<{ local: string; prefixlen: number }>;
  }>;
  for (const link of addrs) {
    for (const a of link.addr_info ?? []) nets.push(`${a.local}/${a.prefixlen}`);
  }
  for (const family of ['-4', '-6']) {
    const routes = JSON.parse(
      (await runHostTool('ip', [family, '-j', 'route', 'show', 'table', 'all'])).stdout,
    ) as Array<{ dst?: string; type?: string }>;
    for (const r of routes) {
      if (!r.dst || r.dst === 'default') continue;
      if (r.type === 'multicast' || r.dst.startsWith('ff')) continue;
      nets.push(r.dst.includes('/') ? r.dst : `${r.dst}/${r.dst.includes(':') ? 128 : 32}`);
    }
  }
  return nets;
}

/**
 * Hands out per-sandbox address blocks and takes them back.
 * @example
 * const pool = await AddressPool.create({ ipv4: '10.213.0.0/16' });
 * const a = pool.allocate(); // { gatewayV4: '10.213.0.1', sandboxV4: '10.213.0.2', ... }
 * pool.release(a.slot);
 */
export class AddressPool {
  private readonly free: number[] = [];
  private next = 0;
  private readonly used = new Set<number>();

  private constructor(
    private readonly v4: Cidr,
    private readonly v6: Cidr | undefined,
    /** How many sandboxes the pool can hold at once. */
    readonly capacity: number,
  ) {}

  /**
   * Build a pool after checking it against the host's networks.
   * @throws {InvalidArgumentError} when the pool is malformed, too small, or overlaps a host network.
   */
  static async create(options: AddressPoolOptions = {}): Promise<AddressPool> {
    const v4 = parseCidr(options.ipv4 ?? DEFAULT_IPV4_POOL, 'ipv4Pool');
    if (v4.family !== 4 || v4.bits > 29 || v4.bits < 8) {
      throw new InvalidArgumentError('ipv4Pool', 'must be an IPv4 CIDR from /8 to /29, e.g. 10.213.0.0/16');
    }
    const v6Text = options.ipv6 === undefined ? DEFAULT_IPV6_POOL : options.ipv6;
    const v6 = v6Text === null ? undefined : parseCidr(v6Text, 'ipv6Pool');
    if (v6 && (v6.family !== 6 || v6.bits > 120)) {
      throw new InvalidArgumentError(
        'ipv6Pool',
        'must be an IPv6 CIDR of /120 or wider, e.g. fd64:dec1:a000::/64',
      );
    }
    const capacity = Math.min(2 ** (30 - v4.bits), v6 ? 2 ** Math.min(40, 126 - v6.bits) : Infinity);
    const host = options.hostNetworks ?? (await hostNetworks());
    for (const net of host) {
      let c: Cidr;
      try {
        c = parseCidr(net, 'hostNetworks');
      } catch {
        continue;
      }
      for (const [pool, text] of [
        [v4, options.ipv4 ?? DEFAULT_IPV4_POOL],
        [v6, v6Text],
      ] as const) {
        if (pool && overlaps(pool, c)) {
          throw new InvalidArgumentError(
            pool.family === 4 ? 'ipv4Pool' : 'ipv6Pool',
            `${text} overlaps ${net}, a network this host already uses; choose a free range`,
          );
        }
      }
    }
    return new AddressPool(v4, v6, capacity);
  }

  /** Addresses in use right now. */
  get size(): number {
    return this.used.size;
  }

  /** The block of `slot` (pure arithmetic; used to rebuild a sandbox's addresses). */
  addressesOf(slot: number): SandboxAddresses {
    const b4 = this.v4.base + BigInt(slot) * 4n;
    const out: SandboxAddresses = {
      slot,
      gatewayV4: fromBig(b4 + 1n, 4),
      sandboxV4: fromBig(b4 + 2n, 4),
      prefixV4: 30,
    };
    if (this.v6) {
      const b6 = this.v6.base + BigInt(slot) * 4n;
      out.gatewayV6 = fromBig(b6 + 1n, 6);
      out.sandboxV6 = fromBig(b6 + 2n, 6);
      out.prefixV6 = 126;
    }
    return out;
  }

  /** Take a free block. @throws {InvalidArgumentError} when every block is in use. */
  allocate(): SandboxAddresses {
    // Oldest first: a block freed a moment ago may still have conntrack entries of its last sandbox.
    let slot = this.free.shift();
    if (slot === undefined) {
      if (this.next >= this.capacity) {
        throw new InvalidArgumentError(
          'ipv4Pool',
          `all ${this.capacity} sandbox address blocks are in use; kill sandboxes or configure a larger pool`,
        );
      }
      slot = this.next++;
    }
    this.used.add(slot);
    return this.addressesOf(slot);
  }

  /** Give a block back. */
  release(slot: number): void {
    if (this.used.delete(slot)) this.free.push(slot);
  }
}
