/**
 * The weights file of the injection classifier: compact JSON, validated when loaded. Written by
 * `npm run train:injection` (scripts/train-injection.ts); the bundled one is data/injection-model.json.
 *
 * Lexical weights are sparse: `lexical.buckets` are the non-zero hash buckets, delta-coded in
 * ascending order, and `lexical.weights` their weights as integers, to be multiplied by
 * `lexical.scale`. `stack`, when present, holds the second stage that combines the heuristic's score
 * with the word model's logit (stacking.ts). Heuristic signals are keyed by the built-in scorer's signal ids, so a signal the
 * file does not know weighs nothing.
 *
 * @example
 * const w = parseInjectionWeights(JSON.parse(readFileSync(path, 'utf8')), path);
 * const dense = decodeLexicalWeights(w); // Float32Array of 2^hashBits weights
 */
import { z } from 'zod';
import { InvalidArgumentError } from '../../errors.js';

/** The `format` value of every weights file. */
export const WEIGHTS_FORMAT = 'declaw-injection-linear';

const weightsSchema = z.strictObject({
  format: z.literal(WEIGHTS_FORMAT),
  version: z.literal(1),
  name: z.string().min(1).max(100),
  hashBits: z.number().int().min(10).max(24),
  windowTokens: z.number().int().min(4).max(4096),
  windowStride: z.number().int().min(1).max(4096),
  bias: z.number(),
  heuristic: z.strictObject({
    score: z.number(),
    binEdges: z.array(z.number().min(0).max(1)).max(32),
    binWeights: z.array(z.number()),
    signals: z.record(z.string(), z.number()),
  }),
  lexical: z.strictObject({
    scale: z.number().positive(),
    buckets: z.array(z.number().int().nonnegative()),
    weights: z.array(z.number().int()),
  }),
  // Stage 2 (stacking.ts); absent in files written before it, whose score is the word model's alone.
  stack: z
    .strictObject({
      bias: z.number(),
      heuristic: z.number().nonnegative(),
      nothingFound: z.number(),
      model: z.number().nonnegative(),
      epsilon: z.number().positive().max(0.5),
    })
    .optional(),
  training: z.record(z.string(), z.unknown()).optional(),
});

/** A weights file's content, validated. */
export type InjectionWeights = z.infer<typeof weightsSchema>;

/**
 * Validates a parsed weights file. `source` names it in errors (a path, or `bundled`). Throws
 * InvalidArgumentError (argument `model file`) saying what is wrong and how to get a valid file.
 */
export function parseInjectionWeights(value: unknown, source: string): InjectionWeights {
  const r = weightsSchema.safeParse(value);
  const fail = (why: string): never => {
    throw new InvalidArgumentError(
      'model file',
      `${source} is not a declaw injection model (${why}); write one with \`npm run train:injection -- --out FILE\``,
    );
  };
  if (!r.success) {
    const issue = r.error.issues[0];
    return fail(`${issue?.path.join('.') || 'top level'}: ${issue?.message ?? 'invalid'}`);
  }
  const w = r.data;
  if (w.heuristic.binWeights.length !== w.heuristic.binEdges.length + 2) {
    fail('heuristic.binWeights must have two more entries than heuristic.binEdges');
  }
  if (w.lexical.buckets.length !== w.lexical.weights.length) {
    fail('lexical.buckets and lexical.weights differ in length');
  }
  if (w.windowStride > w.windowTokens) fail('windowStride is larger than windowTokens');
  const size = 2 ** w.hashBits;
  const last = forEachBucket(w.lexical.buckets, () => undefined);
  if (last >= size) fail(`lexical bucket ${last} is outside 2^hashBits`);
  return w;
}

/** Calls `f(bucket, i)` for each delta-coded bucket; returns the last bucket (-1 when none). */
function forEachBucket(deltas: readonly number[], f: (bucket: number, i: number) => void): number {
  let at = -1;
  for (let i = 0; i < deltas.length; i++) {
    // The first entry is an index, the others the gap to the previous bucket minus one.
    at = i === 0 ? deltas[0]! : at + deltas[i]! + 1;
    f(at, i);
  }
  return at;
}

/** Dense lexical weights (index = hash bucket) of a validated file. */
export function decodeLexicalWeights(w: InjectionWeights): Float32Array {
  const dense = new Float32Array(2 ** w.hashBits);
  forEachBucket(w.lexical.buckets, (at, i) => {
    dense[at] = w.lexical.weights[i]! * w.lexical.scale;
  });
  return dense;
}

/**
 * Sparse, quantised encoding of dense lexical weights. `levels` is the largest integer used (precision
 * of the quantisation); weights under `minMagnitude` are dropped: most buckets are words seen only in
 * a few benign documents, with weights too small to move a score, and they would triple the file.
 */
export function encodeLexicalWeights(
  dense: ArrayLike<number>,
  levels = 1000,
  minMagnitude = 0.002,
): InjectionWeights['lexical'] {
  let max = 0;
  for (let i = 0; i < dense.length; i++) max = Math.max(max, Math.abs(dense[i]!));
  // No weight worth keeping: any positive scale will do (and a subnormal max would round to 0).
  const scale = max >= minMagnitude ? Number((max / levels).toPrecision(6)) : 1;
  const buckets: number[] = [];
  const weights: number[] = [];
  let prev = -1;
  for (let i = 0; i < dense.length; i++) {
    const q = Math.round(dense[i]! / scale);
    if (q === 0 || Math.abs(dense[i]!) < minMagnitude) continue;
    buckets.push(prev < 0 ? i : i - prev - 1);
    weights.push(q);
    prev = i;
  }
  return { scale, buckets, weights };
}
