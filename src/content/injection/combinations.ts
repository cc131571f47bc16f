/**
 * Derived signals: pairs of signals that mean more together than apart. Reading secrets is common in
 * code and so is sending HTTP requests, but code that does both near each other is exfiltration.
 *
 * @example
 * deriveCombinations([
 *   { id: 'code.sensitive_source', weight: 0.4, start: 10, end: 20 },
 *   { id: 'code.network_send', weight: 0.4, start: 60, end: 75 },
 * ]); // [{ id: 'code.exfiltration', weight: 0.3, start: 10, end: 75 }]
 */
import type { SignalHit } from './types.js';

/** A derived signal: fires where a hit of `first` and a hit of `second` lie within `within` characters. */
export interface Combination {
  id: string;
  weight: number;
  first: string;
  second: string;
  within: number;
}

/** The built-in combinations. */
export const COMBINATIONS: readonly Combination[] = [
  {
    id: 'code.exfiltration',
    weight: 0.3,
    first: 'code.sensitive_source',
    second: 'code.network_send',
    within: 800,
  },
  {
    id: 'exfil.image_with_data',
    weight: 0.5,
    first: 'exfil.markdown_image',
    second: 'exfil.url_template',
    within: 600,
  },
];

/**
 * Hits of the derived signals: one per cluster (a pairing within `within` of the previous one adds
 * nothing new). Linear after sorting.
 */
export function deriveCombinations(
  hits: readonly SignalHit[],
  combos: readonly Combination[] = COMBINATIONS,
): SignalHit[] {
  const out: SignalHit[] = [];
  for (const c of combos) {
    const a = hits.filter((h) => h.id === c.first).sort((x, y) => x.start - y.start);
    const b = hits.filter((h) => h.id === c.second).sort((x, y) => x.start - y.start);
    if (a.length === 0 || b.length === 0) continue;
    let j = 0;
    let lastAt = -Infinity;
    for (const h of a) {
      if (h.start - lastAt <= c.within) continue;
      // Advance to the first `second` hit that can still be within range of h.
      while (j < b.length && b[j]!.start < h.start - c.within) j++;
      const near = b[j];
      if (near && Math.abs(near.start - h.start) <= c.within) {
        out.push({
          id: c.id,
          weight: c.weight,
          start: Math.min(h.start, near.start),
          end: Math.max(h.end, near.end),
        });
        lastAt = h.start;
      }
    }
  }
  return out;
}
