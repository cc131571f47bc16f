/**
 * Seeded, order-independent randomness for building training and evaluation sets: the same seed gives
 * the same split and the same insertions on every machine. Counter-mode hashing, not for security.
 *
 * @example
 * const r = seededRandom(7);
 * r.next(); // a number in [0, 1), the same for seed 7 on every run
 * r.shuffle(['a', 'b', 'c']); // a permutation that depends only on the seed and the call order
 */
import { mixHash } from './tokens.js';

/** A deterministic stream of numbers in [0, 1), with helpers. */
export interface SeededRandom {
  next(): number;
  /** An integer in [0, n). */
  below(n: number): number;
  /** A shuffled copy of `xs` (Fisher–Yates over this stream). */
  shuffle<T>(xs: readonly T[]): T[];
}

/** A stream of numbers determined by `seed` alone. */
export function seededRandom(seed: number): SeededRandom {
  let counter = 0;
  const key = mixHash(seed ^ 0x3c6ef372);
  const next = (): number => (mixHash(key + Math.imul(++counter, 0x9e3779b9)) >>> 0) / 4294967296;
  const below = (n: number): number => Math.floor(next() * n);
  return {
    next,
    below,
    shuffle<T>(xs: readonly T[]): T[] {
      const out = [...xs];
      for (let i = out.length - 1; i > 0; i--) {
        const j = below(i + 1);
        [out[i], out[j]] = [out[j]!, out[i]!];
      }
      return out;
    },
  };
}
