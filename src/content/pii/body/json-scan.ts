import type { PiiType } from '../../../policy/pii-types.js';
import type { PiiFinding, PiiScanner } from '../types.js';
import { LiteralKind, type JsonLiterals } from './json-lexer.js';
import type { SegmentFindings } from './segment-scan.js';

/** Only the part of a data URL before its base64 payload is text worth scanning. */
const DATA_URL = /data:[^,]{0,200};base64,/.source;

/**
 * Scans the literals of a JSON text with one scanner call over the text as written: detectors see
 * `"password": "…"` with its quotes and operator, as in the raw body, and no copy of the text is made
 * unless a string has escapes (it is scanned decoded: `\u0040` is an `@`) or holds a data URL (only
 * its header is scanned). A finding that does not lie within one literal's content is dropped and the
 * literals it touches are rescanned on their own, so punctuation between literals can neither hide
 * nor invent PII.
 *
 * Returns the literals that hold findings, in order, with offsets relative to the literal's content
 * (a string's text between its quotes, decoded; a number as written); undefined when a string's
 * escapes are invalid (the text is not JSON).
 *
 * @example
 * const text = '{"password": "hunter2-Zq8vX3mK9pL"}';
 * scanJsonLiterals(text, lexJson(text)!, scanner, new Set(['api_key']));
 * // [{ index: 1, findings: [{ type: 'api_key', start: 0, end: 19, detector: 'api_key:generic-api-key', ... }] }]
 */
export function scanJsonLiterals(
  text: string,
  literals: JsonLiterals,
  scanner: PiiScanner,
  types: ReadonlySet<PiiType>,
): SegmentFindings[] | undefined {
  const { starts, ends, kinds } = literals;
  const count = starts.length;
  if (count === 0) return [];
  // Content offsets of each literal in the scanned text, and the content of substituted ones.
  const from = new Array<number>(count);
  const to = new Array<number>(count);
  const substituted = new Map<number, string>();
  const dataUrl = new RegExp(DATA_URL, 'y');
  const pieces: string[] = [];
  let copyFrom = 0; // raw offset where the pending verbatim stretch begins
  let shift = 0; // scanned offset minus raw offset, after the substitutions so far
  for (let i = 0; i < count; i++) {
    const kind = kinds[i]!;
    const rawFrom = kind === LiteralKind.Number ? starts[i]! : starts[i]! + 1;
    const rawTo = kind === LiteralKind.Number ? ends[i]! : ends[i]! - 1;
    let content: string | undefined;
    if (kind === LiteralKind.EscapedString) {
      content = decodeJsonString(text.slice(starts[i], ends[i]));
      if (content === undefined) return undefined;
      const header = content.length > 64 ? dataUrlHeader(dataUrl, content, 0) : undefined;
      if (header !== undefined) content = content.slice(0, header);
    } else if (kind === LiteralKind.String && rawTo - rawFrom > 64) {
      const header = dataUrlHeader(dataUrl, text, rawFrom);
      if (header !== undefined) content = text.slice(rawFrom, header);
    }
    if (content === undefined) {
      from[i] = rawFrom + shift;
      to[i] = rawTo + shift;
      continue;
    }
    pieces.push(text.slice(copyFrom, rawFrom), content);
    from[i] = rawFrom + shift;
    to[i] = from[i]! + content.length;
    shift += content.length - (rawTo - rawFrom);
    copyFrom = rawTo;
    substituted.set(i, content);
  }
  let scanned = text;
  if (pieces.length > 0) {
    pieces.push(text.slice(copyFrom));
    scanned = pieces.join('');
  }
  const contentOf = (i: number): string =>
    substituted.get(i) ??
    (kinds[i] === LiteralKind.Number
      ? text.slice(starts[i], ends[i])
      : text.slice(starts[i]! + 1, ends[i]! - 1));

  const found = new Map<number, PiiFinding[]>();
  const rescan = new Set<number>();
  let lit = 0;
  for (const f of scanner.scan(scanned, types)) {
    // Findings come sorted by start, so the literal index only moves forward.
    while (lit < count && to[lit]! <= f.start) lit++;
    if (lit < count && from[lit]! <= f.start && f.end <= to[lit]!) {
      const relative = { ...f, start: f.start - from[lit]!, end: f.end - from[lit]! };
      const list = found.get(lit);
      if (list === undefined) found.set(lit, [relative]);
      else list.push(relative);
      continue;
    }
    // Outside or across literals: rescan every literal it touches (none: it was all punctuation).
    for (let k = lit; k < count && from[k]! < f.end; k++) rescan.add(k);
  }
  for (const k of rescan) {
    const findings = scanner.scan(contentOf(k), types);
    if (findings.length > 0) found.set(k, findings);
    else found.delete(k);
  }
  const out = [...found].map(([index, findings]) => ({ index, findings }));
  if (rescan.size > 0) out.sort((a, b) => a.index - b.index);
  return out;
}

/** End of the data URL header (`data:image/png;base64,`) starting at `at`, or undefined. */
function dataUrlHeader(dataUrl: RegExp, s: string, at: number): number | undefined {
  dataUrl.lastIndex = at;
  return dataUrl.test(s) ? dataUrl.lastIndex : undefined;
}

/** Decodes one JSON string literal (quotes included); undefined if its escapes are invalid. */
export function decodeJsonString(literal: string): string | undefined {
  try {
    const value: unknown = JSON.parse(literal);
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}
