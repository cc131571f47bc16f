/**
 * Held-out accuracy of the Guardrails injection classifier against the built-in heuristic, on the
 * seeded split the classifier was trained beside (scripts/train-injection.ts; same data folder, same
 * seed, read from the weights file). Not a test: it prints the figures for docs/guardrails-injection.md.
 *
 *   npx tsx bench/guardrails-injection-accuracy.ts [--model FILE] [--data DIR] [--readmes N]
 *
 * Held out: BIPIA attack strings (per category) and whole categories, inserted into held-out BIPIA
 * documents; the held-out documents themselves; the held-out rows of InjecGuard valid and NotInject.
 * The heuristic's rules were written while looking at all of these sets, so its figures are
 * optimistic; the classifier never saw a held-out row.
 * Extra over-defence checks, reported apart: the held-out half of the background texts (Presidio's
 * synthetic sentences) and N README files of installed npm packages the model was not trained on.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createInjectionScorer, DEFAULT_OPERATING_THRESHOLD } from '../src/content/injection/index.js';
import { createLinearInjectionModel } from '../src/guardrails/injection/classifier.js';
import { loadInjectionDataset, type LabelledText } from '../src/guardrails/injection/dataset.js';
import { bundledModelPath, readInjectionWeights } from '../src/guardrails/injection/index.js';

const { values } = parseArgs({
  options: {
    model: { type: 'string' },
    data: { type: 'string' },
    readmes: { type: 'string', default: '200' },
    verbose: { type: 'boolean', default: false },
  },
});
const root = resolve(import.meta.dirname, '..');
const data = resolve(
  values.data ?? join(process.env.DECLAW_DATASETS ?? join(root, '..', 'shared', 'datasets'), 'injection'),
);
const weights = readInjectionWeights(values.model ?? bundledModelPath());
const seed = Number(weights.training?.seed ?? 1);
const background = ((weights.training?.background as string[] | undefined) ?? []).map((p) =>
  resolve(data, p),
);
const ds = loadInjectionDataset(data, { seed, background });
const heuristic = createInjectionScorer();
const model = createLinearInjectionModel(weights, { heuristic });

interface Scored extends LabelledText {
  h: number;
  m: number;
}
const score = (s: LabelledText): Scored => ({
  ...s,
  h: heuristic.score(s.text).score,
  m: model.score(s.text).score,
});
const held = ds.heldOut.filter((s) => !s.set.startsWith('background')).map(score);
const heldBackground = ds.heldOut.filter((s) => s.set.startsWith('background:presidio')).map(score);
const trainedOn = new Set(ds.train.filter((s) => s.set.startsWith('background')).map((s) => s.category));
const P = held.filter((s) => s.label === 1);
const N = held.filter((s) => s.label === 0);
const bipia = P.filter((s) => s.set.startsWith('bipia'));
const byCategory = P.filter((s) => s.heldOut === 'category');
const crossed = P.filter((s) => s.set === 'crossed');
const injecguard = P.filter((s) => s.set === 'injecguard-valid');
const notInject = N.filter((s) => s.set === 'notinject');

const readmes: Scored[] = [];
const nodeModules = join(root, 'node_modules');
for (const name of readdirSync(nodeModules).sort()) {
  if (readmes.length >= Number(values.readmes)) break;
  if (name.startsWith('.') || name.startsWith('@') || trainedOn.has(name)) continue;
  try {
    const text = readFileSync(join(nodeModules, name, 'README.md'), 'utf8');
    readmes.push(score({ text, label: 0, set: 'readme', category: '-' }));
  } catch {
    // A package without a README.md.
  }
}

type Key = 'h' | 'm';
const rate = (xs: Scored[], k: Key, t: number): number =>
  xs.length === 0 ? 0 : xs.filter((x) => x[k] >= t).length / xs.length;
const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

/** Lowest threshold whose FPR on `negatives` is at most `fpr`, and the TPR there. */
function atFpr(
  k: Key,
  fpr: number,
  positives: Scored[],
  negatives: Scored[] = N,
): { t: number; tpr: number; fpr: number } {
  const ts = [...new Set([...negatives, ...positives].map((x) => x[k]))].sort((a, b) => a - b);
  for (const t of ts) {
    if (t <= 0) continue;
    const f = rate(negatives, k, t);
    if (f <= fpr + 1e-12) return { t, tpr: rate(positives, k, t), fpr: f };
  }
  return { t: 1.01, tpr: 0, fpr: 0 };
}

const T = DEFAULT_OPERATING_THRESHOLD;
console.log(
  `model ${weights.name} (seed ${seed}); held-out: ${P.length} positives (${bipia.length} BIPIA, ` +
    `${crossed.length} crossed, ${injecguard.length} InjecGuard), ${N.length} negatives; ` +
    `categories held out whole: ${ds.heldOutCategories.join(', ')}\n`,
);

console.log('At the default threshold 0.8\n');
console.log('| set | n | heuristic | classifier |');
console.log('|---|---:|---:|---:|');
const row = (label: string, xs: Scored[], what: string): void =>
  console.log(
    `| ${label} | ${xs.length} | ${pct(rate(xs, 'h', T))} | ${pct(rate(xs, 'm', T))} | `.replace(
      / \| $/,
      ` (${what}) |`,
    ),
  );
row('positives: BIPIA, held-out strings and categories', bipia, 'TPR');
row('positives: BIPIA, whole held-out categories only', byCategory, 'TPR');
row('positives: crossed (text attack in code, code attack in email)', crossed, 'TPR');
row('positives: InjecGuard valid injection rows', injecguard, 'TPR');
row('**positives: all held-out**', P, 'TPR');
for (const set of [...new Set(N.map((x) => x.set))])
  row(
    `negatives: ${set}`,
    N.filter((x) => x.set === set),
    'FPR',
  );
row('**negatives: all held-out**', N, 'FPR');
row('negatives, background: Presidio synthetic sentences (held-out half)', heldBackground, 'FPR');
row('negatives, background: npm README files (packages not trained on)', readmes, 'FPR');

console.log('\nTPR at equal FPR on the held-out negatives (threshold chosen per scorer)\n');
console.log('| FPR at most | positives | heuristic: threshold, TPR, FPR | classifier: threshold, TPR, FPR |');
console.log('|---:|---|---|---|');
const hAtDefault = rate(N, 'h', T);
for (const [label, f] of [
  [`${pct(hAtDefault)} (heuristic at 0.8)`, hAtDefault],
  ['1%', 0.01],
  ['2%', 0.02],
  ['5%', 0.05],
] as const) {
  for (const [name, pos] of [
    ['all', P],
    ['BIPIA', bipia],
  ] as const) {
    const h = atFpr('h', f, pos);
    const m = atFpr('m', f, pos);
    console.log(
      `| ${label} | ${name} | ${h.t.toFixed(3)}, **${pct(h.tpr)}**, ${pct(h.fpr)} | ${m.t.toFixed(3)}, **${pct(m.tpr)}**, ${pct(m.fpr)} |`,
    );
  }
}

// Over-defence is the other cost: the same comparison with the README files as the negatives.
const readmeAtDefault = rate(readmes, 'h', T);
for (const [label, f] of [
  [`${pct(readmeAtDefault)} of READMEs (heuristic at 0.8)`, readmeAtDefault],
  ['2% of READMEs', 0.02],
] as const) {
  const h = atFpr('h', f, P, readmes);
  const m = atFpr('m', f, P, readmes);
  console.log(
    `| ${label} | all | ${h.t.toFixed(3)}, **${pct(h.tpr)}**, ${pct(h.fpr)} | ${m.t.toFixed(3)}, **${pct(m.tpr)}**, ${pct(m.fpr)} |`,
  );
}

const stage2 = weights.training?.stackHeuristicRatio;
if (stage2 !== undefined)
  console.log(`\nstage 2: heuristic weight ${String(stage2)}× the word model's logit`);

for (const k of ['h', 'm'] as const) {
  console.log(`\nROC table: ${k === 'h' ? 'built-in heuristic' : `classifier ${weights.name}`}\n`);
  console.log(
    '| threshold | TPR all | TPR BIPIA | TPR held-out categories | TPR InjecGuard | FPR all | FPR NotInject | FPR READMEs |',
  );
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const t of [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 0.98, 0.99]) {
    console.log(
      `| ${t.toFixed(2)} | ${pct(rate(P, k, t))} | ${pct(rate(bipia, k, t))} | ${pct(rate(byCategory, k, t))} | ${pct(rate(injecguard, k, t))} | ${pct(rate(N, k, t))} | ${pct(rate(notInject, k, t))} | ${pct(rate(readmes, k, t))} |`,
    );
  }
}

if (values.verbose) {
  for (const x of held.filter((s) => (s.label === 1 ? s.m < T : s.m >= T))) {
    console.log(
      `${x.label ? 'missed' : 'false +'} m=${x.m.toFixed(3)} h=${x.h.toFixed(3)} [${x.set}/${x.category}] ${JSON.stringify(x.text.slice(0, 140))}`,
    );
  }
  for (const x of readmes.filter((s) => s.m >= T))
    console.log(`readme false + m=${x.m.toFixed(3)} ${JSON.stringify(x.text.slice(0, 100))}`);
}
