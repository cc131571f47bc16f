/** A half-open range of UTF-16 offsets. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

/**
 * Keeps the best of overlapping candidates: candidates are taken in `better` order and each one is kept
 * only if it overlaps nothing kept so far. Runs in O(n log n) plus the cost of array inserts, so a body
 * with hundreds of thousands of candidates stays fast. The result is sorted by start.
 *
 * @example
 * keepNonOverlapping([{ start: 0, end: 4 }, { start: 2, end: 9 }], (a, b) => (b.end - b.start) - (a.end - a.start));
 * // [{ start: 2, end: 9 }]
 */
export function keepNonOverlapping<T extends Span>(
  candidates: readonly T[],
  better: (a: T, b: T) => number,
): T[] {
  const ordered = [...candidates].sort(better);
  const kept: T[] = [];
  for (const c of ordered) {
    if (c.end <= c.start) continue;
    // First kept span starting at or after c.start; kept spans never overlap, so only it and its
    // predecessor can overlap c.
    let lo = 0;
    let hi = kept.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((kept[mid] as T).start < c.start) lo = mid + 1;
      else hi = mid;
    }
    const prev = kept[lo - 1];
    const next = kept[lo];
    if (prev && prev.end > c.start) continue;
    if (next && next.start < c.end) continue;
    kept.splice(lo, 0, c);
  }
  return kept;
}

/** Longer first, then earlier: the usual tie-break among candidates of equal standing. */
export function longerFirst(a: Span, b: Span): number {
  return b.end - b.start - (a.end - a.start) || a.start - b.start;
}
