import { isIPv4, isIPv6 } from 'node:net';
import type { PiiDetector, PiiFinding } from '../types.js';
import { isAsciiLetterCode, isDigitCode, isWordCode, windowBefore } from './text-scan.js';

const IPV4_SHAPE = /\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}/g;

// A dotted quad right after one of these words is a version number (`version 1.2.3.4`, `v 10.0.0.1`).
const VERSION_CONTEXT = /(?:\bversion|\bver\.?|\brelease|\bbuild|\bv)\s*[:=]?\s*$/;

function isHexCode(c: number): boolean {
  return isDigitCode(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/**
 * Detects IPv4 and IPv6 addresses, validated with `node:net` (so `256.1.1.1` and `01.2.3.4` are
 * rejected). Dotted numbers that are really something else are skipped: a fifth part (`1.2.3.4.5`),
 * a version prefix or suffix (`v1.2.3.4`, `version 1.2.3.4`, `1.2.3.4-beta`, `1.2.3.4+build`).
 * IPv6 candidates are found by expanding around each `:`, which keeps pathological input linear.
 *
 * @example
 * createIpAddressDetector().detect('from 192.168.1.1 and ::1');
 * // [{ type: 'ip_address', start: 5, end: 16, … }, { type: 'ip_address', start: 21, end: 24, … }]
 */
export function createIpAddressDetector(): PiiDetector {
  return {
    type: 'ip_address',
    detect(text: string): PiiFinding[] {
      const v4 = text.indexOf('.') === -1 ? [] : findIpv4(text);
      const v6 = text.indexOf(':') === -1 ? [] : findIpv6(text);
      if (v6.length === 0) return v4;
      if (v4.length === 0) return v6;
      // An IPv4-mapped IPv6 address (`::ffff:1.2.3.4`) contains a dotted quad: keep the whole address.
      const merged = v6.slice();
      for (const f of v4) if (!v6.some((g) => f.start < g.end && g.start < f.end)) merged.push(f);
      return merged.sort((a, b) => a.start - b.start);
    },
  };
}

function findIpv4(text: string): PiiFinding[] {
  const out: PiiFinding[] = [];
  const re = new RegExp(IPV4_SHAPE.source, 'g');
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    const start = m.index;
    const end = start + m[0].length;
    if (!standaloneDottedQuad(text, start, end)) {
      re.lastIndex = skipDotted(text, start);
      continue;
    }
    if (!isIPv4(m[0])) continue;
    if (VERSION_CONTEXT.test(windowBefore(text, start, 12))) continue;
    out.push({ type: 'ip_address', start, end, detector: 'ip_address', score: 1 });
  }
  return out;
}

/** Past the whole run of digits and dots, so `1.2.3.4.5` is not re-tried as `2.3.4.5`. */
function skipDotted(text: string, from: number): number {
  let i = from;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (!isDigitCode(c) && c !== 46) break;
    i++;
  }
  return Math.max(i, from + 1);
}

function standaloneDottedQuad(text: string, start: number, end: number): boolean {
  if (start > 0) {
    const b = text.charCodeAt(start - 1);
    if (isWordCode(b) || b === 46) return false;
    // `-1.2.3.4` after a word is a suffix like `release-1.2.3.4`.
    if (b === 45 && start > 1 && isWordCode(text.charCodeAt(start - 2))) return false;
  }
  if (end < text.length) {
    const a = text.charCodeAt(end);
    if (isWordCode(a)) return false;
    const next = end + 1 < text.length ? text.charCodeAt(end + 1) : 0;
    if (a === 46 && isDigitCode(next)) return false; // 1.2.3.4.5
    if ((a === 45 || a === 43) && (isAsciiLetterCode(next) || (a === 43 && isDigitCode(next)))) return false; // -beta, +build
  }
  return true;
}

function isIpv6RunCode(c: number): boolean {
  return isHexCode(c) || c === 58 || c === 46;
}

function findIpv6(text: string): PiiFinding[] {
  const out: PiiFinding[] = [];
  let colon = text.indexOf(':');
  while (colon !== -1) {
    let start = colon;
    while (start > 0 && isIpv6RunCode(text.charCodeAt(start - 1))) start--;
    let end = colon + 1;
    while (end < text.length && isIpv6RunCode(text.charCodeAt(end))) end++;
    const found = ipv6In(text, start, end);
    if (found)
      out.push({ type: 'ip_address', start: found.start, end: found.end, detector: 'ip_address', score: 1 });
    colon = text.indexOf(':', end);
  }
  return out;
}

function ipv6In(text: string, runStart: number, runEnd: number): { start: number; end: number } | undefined {
  if (runStart > 0 && isWordCode(text.charCodeAt(runStart - 1))) return undefined; // std::cout
  if (runEnd < text.length && isWordCode(text.charCodeAt(runEnd))) return undefined;
  const start = runStart;
  let end = runEnd;
  // Sentence punctuation glued on: `… 2001:db8::1.` or `(fe80::1):`.
  while (end > start && text.charCodeAt(end - 1) === 46) end--;
  while (end > start + 2 && text.charCodeAt(end - 1) === 58 && text.charCodeAt(end - 2) !== 58) end--;
  if (end - start > 45 || end - start < 3) return undefined;
  const candidate = text.slice(start, end);
  let colons = 0;
  let hexDigits = 0;
  for (let i = 0; i < candidate.length; i++) {
    const c = candidate.charCodeAt(i);
    if (c === 58) colons++;
    else if (isHexCode(c)) hexDigits++;
  }
  if (colons < 2 || hexDigits === 0) return undefined;
  // Fast path: without `::` an address has all eight groups (or six and a dotted quad), so times
  // (`12:30:45`) and MAC addresses are out before the full validation.
  if (!candidate.includes('::') && colons < 7 && !candidate.includes('.')) return undefined;
  if (!isIPv6(candidate)) return undefined;
  return { start, end };
}
