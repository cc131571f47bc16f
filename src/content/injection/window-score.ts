/**
 * Combines signal hits into a score: the best window of bounded size wins, and within a window the
 * distinct signals combine by noisy-OR (each signal is an independent chance that the text is an
 * injection). Repeats of one signal add a little, with diminishing returns, so a long benign page that
 * says "system:" fifty times does not add up to an attack, while one injection anywhere is found.
 *
 * @example
 * bestWindow([{ id: 'a', weight: 0.5, start: 0, end: 5 }, { id: 'b', weight: 0.6, start: 9, end: 12 }], 2000);
 * // { score: 0.8, start: 0, end: 12, signals: [{ id: 'b', weight: 0.6, count: 1 }, { id: 'a', ... }] }
 */
import type { InjectionSignal, SignalHit } from './types.js';

/** The best window's score, signals and extent. */
export interface WindowScore {
  score: number;
  signals: InjectionSignal[];
  start: number;
  end: number;
}

// Each repeat of a signal (up to MAX_REPEATS) counts as REPEAT_FACTOR of a further independent firing.
const REPEAT_FACTOR = 0.3;
const MAX_REPEATS = 5;

/** Probability contribution of a signal of weight `w` seen `count` times. */
export function signalProbability(w: number, count: number): number {
  const k = 1 + REPEAT_FACTOR * (Math.min(count, MAX_REPEATS) - 1);
  return 1 - Math.pow(1 - w, k);
}

/** Noisy-OR of the given signals. */
export function combine(signals: ReadonlyArray<{ weight: number; count: number }>): number {
  let keep = 1;
  for (const s of signals) keep *= 1 - signalProbability(s.weight, s.count);
  return Math.min(1, Math.max(0, 1 - keep));
}

/**
 * Keeps one firing per signal over overlapping spans (two phrasings of one rule matching the same
 * words): the one with the highest weight.
 */
function dedupe(hits: readonly SignalHit[]): SignalHit[] {
  const sorted = [...hits].sort((a, b) => a.start - b.start || b.end - a.end);
  const lastKept = new Map<string, number>();
  const out: SignalHit[] = [];
  for (const h of sorted) {
    const k = lastKept.get(h.id);
    const prev = k === undefined ? undefined : out[k]!;
    if (prev && h.start < prev.end) {
      if (h.weight > prev.weight) out[k!] = { ...h, start: prev.start, end: Math.max(prev.end, h.end) };
      else if (h.end > prev.end) out[k!] = { ...prev, end: h.end };
      continue;
    }
    lastKept.set(h.id, out.length);
    out.push(h);
  }
  return out;
}

/** The highest-scoring window of `windowSize` characters, or undefined when there are no hits. */
export function bestWindow(hits: readonly SignalHit[], windowSize: number): WindowScore | undefined {
  const sorted = dedupe(hits);
  if (sorted.length === 0) return undefined;
  // Weights of the hits of each signal inside the window (rules sharing an id may differ in weight).
  const inWindow = new Map<string, number[]>();
  let best: WindowScore | undefined;
  let j = 0;
  for (let i = 0; i < sorted.length; i++) {
    const left = sorted[i]!;
    while (j < sorted.length && sorted[j]!.start < left.start + windowSize) {
      const h = sorted[j]!;
      const cur = inWindow.get(h.id);
      if (cur) cur.push(h.weight);
      else inWindow.set(h.id, [h.weight]);
      j++;
    }
    const present = [...inWindow.entries()].map(([id, ws]) => ({
      id,
      weight: Math.max(...ws),
      count: ws.length,
    }));
    const score = combine(present);
    if (!best || score > best.score + 1e-12) {
      let end = left.end;
      for (let k = i; k < j; k++) end = Math.max(end, sorted[k]!.end);
      best = {
        score,
        start: left.start,
        end,
        signals: present.sort((a, b) => b.weight - a.weight || (a.id < b.id ? -1 : 1)),
      };
    }
    // Slide: the left hit leaves the window.
    const cur = inWindow.get(left.id)!;
    if (cur.length <= 1) inWindow.delete(left.id);
    else cur.splice(cur.indexOf(left.weight), 1);
  }
  return best;
}
