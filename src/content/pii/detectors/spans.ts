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

/**
 * Merges groups of spans by priority: each group must be sorted by start and non-overlapping within
 * itself (as a detector's findings are), and a span is kept only if it overlaps nothing kept from an
 * earlier group. Linear in the number of spans per group, so a body with tens of thousands of
 * findings costs no more than reading them.
 *
 * @example
 * mergeByPriority([[{ start: 2, end: 9 }], [{ start: 0, end: 4 }, { start: 10, end: 12 }]]);
 * // [{ start: 2, end: 9 }, { start: 10, end: 12 }]
 */
export function mergeByPriority<T extends Span>(groups: ReadonlyArray<readonly T[]>): T[] {
  let kept: T[] = [];
  for (const group of groups) {
    if (group.length === 0) continue;
    if (kept.length === 0) {
      kept = group.filter((s) => s.end > s.start);
      continue;
    }
    const merged: T[] = [];
    let k = 0;
    for (const s of group) {
      if (s.end <= s.start) continue;
      while (k < kept.length && (kept[k] as T).end <= s.start) merged.push(kept[k++] as T);
      // Kept spans before k end at or before s.start; only kept[k] can overlap s.
      const next = kept[k];
      if (next !== undefined && next.start < s.end) continue;
      merged.push(s);
    }
    while (k < kept.length) merged.push(kept[k++] as T);
    kept = merged;
  }
  return kept;
}

/**
 * The spans sorted by start and non-overlapping: returned as they are when they already are (the
 * usual case for a detector's output), otherwise the longer of overlapping spans is kept.
 *
 * @example
 * ordered([{ start: 4, end: 6 }, { start: 0, end: 2 }]); // [{ start: 0, end: 2 }, { start: 4, end: 6 }]
 */
export function ordered<T extends Span>(spans: readonly T[]): readonly T[] {
  for (let i = 1; i < spans.length; i++) {
    if ((spans[i] as T).start < (spans[i - 1] as T).end) return keepNonOverlapping(spans, longerFirst);
  }
  return spans;
}
