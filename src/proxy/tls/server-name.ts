/**
 * One normal form for the names a TLS client asks for, shared by the ClientHello parser and the leaf
 * cache so that egress decisions and certificates always talk about the same string.
 */
import { isIP } from 'node:net';

const HOST_CHARS = /^[a-z0-9._-]+$/;

/**
 * Lower-cases `raw`, drops one trailing dot, and returns it when it is a plausible DNS name (labels of
 * 1-63 characters from letters, digits, `-` and `_`, at most 253 in total); otherwise `undefined`.
 * Underscores are tolerated because real hosts use them, even though RFC 952 does not.
 *
 * @example
 * normaliseDnsName('API.OpenAI.com.'); // 'api.openai.com'
 * normaliseDnsName('bad..name');       // undefined
 */
export function normaliseDnsName(raw: string): string | undefined {
  let name = raw.toLowerCase();
  if (name.endsWith('.')) name = name.slice(0, -1);
  if (name.length === 0 || name.length > 253 || !HOST_CHARS.test(name)) return undefined;
  for (const label of name.split('.')) {
    if (label.length === 0 || label.length > 63) return undefined;
  }
  return name;
}

/**
 * Like {@link normaliseDnsName}, but also accepts an IPv4 or IPv6 literal (brackets removed), returned in
 * the form Node prints it, so one address gets one certificate.
 *
 * @example
 * normaliseServerName('[::1]');     // '::1'
 * normaliseServerName('127.0.0.1'); // '127.0.0.1'
 */
export function normaliseServerName(raw: string): string | undefined {
  const unbracketed = raw.startsWith('[') && raw.endsWith(']') ? raw.slice(1, -1) : raw;
  if (isIP(unbracketed) !== 0) return canonicalIp(unbracketed);
  return normaliseDnsName(raw);
}

/** True for an IPv4 or IPv6 literal. */
export function isIpLiteral(name: string): boolean {
  return isIP(name) !== 0;
}

function canonicalIp(ip: string): string {
  if (isIP(ip) === 4) return ip;
  // URL's host parser prints IPv6 in the RFC 5952 compressed form.
  return new URL(`http://[${ip}]/`).hostname.slice(1, -1);
}
