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
 * Returns one finding list per segment, offsets relative to that segment.
 *
 * @example
 * scanSegments(['name', 'call 555-867-5309'], scanner, new Set(['phone_number']));
 * // [[], [{ type: 'phone_number', start: 5, end: 17, ... }]]
 */
export function scanSegments(
  segments: readonly string[],
  scanner: PiiScanner,
  types: ReadonlySet<PiiType>,
): PiiFinding[][] {
  const out: PiiFinding[][] = segments.map(() => []);
  if (segments.length === 0) return out;
  if (segments.length === 1) {
    out[0] = scanner.scan(segments[0]!, types);
    return out;
  }
  const starts = new Array<number>(segments.length);
  let offset = 0;
  for (let i = 0; i < segments.length; i++) {
    starts[i] = offset;
    offset += segments[i]!.length + SEPARATOR.length;
  }
  const findings = scanner.scan(segments.join(SEPARATOR), types);
  const rescan = new Set<number>();
  let seg = 0;
  for (const f of findings) {
    // Findings come sorted by start, so the segment index only moves forward.
    while (seg + 1 < segments.length && starts[seg + 1]! <= f.start) seg++;
    const segStart = starts[seg]!;
    const segEnd = segStart + segments[seg]!.length;
    if (f.start >= segStart && f.end <= segEnd) {
      out[seg]!.push({ ...f, start: f.start - segStart, end: f.end - segStart });
      continue;
    }
    // Straddles a separator: rescan every segment it touches.
    let last = seg;
    while (last + 1 < segments.length && starts[last + 1]! < f.end) last++;
    for (let k = seg; k <= last; k++) rescan.add(k);
  }
  for (const k of rescan) out[k] = scanner.scan(segments[k]!, types);
  return out;
}
