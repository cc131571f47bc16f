import type { PiiType } from '../../../../../src/policy/pii-types.js';
import type { PiiFinding, PiiScanner } from '../../../../../src/content/pii/types.js';

/**
 * A tiny, predictable scanner for tests of redaction mechanics (not of detection): fixed patterns per
 * type, earliest match wins, no overlaps.
 */
const PATTERNS: ReadonlyArray<[PiiType, RegExp]> = [
  ['ssn', /\b\d{3}-\d{2}-\d{4}\b/g],
  ['credit_card', /\b4\d{15}\b/g],
  ['email', /[A-Za-z0-9._+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/g],
  ['phone_number', /\+1-\d{3}-\d{3}-\d{4}\b/g],
];

export function createTestScanner(): PiiScanner & { calls: number } {
  const scanner = {
    calls: 0,
    supportedTypes: new Set<PiiType>(PATTERNS.map(([t]) => t)),
    scan(text: string, types: ReadonlySet<PiiType>): PiiFinding[] {
      scanner.calls++;
      const all: PiiFinding[] = [];
      for (const [type, re] of PATTERNS) {
        if (!types.has(type)) continue;
        for (const m of text.matchAll(re)) {
          all.push({ type, start: m.index, end: m.index + m[0].length, detector: type, score: 1 });
        }
      }
      all.sort((a, b) => a.start - b.start || b.end - a.end);
      const out: PiiFinding[] = [];
      let end = -1;
      for (const f of all) {
        if (f.start < end) continue;
        out.push(f);
        end = f.end;
      }
      return out;
    },
  };
  return scanner;
}

export const ALL_TEST_TYPES: ReadonlySet<PiiType> = new Set<PiiType>([
  'ssn',
  'credit_card',
  'email',
  'phone_number',
]);

/**
 * A scanner reporting every match of `pattern` as a phone number, overlaps with structure included:
 * for tests of how a body format treats a finding that runs across its separators.
 */
export function createGreedyScanner(pattern: RegExp): PiiScanner {
  return {
    supportedTypes: new Set<PiiType>(['phone_number']),
    scan(text: string): PiiFinding[] {
      return [...text.matchAll(new RegExp(pattern.source, 'g'))].map((m) => ({
        type: 'phone_number' as const,
        start: m.index,
        end: m.index + m[0].length,
        detector: 'greedy',
        score: 1,
      }));
    },
  };
}
