import type { PiiType } from '../../../policy/pii-types.js';
import type { PiiFinding, PiiScanner } from '../types.js';

/**
 * A character no detector lets a match run through (not a word character, not whitespace, not
 * punctuation a phone or card number uses), so joined segments cannot melt into one finding.
 */
const SEPARATOR = '\u0000';

/**
 * Scans many small strings (JSON string values, form fields) with one scanner call instead of one call
 * each: the segments are joined with a separator and the findings are mapped back. A finding that
 * still straddles a separator is dropped and the segments it touches are rescanned on their own, so a
 * detector that matches across the separator can neither hide nor invent PII.
 *
 * Returns the segments that hold findings, in segment order, with offsets relative to the segment
 * (most segments of a body hold none, so they cost nothing here).
 *
 * @example
 * scanSegments(['name', 'call 555-867-5309'], scanner, new Set(['phone_number']));
 * // [{ index: 1, findings: [{ type: 'phone_number', start: 5, end: 17, ... }] }]
 */
export function scanSegments(
  segments: readonly string[],
  scanner: PiiScanner,
  types: ReadonlySet<PiiType>,
): SegmentFindings[] {
  if (segments.length === 0) return [];
  if (segments.length === 1) {
    const findings = scanner.scan(segments[0]!, types);
    return findings.length === 0 ? [] : [{ index: 0, findings }];
  }
  const starts = new Array<number>(segments.length);
  let offset = 0;
  for (let i = 0; i < segments.length; i++) {
    starts[i] = offset;
    offset += segments[i]!.length + SEPARATOR.length;
  }
  const found = new Map<number, PiiFinding[]>();
  const rescan = new Set<number>();
  let seg = 0;
  for (const f of scanner.scan(segments.join(SEPARATOR), types)) {
    // Findings come sorted by start, so the segment index only moves forward.
    while (seg + 1 < segments.length && starts[seg + 1]! <= f.start) seg++;
    const segStart = starts[seg]!;
    if (f.start >= segStart && f.end <= segStart + segments[seg]!.length) {
      const relative = { ...f, start: f.start - segStart, end: f.end - segStart };
      const list = found.get(seg);
      if (list === undefined) found.set(seg, [relative]);
      else list.push(relative);
      continue;
    }
    // Straddles a separator: rescan every segment it touches.
    let last = seg;
    while (last + 1 < segments.length && starts[last + 1]! < f.end) last++;
    for (let k = seg; k <= last; k++) rescan.add(k);
  }
  for (const k of rescan) {
    const findings = scanner.scan(segments[k]!, types);
    if (findings.length > 0) found.set(k, findings);
    else found.delete(k);
  }
  const out = [...found].map(([index, findings]) => ({ index, findings }));
  if (rescan.size > 0) out.sort((a, b) => a.index - b.index);
  return out;
}

/** Findings of one segment, by the segment's index. */
export interface SegmentFindings {
  index: number;
  findings: PiiFinding[];
}
