import { lookup } from 'node:dns/promises';
import { canonicalIpLiteral, type CanonicalIp } from './ip-literal.js';

/** Resolves a host name to addresses. The proxy vets every address and dials only vetted ones. */
export interface Resolver {
  resolve(host: string): Promise<CanonicalIp[]>;
}

/**
 * The system resolver (getaddrinfo), so /etc/hosts applies, as for any program on the host.
 * @example await systemResolver().resolve('localhost') // [{ address: '127.0.0.1', family: 4 }, ...]
 */
export function systemResolver(): Resolver {
  return {
    async resolve(host) {
      const found = await lookup(host, { all: true, verbatim: true });
      return found.flatMap((a) => canonicalIpLiteral(a.address) ?? []);
    },
  };
}

/**
 * A fixed name → addresses map, for tests: points real names (api.openai.com) at test hosts. Names not
 * in the map do not resolve (ENOTFOUND), so a test can never reach the real internet by accident.
 */
export function mapResolver(map: Readonly<Record<string, string | readonly string[]>>): Resolver {
  const table = new Map(
    Object.entries(map).map(([name, addrs]) => [
      name.toLowerCase().replace(/\.$/, ''),
      (typeof addrs === 'string' ? [addrs] : addrs).map((a) => {
        const ip = canonicalIpLiteral(a);
        if (!ip) throw new Error(`mapResolver: "${a}" for ${name} is not an IP address`);
        return ip;
      }),
    ]),
  );
  return {
    async resolve(host) {
      const hit = table.get(host.toLowerCase().replace(/\.$/, ''));
      if (!hit) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
      return hit.map((a) => ({ ...a }));
    },
  };
}
