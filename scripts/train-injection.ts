/**
 * Trains the Guardrails injection classifier and writes its weights file (docs/guardrails-injection.md).
 *
 *   npm run train:injection [-- --data DIR] [--out FILE] [--seed N] [--name NAME] [--steps N]
 *     [--l2 X | --select-l2 X,Y,...] [--folds K] [--background PATH ...] [--no-background]
 *
 * --select-l2 picks the L2 strength by K-fold cross-validation on the training split alone (TPR of the
 * stacked out-of-fold scores at FPR ≤ 1/2/5%, then out-of-fold log loss) and trains with it.
 * Defaults: --data ../shared/datasets/injection (or $DECLAW_DATASETS/injection), --out
 * data/injection-model.json, --seed 1. Deterministic: the same data and flags give the same file.
 * Trains on the seeded training split only, so bench/guardrails-injection-accuracy.ts can measure the
 * held-out split with the same seed; prints a one-line summary and the held-out accuracy at 0.8.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadInjectionDataset } from '../src/guardrails/injection/dataset.js';
import { createLinearInjectionModel } from '../src/guardrails/injection/classifier.js';
import { crossValidateL2, trainInjectionModel } from '../src/guardrails/injection/train.js';

const { values } = parseArgs({
  options: {
    data: { type: 'string' },
    out: { type: 'string' },
    seed: { type: 'string', default: '1' },
    name: { type: 'string', default: 'declaw-logreg-v2' },
    steps: { type: 'string' },
    l2: { type: 'string' },
    'select-l2': { type: 'string' },
    folds: { type: 'string' },
    background: { type: 'string', multiple: true },
    'no-background': { type: 'boolean', default: false },
  },
});
const root = resolve(import.meta.dirname, '..');
const data = resolve(
  values.data ?? join(process.env.DECLAW_DATASETS ?? join(root, '..', 'shared', 'datasets'), 'injection'),
);
const out = resolve(values.out ?? join(root, 'data', 'injection-model.json'));
const seed = Number(values.seed);
if (!Number.isInteger(seed)) throw new Error(`--seed must be an integer, got ${values.seed}`);

const started = performance.now();
// Default background (benign text of other kinds than the injection sets, against over-defence): the
// PII development set's synthetic sentences when it sits beside the injection folder, and the README
// files of the installed npm packages (pinned by package-lock.json; half of them stay held out).
const defaultBackground = [
  join(data, '..', 'pii', 'presidio_synth_dataset_v2.json'),
  join(root, 'node_modules'),
].filter((p) => existsSync(p));
const background = values['no-background']
  ? []
  : (values.background ?? defaultBackground).map((p) => resolve(p));
const ds = loadInjectionDataset(data, { seed, background });
const common = {
  ...(values.steps ? { steps: Number(values.steps) } : {}),
  ...(values.folds ? { folds: Number(values.folds) } : {}),
};
let l2 = values.l2 ? Number(values.l2) : undefined;
let l2Choice: unknown;
if (values['select-l2']) {
  const candidates = values['select-l2'].split(',').map(Number);
  if (candidates.some((x) => !(x > 0)))
    throw new Error(`--select-l2 takes positive numbers, got ${values['select-l2']}`);
  const figures = crossValidateL2(ds.train, candidates, common);
  const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
  process.stdout.write(
    '| l2 | out-of-fold log loss | TPR at FPR ≤ 1% | ≤ 2% | ≤ 5% |\n|---:|---:|---:|---:|---:|\n',
  );
  for (const f of figures)
    process.stdout.write(`| ${f.l2} | ${f.logLoss.toFixed(4)} | ${f.tprAtFpr.map(pct).join(' | ')} |\n`);
  const mean = (f: (typeof figures)[number]): number => f.tprAtFpr.reduce((a, b) => a + b, 0) / 3;
  const best = [...figures].sort((a, b) => mean(b) - mean(a) || a.logLoss - b.logLoss)[0]!;
  l2 = best.l2;
  l2Choice = { candidates, chosenBy: 'cross-validation on the training split', figures };
}
const weights = trainInjectionModel(ds.train, {
  name: values.name,
  ...common,
  ...(l2 !== undefined ? { l2 } : {}),
  metadata: {
    ...(l2Choice ? { l2Selection: l2Choice } : {}),
    seed,
    texts: ds.train.length,
    heldOutCategories: ds.heldOutCategories,
    background: background.map((p) => relative(data, p)),
  },
});
const json = JSON.stringify(weights);
writeFileSync(out, `${json}\n`);
const seconds = (performance.now() - started) / 1000;

const model = createLinearInjectionModel(weights);
const flagged = (label: 0 | 1): string => {
  const xs = ds.heldOut.filter((s) => s.label === label);
  const n = xs.filter((s) => model.score(s.text).score >= 0.8).length;
  return `${n}/${xs.length}`;
};
process.stdout.write(
  `wrote ${out} (${(json.length / 1024).toFixed(0)} KiB, ${weights.lexical.weights.length} lexical weights) ` +
    `from ${ds.train.length} training texts in ${seconds.toFixed(1)} s\n` +
    `held-out at 0.8: positives flagged ${flagged(1)}, negatives flagged ${flagged(0)}\n`,
);
