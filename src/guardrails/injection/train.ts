/**
 * Training of the injection classifier: class-balanced, L2-regularised logistic regression on
 * windows, by full-batch Adam for a fixed number of steps. No randomness at all once the dataset is
 * built (examples are visited in order, sums run in order), so the same data and options give the
 * same weights bit for bit.
 *
 * Windows are labelled from the attack's known position: a window that holds most of the inserted
 * attack is a positive, a window of a positive text that holds none of it is a negative (it is plain
 * document), and a window that holds only a little of it is left out. Negative texts give negative
 * windows; positive texts without a known position (short prompts) give positive windows.
 *
 * @example
 * const ds = loadInjectionDataset(dir, { seed: 1 });
 * const weights = trainInjectionModel(ds.train, { name: 'declaw-logreg-v1' });
 * writeFileSync('model.json', JSON.stringify(weights));
 */
import { createInjectionScorer, type InjectionScorer } from '../../content/injection/index.js';
import { toSourceOffset } from '../../content/injection/normalize.js';
import { bigramBucket, scoreBin } from './classifier.js';
import type { LabelledText } from './dataset.js';
import { analyseDocument, type WindowShape } from './features.js';
import { encodeLexicalWeights, WEIGHTS_FORMAT, type InjectionWeights } from './model-file.js';

/** Options of {@link trainInjectionModel}; all optional. */
export interface TrainOptions {
  /** Model name written into the file and every verdict. Default `declaw-logreg-v1`. */
  name?: string;
  /** log2 of the number of lexical hash buckets. Default 18. */
  hashBits?: number;
  /** Tokens per window. Default 64. */
  windowTokens?: number;
  /** Tokens between window starts. Default 16. */
  windowStride?: number;
  /** Adam steps over the whole training set. Default 400. */
  steps?: number;
  /** Adam step size. Default 0.05. */
  learningRate?: number;
  /** L2 strength on lexical weights (a tenth of it on the heuristic's). Default 3e-3. */
  l2?: number;
  /** Heuristic score bin edges. Default [0.3, 0.5, 0.7, 0.8, 0.9]. */
  binEdges?: number[];
  /** The heuristic whose signals are features; default a new built-in scorer. */
  heuristic?: InjectionScorer;
  /** Free-form facts recorded in the file's `training` field (seed, data folder, ...). */
  metadata?: Record<string, unknown>;
}

interface Example {
  buckets: Int32Array;
  /** Heuristic score, or -1 when the heuristic part is "nothing found". */
  hScore: number;
  hBin: number;
  hSignals: number[];
  label: 0 | 1;
  weight: number;
}

// A window is a positive when it holds this share of the attack's tokens (or of a window, if longer).
const POSITIVE_SHARE = 0.6;

function windowExamples(
  s: LabelledText,
  heuristic: InjectionScorer,
  shape: WindowShape,
  mask: number,
  signalIndex: Map<string, number>,
  binEdges: readonly number[],
): Example[] {
  const doc = analyseDocument(s.text, undefined, heuristic, shape);
  const { tokens, windows, attached } = doc;
  // Token offsets are in the folded text; the span is in the source. Extracted (JSON/HTML) text has
  // other offsets altogether, so the span only applies to plain text.
  let inAttack: Uint8Array | undefined;
  let attackTokens = 0;
  if (s.label === 1 && s.span && doc.text === s.text) {
    inAttack = new Uint8Array(tokens.count);
    const norm = doc.norm;
    for (let i = 0; i < tokens.count; i++) {
      const at = toSourceOffset(norm, tokens.start[i]!);
      if (at >= s.span.start && at < s.span.end) {
        inAttack[i] = 1;
        attackTokens++;
      }
    }
  }
  const h = doc.heuristic;
  const hSignals = h.signals.map((x) => {
    let i = signalIndex.get(x.id);
    if (i === undefined) signalIndex.set(x.id, (i = signalIndex.size));
    return i;
  });
  const out: Example[] = [];
  for (let k = 0; k < attached.length; k++) {
    const a = windows[2 * k]!;
    const b = windows[2 * k + 1]!;
    let label = s.label;
    if (inAttack) {
      let n = 0;
      for (let i = a; i < b; i++) n += inAttack[i]!;
      if (n === 0) label = 0;
      else if (n < POSITIVE_SHARE * Math.min(attackTokens, b - a)) continue;
    }
    const buckets: number[] = [];
    for (let i = a; i < b; i++) {
      buckets.push(tokens.word[i]! & mask);
      if (tokens.prefix[i] !== 0) buckets.push(tokens.prefix[i]! & mask);
      if (i > a) buckets.push(bigramBucket(tokens, i, mask));
    }
    const on = attached[k] === 1;
    out.push({
      buckets: Int32Array.from(buckets),
      hScore: on ? h.score : -1,
      hBin: on ? scoreBin(h.score, binEdges) : 0,
      hSignals: on ? hSignals : [],
      label,
      weight: 1,
    });
  }
  return out;
}

/** Trains on `samples` and returns the weights file content. Deterministic. */
export function trainInjectionModel(
  samples: readonly LabelledText[],
  options: TrainOptions = {},
): InjectionWeights {
  const hashBits = options.hashBits ?? 18;
  const shape: WindowShape = {
    windowTokens: options.windowTokens ?? 64,
    windowStride: options.windowStride ?? 16,
  };
  const steps = options.steps ?? 400;
  const lr = options.learningRate ?? 0.05;
  const l2 = options.l2 ?? 3e-3;
  const binEdges = options.binEdges ?? [0.3, 0.5, 0.7, 0.8, 0.9];
  const heuristic = options.heuristic ?? createInjectionScorer();
  const mask = 2 ** hashBits - 1;
  const signalIndex = new Map<string, number>();
  const examples = samples.flatMap((s) => windowExamples(s, heuristic, shape, mask, signalIndex, binEdges));

  // Class balance: each class carries half of the total weight.
  const pos = examples.filter((e) => e.label === 1).length;
  const neg = examples.length - pos;
  for (const e of examples) e.weight = e.label === 1 ? 0.5 / Math.max(1, pos) : 0.5 / Math.max(1, neg);

  // Parameters: [bias, heuristic score, bins..., signals..., lexical buckets...] in one vector.
  const nb = binEdges.length + 2;
  const ns = signalIndex.size;
  const off = { score: 1, bins: 2, signals: 2 + nb, lexical: 2 + nb + ns };
  const n = off.lexical + mask + 1;
  const theta = new Float64Array(n);
  const grad = new Float64Array(n);
  const m1 = new Float64Array(n);
  const m2 = new Float64Array(n);
  const touched = new Uint8Array(n);
  for (let i = 0; i < off.lexical; i++) touched[i] = 1;
  for (const e of examples) for (const b of e.buckets) touched[off.lexical + b] = 1;
  const active = Int32Array.from(touched.reduce<number[]>((acc, t, i) => (t ? (acc.push(i), acc) : acc), []));

  const beta1 = 0.9;
  const beta2 = 0.999;
  for (let step = 1; step <= steps; step++) {
    for (const i of active) grad[i] = 0;
    for (const e of examples) {
      let z = theta[0]!;
      if (e.hScore >= 0) z += theta[off.score]! * e.hScore;
      z += theta[off.bins + e.hBin]!;
      for (const s of e.hSignals) z += theta[off.signals + s]!;
      for (const b of e.buckets) z += theta[off.lexical + b]!;
      const g = e.weight * (1 / (1 + Math.exp(-z)) - e.label);
      grad[0]! += g;
      if (e.hScore >= 0) grad[off.score]! += g * e.hScore;
      grad[off.bins + e.hBin]! += g;
      for (const s of e.hSignals) grad[off.signals + s]! += g;
      for (const b of e.buckets) grad[off.lexical + b]! += g;
    }
    const c1 = 1 - beta1 ** step;
    const c2 = 1 - beta2 ** step;
    for (const i of active) {
      const gi = grad[i]! + (i >= off.lexical ? l2 : l2 / 10) * theta[i]!;
      m1[i] = beta1 * m1[i]! + (1 - beta1) * gi;
      m2[i] = beta2 * m2[i]! + (1 - beta2) * gi * gi;
      theta[i]! -= (lr * (m1[i]! / c1)) / (Math.sqrt(m2[i]! / c2) + 1e-8);
    }
  }

  const round = (x: number): number => Number(x.toFixed(5));
  const signals: Record<string, number> = {};
  for (const [id, i] of [...signalIndex.entries()].sort((x, y) => (x[0] < y[0] ? -1 : 1))) {
    signals[id] = round(theta[off.signals + i]!);
  }
  return {
    format: WEIGHTS_FORMAT,
    version: 1,
    name: options.name ?? 'declaw-logreg-v1',
    hashBits,
    windowTokens: shape.windowTokens,
    windowStride: shape.windowStride,
    bias: round(theta[0]!),
    heuristic: {
      score: round(theta[off.score]!),
      binEdges,
      binWeights: Array.from(theta.subarray(off.bins, off.bins + nb), round),
      signals,
    },
    lexical: encodeLexicalWeights(theta.subarray(off.lexical)),
    training: { ...options.metadata, examples: examples.length, positives: pos, steps, l2, learningRate: lr },
  };
}
