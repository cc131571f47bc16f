/**
 * The second stage of the injection classifier: a tiny logistic regression over the built-in
 * heuristic's calibrated score and the word model's logit.
 *
 * The word model (stage 1) sees the heuristic's signals as features, but it is fitted on windows and
 * can still rank a text below where the heuristic alone would put it (a window that reads like code
 * outweighs a weak rule hit). Stage 2 puts the heuristic back as an input of its own:
 * `z = bias + heuristic · logit(h) + nothingFound · [h = 0] + model · z₁`, with `heuristic` and `model`
 * non-negative so the score rises with either; with a large heuristic weight the order is the
 * heuristic's, and the words break its ties and reorder texts it scores alike. It is fitted on
 * out-of-fold stage-1 logits of the training texts (each text scored by a word model that never saw
 * its group), never on held-out rows.
 *
 * @example
 * const z = stackLogit(weights.stack, heuristicScore, wordModelLogit);
 * const score = 1 / (1 + Math.exp(-z));
 */
import type { LabelledText } from './dataset.js';
import { mixHash } from './tokens.js';

/** Weights of the second stage, as stored in the weights file's `stack` field. */
export interface StackWeights {
  bias: number;
  /** Weight of logit(h), h the heuristic's score clamped to [epsilon, 1 − epsilon]. */
  heuristic: number;
  /** Added when the heuristic found nothing (h = 0), instead of the logit term. */
  nothingFound: number;
  /** Weight of the word model's logit. */
  model: number;
  /** Clamp of the heuristic's score before its logit. */
  epsilon: number;
}

/** The stage-1 logit is clamped to ± this before stage 2, so one extreme window cannot dominate. */
const MAX_STAGE1 = 20;

/** Stage-2 inputs of one text: [logit(h) or 0, 1 when h = 0, clamped stage-1 logit]. */
export function stackInputs(h: number, z1: number, epsilon: number): [number, number, number] {
  const c = Math.min(MAX_STAGE1, Math.max(-MAX_STAGE1, z1));
  if (!(h > 0)) return [0, 1, c];
  const p = Math.min(1 - epsilon, Math.max(epsilon, h));
  return [Math.log(p / (1 - p)), 0, c];
}

/** The stacked logit of a text whose heuristic score is `h` and word-model logit is `z1`. */
export function stackLogit(s: StackWeights, h: number, z1: number): number {
  const [lh, off, m] = stackInputs(h, z1, s.epsilon);
  return s.bias + s.heuristic * lh + s.nothingFound * off + s.model * m;
}

/**
 * What may not be split across folds: the attack string of an inserted positive (its copies in other
 * documents would leak it), the file name of a background text, the text itself otherwise.
 */
export function groupOf(s: LabelledText): string {
  if (s.span) return `attack:${s.text.slice(s.span.start, s.span.end)}`;
  if (s.set.startsWith('background')) return `${s.set}:${s.category}`;
  return `text:${s.text}`;
}

/** Fold of each sample, 0..k-1, by a seeded hash of its group (stable under reordering). */
export function assignFolds(samples: readonly LabelledText[], k: number, seed: number): Uint8Array {
  const out = new Uint8Array(samples.length);
  samples.forEach((s, i) => {
    const key = groupOf(s);
    let h = mixHash(seed ^ 0x5f3759df);
    for (let j = 0; j < key.length; j++) h = Math.imul(h ^ key.charCodeAt(j), 16777619);
    out[i] = (mixHash(h) >>> 0) % k;
  });
  return out;
}

/** One text for the stage-2 fit: its heuristic score, out-of-fold stage-1 logit and label. */
export interface StackExample {
  h: number;
  z1: number;
  label: 0 | 1;
  /** A background text (over-defence set), left out when the heuristic's weight is chosen. */
  background?: boolean;
}

/** Heuristic weights tried, relative to the word model's logit (0: the word model alone). */
export const HEURISTIC_GRID: readonly number[] = [0, 0.25, 0.5, 1, 2, 4, 8, 16];

/** TPR at the lowest threshold whose FPR is at most `fpr` (a tie with a negative is not flagged). */
export function tprAtFpr(scores: ReadonlyArray<{ s: number; label: 0 | 1 }>, fpr: number): number {
  const neg = scores
    .filter((x) => x.label === 0)
    .map((x) => x.s)
    .sort((a, b) => b - a);
  const pos = scores.filter((x) => x.label === 1);
  // Allowed false positives; the threshold must lie above the next negative.
  const bar = neg[Math.floor(fpr * neg.length + 1e-9)] ?? -Infinity;
  return pos.length === 0 ? 0 : pos.filter((x) => x.s > bar).length / pos.length;
}

/** Mean TPR over the FPR ≤ 1%, 2%, 5% points: what the heuristic's weight is chosen by. */
export function lowFprTpr(scores: ReadonlyArray<{ s: number; label: 0 | 1 }>): number {
  return (tprAtFpr(scores, 0.01) + tprAtFpr(scores, 0.02) + tprAtFpr(scores, 0.05)) / 3;
}

/** Area under the ROC curve up to FPR `maxFpr`, divided by `maxFpr` (1 is perfect). Ties count half. */
export function partialAuc(scores: ReadonlyArray<{ s: number; label: 0 | 1 }>, maxFpr = 0.05): number {
  const sorted = [...scores].sort((a, b) => b.s - a.s);
  const P = sorted.filter((x) => x.label === 1).length;
  const N = sorted.length - P;
  if (P === 0 || N === 0) return 0;
  let tp = 0;
  let fp = 0;
  let area = 0;
  for (let i = 0; i < sorted.length && fp < maxFpr * N;) {
    let dtp = 0;
    let dfp = 0;
    const s = sorted[i]!.s;
    for (; i < sorted.length && sorted[i]!.s === s; i++) {
      if (sorted[i]!.label === 1) dtp++;
      else dfp++;
    }
    // The part of this tie's diagonal step that lies under maxFpr.
    if (dfp > 0) {
      const used = Math.min(dfp, maxFpr * N - fp);
      area += used * (tp + (dtp * used) / dfp / 2);
    }
    tp += dtp;
    fp += dfp;
  }
  return area / (P * maxFpr * N);
}

/** Logistic fit of `s' = a·s + b` (a ≥ 0), class-balanced, by Adam; deterministic. */
function calibrate(xs: ReadonlyArray<{ s: number; label: 0 | 1 }>, steps: number): [number, number] {
  const pos = xs.filter((x) => x.label === 1).length;
  const wPos = 0.5 / Math.max(1, pos);
  const wNeg = 0.5 / Math.max(1, xs.length - pos);
  const theta = [1, 0];
  const m1 = [0, 0];
  const m2 = [0, 0];
  for (let step = 1; step <= steps; step++) {
    let ga = 0;
    let gb = 0;
    for (const x of xs) {
      const d =
        (x.label === 1 ? wPos : wNeg) * (1 / (1 + Math.exp(-(theta[0]! * x.s + theta[1]!))) - x.label);
      ga += d * x.s;
      gb += d;
    }
    const g = [ga + 1e-3 * theta[0]!, gb];
    for (let i = 0; i < 2; i++) {
      m1[i] = 0.9 * m1[i]! + 0.1 * g[i]!;
      m2[i] = 0.999 * m2[i]! + 0.001 * g[i]! * g[i]!;
      theta[i]! -= (0.02 * (m1[i]! / (1 - 0.9 ** step))) / (Math.sqrt(m2[i]! / (1 - 0.999 ** step)) + 1e-8);
    }
    theta[0] = Math.max(0, theta[0]!);
  }
  return [theta[0]!, theta[1]!];
}

/** What {@link fitStack} chose, and why. */
export interface StackFit {
  weights: StackWeights;
  /** The chosen heuristic weight relative to the word model's logit. */
  heuristicRatio: number;
  /** Out-of-fold figures of each ratio tried (negatives without background texts). */
  grid: Array<{ ratio: number; lowFprTpr: number; partialAuc: number }>;
}

/**
 * Fits stage 2 on out-of-fold examples in two steps. First the heuristic's weight relative to the word
 * model, `r` in {@link HEURISTIC_GRID}: the one with the best TPR at FPR ≤ 1/2/5%, then the best
 * partial AUC, then the smallest. FPR here counts documents and prompts, not background texts, like
 * the held-out figures do. Then a calibration `a·(z₁ + r·logit(h)) + b` (a ≥ 0) by class-balanced
 * logistic regression on every example, so scores read as probabilities; it does not change the order.
 */
export function fitStack(xs: readonly StackExample[], epsilon = 1e-3, steps = 2000): StackFit {
  const choose = xs.filter((x) => !(x.label === 0 && x.background));
  const floor = Math.log(epsilon / (1 - epsilon));
  const combined = (x: StackExample, r: number): number => {
    const [lh, off, m] = stackInputs(x.h, x.z1, epsilon);
    return m + r * (off === 1 ? floor : lh);
  };
  const grid = HEURISTIC_GRID.map((ratio) => {
    const scores = choose.map((x) => ({ s: combined(x, ratio), label: x.label }));
    return { ratio, lowFprTpr: lowFprTpr(scores), partialAuc: partialAuc(scores) };
  });
  const best = [...grid].sort(
    (a, b) => b.lowFprTpr - a.lowFprTpr || b.partialAuc - a.partialAuc || a.ratio - b.ratio,
  )[0]!;
  const r = best.ratio;
  const [a, b] = calibrate(
    xs.map((x) => ({ s: combined(x, r), label: x.label })),
    steps,
  );
  const round = (x: number): number => Number(x.toFixed(5));
  return {
    weights: {
      bias: round(b),
      heuristic: round(a * r),
      // A text where the heuristic found nothing counts as h = epsilon.
      nothingFound: round(a * r * floor),
      model: round(a),
      epsilon,
    },
    heuristicRatio: r,
    grid,
  };
}
