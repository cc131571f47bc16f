/**
 * Training of the injection classifier: class-balanced, L2-regularised logistic regression on
 * windows, by full-batch Adam for a fixed number of steps (stage 1, the word model), then a tiny
 * logistic regression over the heuristic's score and the word model's out-of-fold logit (stage 2,
 * stacking.ts). No randomness at all once the dataset is built (examples are visited in order, sums
 * run in order, folds are a seeded hash), so the same data and options give the same weights bit for
 * bit.
 *
 * Windows are labelled from the attack's known position: a window that holds most of the inserted
 * attack is a positive, a window of a positive text that holds none of it is a negative (it is plain
 * document), and a window that holds only a little of it is left out. Negative texts give negative
 * windows; positive texts without a known position (short prompts) give positive windows.
 *
 * @example
 * const ds = loadInjectionDataset(dir, { seed: 1 });
 * const weights = trainInjectionModel(ds.train, { name: 'declaw-logreg-v2' });
 * writeFileSync('model.json', JSON.stringify(weights));
 */
import { createInjectionScorer, type InjectionScorer } from '../../content/injection/index.js';
import { toSourceOffset } from '../../content/injection/normalize.js';
import { bigramBucket, scoreBin } from './classifier.js';
import type { LabelledText } from './dataset.js';
import { analyseDocument, type WindowShape } from './features.js';
import { encodeLexicalWeights, WEIGHTS_FORMAT, type InjectionWeights } from './model-file.js';
import { assignFolds, fitStack, stackLogit, tprAtFpr, type StackExample, type StackFit } from './stacking.js';

/** Options of {@link trainInjectionModel}; all optional. */
export interface TrainOptions {
  /** Model name written into the file and every verdict. Default `declaw-logreg-v2`. */
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
  /**
   * L2 strength on lexical weights (a tenth of it on the heuristic's). Default 1e-3, chosen by 4-fold
   * cross-validation on the bundled training split (docs/guardrails-injection.md).
   */
  l2?: number;
  /** Heuristic score bin edges. Default [0.3, 0.5, 0.7, 0.8, 0.9]. */
  binEdges?: number[];
  /** The heuristic whose signals are features; default a new built-in scorer. */
  heuristic?: InjectionScorer;
  /**
   * Folds of the out-of-fold word-model logits that stage 2 is fitted on. Default 4; below 2, no
   * stage 2 (the score is the word model's alone).
   */
  folds?: number;
  /** Seed of the fold assignment. Default 1. */
  foldSeed?: number;
  /** Free-form facts recorded in the file's `training` field (seed, data folder, ...). */
  metadata?: Record<string, unknown>;
}

interface Example {
  buckets: Int32Array;
  /** Heuristic score, or -1 when the heuristic part is "nothing found". */
  hScore: number;
  hBin: number;
  hSignals: number[];
  /** -1: a window holding only a little of the attack, scored but not trained on. */
  label: 0 | 1 | -1;
  weight: number;
}

/** The windows of one training text, and what the heuristic said about the whole text. */
interface PreparedText {
  windows: Example[];
  heuristicScore: number;
  label: 0 | 1;
  background: boolean;
}

// A window is a positive when it holds this share of the attack's tokens (or of a window, if longer).
const POSITIVE_SHARE = 0.6;

function prepareText(
  s: LabelledText,
  heuristic: InjectionScorer,
  shape: WindowShape,
  mask: number,
  signalIndex: Map<string, number>,
  binEdges: readonly number[],
): PreparedText {
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
    let label: Example['label'] = s.label;
    if (inAttack) {
      let n = 0;
      for (let i = a; i < b; i++) n += inAttack[i]!;
      if (n === 0) label = 0;
      else if (n < POSITIVE_SHARE * Math.min(attackTokens, b - a)) label = -1;
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
  return {
    windows: out,
    heuristicScore: h.score,
    label: s.label,
    background: s.set.startsWith('background'),
  };
}

/** Parameter layout: [bias, heuristic score, bins..., signals..., lexical buckets...]. */
interface Layout {
  score: number;
  bins: number;
  signals: number;
  lexical: number;
  size: number;
}

interface FitConfig {
  layout: Layout;
  steps: number;
  lr: number;
  l2: number;
}

function windowLogit(theta: Float64Array, o: Layout, e: Example): number {
  let z = theta[0]!;
  if (e.hScore >= 0) z += theta[o.score]! * e.hScore;
  z += theta[o.bins + e.hBin]!;
  for (const s of e.hSignals) z += theta[o.signals + s]!;
  for (const b of e.buckets) z += theta[o.lexical + b]!;
  return z;
}

/** Stage 1 on the labelled windows of `texts`; returns θ and the example counts. */
function fitWordModel(texts: readonly PreparedText[], cfg: FitConfig) {
  const o = cfg.layout;
  const examples = texts.flatMap((t) => t.windows.filter((e) => e.label >= 0));
  // Class balance: each class carries half of the total weight.
  const pos = examples.filter((e) => e.label === 1).length;
  const neg = examples.length - pos;
  for (const e of examples) e.weight = e.label === 1 ? 0.5 / Math.max(1, pos) : 0.5 / Math.max(1, neg);

  const n = o.size;
  const theta = new Float64Array(n);
  const grad = new Float64Array(n);
  const m1 = new Float64Array(n);
  const m2 = new Float64Array(n);
  const touched = new Uint8Array(n);
  for (let i = 0; i < o.lexical; i++) touched[i] = 1;
  for (const e of examples) for (const b of e.buckets) touched[o.lexical + b] = 1;
  const active = Int32Array.from(touched.reduce<number[]>((acc, t, i) => (t ? (acc.push(i), acc) : acc), []));

  const beta1 = 0.9;
  const beta2 = 0.999;
  for (let step = 1; step <= cfg.steps; step++) {
    for (const i of active) grad[i] = 0;
    for (const e of examples) {
      const g = e.weight * (1 / (1 + Math.exp(-windowLogit(theta, o, e))) - e.label);
      grad[0]! += g;
      if (e.hScore >= 0) grad[o.score]! += g * e.hScore;
      grad[o.bins + e.hBin]! += g;
      for (const s of e.hSignals) grad[o.signals + s]! += g;
      for (const b of e.buckets) grad[o.lexical + b]! += g;
    }
    const c1 = 1 - beta1 ** step;
    const c2 = 1 - beta2 ** step;
    for (const i of active) {
      const gi = grad[i]! + (i >= o.lexical ? cfg.l2 : cfg.l2 / 10) * theta[i]!;
      m1[i] = beta1 * m1[i]! + (1 - beta1) * gi;
      m2[i] = beta2 * m2[i]! + (1 - beta2) * gi * gi;
      theta[i]! -= (cfg.lr * (m1[i]! / c1)) / (Math.sqrt(m2[i]! / c2) + 1e-8);
    }
  }
  return { theta, examples: examples.length, positives: pos };
}

/** The word model's logit of a whole text: its best window. */
function textLogit(theta: Float64Array, o: Layout, t: PreparedText): number {
  let best = -Infinity;
  for (const e of t.windows) best = Math.max(best, windowLogit(theta, o, e));
  return best;
}

/**
 * Out-of-fold stage-1 logits: each text is scored by a word model fitted on the other folds (texts
 * of one group always share a fold, see stacking.ts).
 */
function outOfFold(
  texts: readonly PreparedText[],
  folds: Uint8Array,
  k: number,
  cfg: FitConfig,
): StackExample[] {
  const out: StackExample[] = texts.map((t) => ({
    h: t.heuristicScore,
    z1: 0,
    label: t.label,
    background: t.background,
  }));
  for (let f = 0; f < k; f++) {
    const { theta } = fitWordModel(
      texts.filter((_, i) => folds[i] !== f),
      cfg,
    );
    texts.forEach((t, i) => {
      if (folds[i] === f) out[i]!.z1 = textLogit(theta, cfg.layout, t);
    });
  }
  return out;
}

/** Everything training needs, computed once: the windows of every text and the parameter layout. */
function prepareAll(samples: readonly LabelledText[], options: TrainOptions) {
  const hashBits = options.hashBits ?? 18;
  const shape: WindowShape = {
    windowTokens: options.windowTokens ?? 64,
    windowStride: options.windowStride ?? 16,
  };
  const binEdges = options.binEdges ?? [0.3, 0.5, 0.7, 0.8, 0.9];
  const heuristic = options.heuristic ?? createInjectionScorer();
  const mask = 2 ** hashBits - 1;
  const signalIndex = new Map<string, number>();
  const texts = samples.map((s) => prepareText(s, heuristic, shape, mask, signalIndex, binEdges));
  const nb = binEdges.length + 2;
  const ns = signalIndex.size;
  const layout: Layout = {
    score: 1,
    bins: 2,
    signals: 2 + nb,
    lexical: 2 + nb + ns,
    size: 2 + nb + ns + mask + 1,
  };
  const cfg: FitConfig = {
    layout,
    steps: options.steps ?? 400,
    lr: options.learningRate ?? 0.05,
    l2: options.l2 ?? 1e-3,
  };
  return { hashBits, shape, binEdges, signalIndex, texts, cfg, nb };
}

/** Trains on `samples` and returns the weights file content. Deterministic. */
export function trainInjectionModel(
  samples: readonly LabelledText[],
  options: TrainOptions = {},
): InjectionWeights {
  const { hashBits, shape, binEdges, signalIndex, texts, cfg, nb } = prepareAll(samples, options);
  const k = Math.floor(options.folds ?? 4);
  let stack: StackFit | undefined;
  if (k >= 2) {
    const folds = assignFolds(samples, k, options.foldSeed ?? 1);
    stack = fitStack(outOfFold(texts, folds, k, cfg));
  }
  const { theta, examples, positives } = fitWordModel(texts, cfg);
  const o = cfg.layout;

  const round = (x: number): number => Number(x.toFixed(5));
  const signals: Record<string, number> = {};
  for (const [id, i] of [...signalIndex.entries()].sort((x, y) => (x[0] < y[0] ? -1 : 1))) {
    signals[id] = round(theta[o.signals + i]!);
  }
  return {
    format: WEIGHTS_FORMAT,
    version: 1,
    name: options.name ?? 'declaw-logreg-v2',
    hashBits,
    windowTokens: shape.windowTokens,
    windowStride: shape.windowStride,
    bias: round(theta[0]!),
    heuristic: {
      score: round(theta[o.score]!),
      binEdges,
      binWeights: Array.from(theta.subarray(o.bins, o.bins + nb), round),
      signals,
    },
    lexical: encodeLexicalWeights(theta.subarray(o.lexical)),
    ...(stack ? { stack: stack.weights } : {}),
    training: {
      ...options.metadata,
      examples,
      positives,
      steps: cfg.steps,
      l2: cfg.l2,
      learningRate: cfg.lr,
      folds: k >= 2 ? k : 0,
      ...(stack ? { stackHeuristicRatio: stack.heuristicRatio, stackGrid: stack.grid } : {}),
    },
  };
}

/**
 * The out-of-fold stage-2 inputs of `samples` (heuristic score, word-model logit from a model that
 * never saw the text's group, label), for analysis and for choosing the stage-2 form.
 */
export function outOfFoldExamples(
  samples: readonly LabelledText[],
  options: TrainOptions = {},
): StackExample[] {
  const { texts, cfg } = prepareAll(samples, options);
  const k = Math.max(2, Math.floor(options.folds ?? 4));
  return outOfFold(texts, assignFolds(samples, k, options.foldSeed ?? 1), k, cfg);
}

/** Out-of-fold figures of one L2 strength (see {@link crossValidateL2}). */
export interface L2Figures {
  l2: number;
  /** Class-balanced log loss of the word model's out-of-fold text scores. */
  logLoss: number;
  /** TPR of the stacked out-of-fold scores at FPR ≤ 1%, 2% and 5% of the training negatives. */
  tprAtFpr: [number, number, number];
}

/**
 * Cross-validation of the L2 strength on the training texts alone: for each candidate, out-of-fold
 * word-model logits, a stage 2 fitted on them, and the figures that choose between candidates.
 */
export function crossValidateL2(
  samples: readonly LabelledText[],
  candidates: readonly number[],
  options: TrainOptions = {},
): L2Figures[] {
  const { texts, cfg } = prepareAll(samples, options);
  const k = Math.max(2, Math.floor(options.folds ?? 4));
  const folds = assignFolds(samples, k, options.foldSeed ?? 1);
  return candidates.map((l2) => {
    const oof = outOfFold(texts, folds, k, { ...cfg, l2 });
    const stack = fitStack(oof).weights;
    const scored = oof.map((x) => ({ s: stackLogit(stack, x.h, x.z1), label: x.label }));
    const pos = oof.filter((x) => x.label === 1).length;
    let loss = 0;
    for (const x of oof) {
      const p = 1 / (1 + Math.exp(-Math.min(30, Math.max(-30, x.z1))));
      const w = x.label === 1 ? 0.5 / pos : 0.5 / (oof.length - pos);
      loss -= w * Math.log(x.label === 1 ? p : 1 - p);
    }
    return {
      l2,
      logLoss: loss,
      tprAtFpr: [tprAtFpr(scored, 0.01), tprAtFpr(scored, 0.02), tprAtFpr(scored, 0.05)],
    };
  });
}
