/**
 * Header handling between the sandboxed client and the upstream server: which headers belong to one
 * hop and must not be forwarded (RFC 9110 §7.6.1), and the list form the proxy works on.
 */
import type { HeaderPair } from '../../content/transform/types.js';

/** Connection-specific headers, never forwarded in either direction. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/**
 * The end-to-end headers of a message, as `[name, value]` pairs in wire order, from Node's flat
 * `rawHeaders`. Drops hop-by-hop headers and every header the `Connection` header names.
 *
 * @example
 * endToEndHeaders(['Host', 'a', 'Connection', 'close, X-Hop', 'X-Hop', '1', 'Accept', '*']);
 * // [['Host', 'a'], ['Accept', '*']]
 */
export function endToEndHeaders(rawHeaders: readonly string[]): HeaderPair[] {
  const named = new Set<string>();
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (rawHeaders[i]!.toLowerCase() === 'connection') {
      for (const token of rawHeaders[i + 1]!.split(',')) named.add(token.trim().toLowerCase());
    }
  }
  const out: HeaderPair[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || named.has(lower)) continue;
    out.push([name, rawHeaders[i + 1]!]);
  }
  return out;
}

/**
 * The first value of header `name` (case-insensitive), if present.
 *
 * @example
 * headerValue([['Content-Type', 'text/plain']], 'content-type'); // 'text/plain'
 */
export function headerValue(headers: readonly HeaderPair[], name: string): string | undefined {
  const lower = name.toLowerCase();
  return headers.find(([n]) => n.toLowerCase() === lower)?.[1];
}

/**
 * `headers` without any header named in `names` (case-insensitive).
 *
 * @example
 * withoutHeaders([['Content-Encoding', 'gzip'], ['X', '1']], 'content-encoding'); // [['X', '1']]
 */
export function withoutHeaders(headers: readonly HeaderPair[], ...names: string[]): HeaderPair[] {
  const drop = new Set(names.map((n) => n.toLowerCase()));
  return headers.filter(([n]) => !drop.has(n.toLowerCase()));
}

/**
 * `headers` with `name` set to `value`: replaces the first occurrence and drops the others, or appends.
 *
 * @example
 * withHeader([['content-length', '3']], 'Content-Length', '9'); // [['content-length', '9']]
 */
export function withHeader(headers: readonly HeaderPair[], name: string, value: string): HeaderPair[] {
  const lower = name.toLowerCase();
  let done = false;
  const out: HeaderPair[] = [];
  for (const [n, v] of headers) {
    if (n.toLowerCase() !== lower) out.push([n, v]);
    else if (!done) {
      out.push([n, value]);
      done = true;
    }
  }
  if (!done) out.push([name, value]);
  return out;
}

/**
 * The flat `[name, value, name, value]` form Node's `writeHead` and `http.request` accept.
 *
 * @example
 * flatHeaders([['Host', 'a'], ['X', '1']]); // ['Host', 'a', 'X', '1']
 */
export function flatHeaders(headers: readonly HeaderPair[]): string[] {
  const out: string[] = [];
  for (const [n, v] of headers) out.push(n, v);
  return out;
}

/** Content codings the proxy can decode for scanning, in the order it prefers them. */
export const DECODABLE_CODINGS = ['gzip', 'deflate', 'br'] as const;

/**
 * The client's `Accept-Encoding` limited to codings the proxy can decode (gzip, x-gzip, deflate, br),
 * keeping their q-values; `identity` when none is left. Sent upstream when responses must be scanned,
 * so a server never answers in a coding (zstd, ...) the proxy would have to refuse.
 *
 * @example
 * limitAcceptEncoding('zstd, br;q=0.9, gzip'); // 'br;q=0.9, gzip'
 * limitAcceptEncoding(undefined);              // 'identity'
 */
export function limitAcceptEncoding(value: string | undefined): string {
  if (value === undefined) return 'identity';
  const kept = value
    .split(',')
    .map((part) => part.trim())
    .filter((part) => {
      const coding = part.split(';')[0]!.trim().toLowerCase();
      return coding === 'gzip' || coding === 'x-gzip' || coding === 'deflate' || coding === 'br';
    });
  return kept.length === 0 ? 'identity' : kept.join(', ');
}

/**
 * The host of a `Host` header or authority, lower case, without port, brackets or trailing dot; and
 * the port when one was given.
 *
 * @example
 * splitHostPort('API.openai.com:443'); // { host: 'api.openai.com', port: 443 }
 * splitHostPort('[::1]:8080');         // { host: '::1', port: 8080 }
 */
export function splitHostPort(authority: string): { host: string; port?: number } | undefined {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s/@]+))(?::(\d{1,5}))?$/.exec(authority.trim());
  if (!m) return undefined;
  const host = (m[1] ?? m[2]!).toLowerCase().replace(/\.$/, '');
  if (host === '') return undefined;
  if (m[3] === undefined) return { host };
  const port = Number(m[3]);
  if (port < 1 || port > 65535) return undefined;
  return { host, port };
}
