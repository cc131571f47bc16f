import { isUtf8 } from 'node:buffer';
import { tallyFindings } from '../redact-text.js';
import type { FormatScanOptions } from './json.js';
import { scanSegments } from './segment-scan.js';

/**
 * A form field name or value, decoded (`+` is a space, `%XX` are UTF-8 bytes), with where each decoded
 * character came from in the raw text, so a finding can be replaced in the raw bytes and everything
 * around it stays encoded exactly as the client wrote it.
 */
interface DecodedComponent {
  /** Offset of the component in the whole body. */
  rawStart: number;
  rawEnd: number;
  decoded: string;
  /** `map[k]` = body offset where decoded character `k` starts; `map[decoded.length]` = `rawEnd`. Absent when decoding changed nothing. */
  map?: Int32Array;
}

/**
 * Redacts an `application/x-www-form-urlencoded` body: names and values are decoded before scanning
 * (so `john%40example.com` is found) and each finding is replaced in the raw text by its token,
 * percent-encoded (`%5BEMAIL_0a1b2c%5D`); the rest of the body is untouched.
 *
 * @example
 * redactForm('email=john%40example.com&x=1', { scanner, types, session, tally });
 * // 'email=%5BEMAIL_0a1b2c%5D&x=1'
 */
export function redactForm(text: string, options: FormatScanOptions): string {
  const components: DecodedComponent[] = [];
  let at = 0;
  while (at <= text.length) {
    let amp = text.indexOf('&', at);
    if (amp < 0) amp = text.length;
    const eq = text.indexOf('=', at);
    if (eq >= 0 && eq < amp) {
      components.push(decodeComponent(text, at, eq), decodeComponent(text, eq + 1, amp));
    } else if (amp > at) {
      components.push(decodeComponent(text, at, amp));
    }
    at = amp + 1;
  }
  const perComponent = scanSegments(
    components.map((c) => c.decoded),
    options.scanner,
    options.types,
  );
  for (const { findings } of perComponent) tallyFindings(findings, options.tally);
  const session = options.session;
  if (session === undefined || perComponent.length === 0) return text;

  const parts: string[] = [];
  let done = 0;
  for (const { index, findings } of perComponent) {
    const c = components[index]!;
    let last = -1;
    for (const f of findings) {
      if (f.start < last || f.end <= f.start || f.end > c.decoded.length) continue;
      const rawStart = c.map === undefined ? c.rawStart + f.start : c.map[f.start]!;
      const rawEnd = c.map === undefined ? c.rawStart + f.end : c.map[f.end]!;
      const token = session.tokenFor(f.type, c.decoded.slice(f.start, f.end));
      parts.push(text.slice(done, rawStart), `%5B${token.slice(1, -1)}%5D`);
      done = rawEnd;
      last = f.end;
    }
  }
  if (parts.length === 0) return text;
  parts.push(text.slice(done));
  return parts.join('');
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/** True when a complete `%XX` escape starts at `i` (a `%` not followed by two hex digits is literal). */
function isEscapeAt(text: string, i: number, end: number): boolean {
  return i + 2 < end && isHex(text.charCodeAt(i + 1)) && isHex(text.charCodeAt(i + 2));
}

function decodeComponent(text: string, start: number, end: number): DecodedComponent {
  const raw = text.slice(start, end);
  if (raw.indexOf('%') < 0 && raw.indexOf('+') < 0) return { rawStart: start, rawEnd: end, decoded: raw };
  const map: number[] = [];
  let decoded = '';
  let i = start;
  while (i < end) {
    const c = text.charCodeAt(i);
    if (c === 43) {
      map.push(i);
      decoded += ' ';
      i++;
      continue;
    }
    if (c !== 37 || !isEscapeAt(text, i, end)) {
      map.push(i);
      decoded += text[i];
      i++;
      continue;
    }
    // A run of %XX escapes: decode its bytes together so multi-byte UTF-8 characters survive.
    const bytes: number[] = [];
    const positions: number[] = [];
    while (text.charCodeAt(i) === 37 && isEscapeAt(text, i, end)) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      positions.push(i);
      i += 3;
    }
    decoded += decodeRun(bytes, positions, map);
  }
  map.push(end);
  return { rawStart: start, rawEnd: end, decoded, map: Int32Array.from(map) };
}

/** Decodes percent-escaped bytes as UTF-8 when valid, else one latin1 character per byte. */
function decodeRun(bytes: number[], positions: number[], map: number[]): string {
  const buf = Buffer.from(bytes);
  if (!isUtf8(buf)) {
    for (const p of positions) map.push(p);
    return buf.toString('latin1');
  }
  const text = buf.toString('utf8');
  let b = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    const width = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    map.push(positions[b]!);
    if (ch.length === 2) map.push(positions[b]!);
    b += width;
  }
  return text;
}
