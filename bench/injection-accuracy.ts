/**
 * Accuracy of the built-in prompt-injection scorer on the development sets in ../shared/datasets/injection
 * (see its README). Reproducible: attacks are inserted with a seeded generator.
 *
 *   npx tsx bench/injection-accuracy.ts [--seed N] [--per-attack K] [--verbose]
 *
 * Positives: every BIPIA attack string (text attacks into BIPIA emails, code attacks into BIPIA code
 * answers, as BIPIA pairs them) inserted at a random whitespace position of K random contexts.
 * Negatives: the unmodified contexts, InjecGuard valid's benign rows, NotInject (over-defence check).
 * InjecGuard valid's injection rows are a second, separately reported positive set.
 * Honesty check: attack categories alternate between a "tune" half and a "held-out" half; both are
 * reported. Not a test: it prints figures for docs/injection.md.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInjectionScorer, DEFAULT_OPERATING_THRESHOLD } from '../src/content/injection/index.js';
import { prng } from './lib/prng.js';

const args = process.argv.slice(2);
const flag = (name: string, dflt: number): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const SEED = flag('--seed', 20240611);
const PER_ATTACK = flag('--per-attack', 4);
const VERBOSE = args.includes('--verbose');
const DIR = resolve(
  process.env.DECLAW_DATASETS ?? join(import.meta.dirname, '..', '..', 'shared', 'datasets'),
  'injection',
);

const rand = prng(SEED);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;

interface Sample {
  set: string;
  category: string;
  split: 'tune' | 'held-out' | '-';
  text: string;
}

const jsonl = (f: string): Array<Record<string, unknown>> =>
  readFileSync(join(DIR, f), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
const json = <T>(f: string): T => JSON.parse(readFileSync(join(DIR, f), 'utf8')) as T;

const emails = jsonl('bipia_email_train.jsonl').map((r) => String(r.context));
const codes = jsonl('bipia_code_train.jsonl').map((r) => (r.context as string[]).join('\n'));
const textAttacks = json<Record<string, string[]>>('bipia_text_attack_train.json');
const codeAttacks = json<Record<string, string[]>>('bipia_code_attack_train.json');
const valid = json<Array<{ prompt: string; label: number }>>('injecguard_valid.json');
const notInject = json<Array<{ prompt: string; category: string }>>('injecguard_NotInject_one.json');

/** Inserts `attack` at a random whitespace position of `context` (or at its start or end). */
function insert(context: string, attack: string, lineMode: boolean): string {
  const cuts = [0, context.length];
  const ws = lineMode ? /\n/g : /\s+/g;
  for (let m = ws.exec(context); m; m = ws.exec(context)) cuts.push(m.index);
  const at = pick(cuts);
  const sep = lineMode ? '\n' : ' ';
  return `${context.slice(0, at)}${sep}${attack}${sep}${context.slice(at)}`;
}

const positives: Sample[] = [];
for (const [attacks, contexts, set, lineMode] of [
  [textAttacks, emails, 'bipia-text→email', false],
  [codeAttacks, codes, 'bipia-code→code', true],
] as const) {
  Object.entries(attacks).forEach(([category, list], ci) => {
    const split = ci % 2 === 0 ? 'tune' : 'held-out';
    for (const attack of list) {
      for (let k = 0; k < PER_ATTACK; k++) {
        positives.push({ set, category, split, text: insert(pick(contexts), attack, lineMode) });
      }
    }
  });
}
// Robustness check, not tuned on: every attack string once in a context of the other kind.
const crossed: Sample[] = [
  ...Object.values(textAttacks)
    .flat()
    .map((a) => ({
      set: 'crossed: text→code',
      category: '-',
      split: '-' as const,
      text: insert(pick(codes), a, true),
    })),
  ...Object.values(codeAttacks)
    .flat()
    .map((a) => ({
      set: 'crossed: code→email',
      category: '-',
      split: '-' as const,
      text: insert(pick(emails), a, false),
    })),
];
const injecguardPositives: Sample[] = valid
  .filter((r) => r.label === 1)
  .map((r) => ({ set: 'injecguard-valid-injection', category: '-', split: '-', text: r.prompt }));
const negatives: Sample[] = [
  ...emails.map((text) => ({ set: 'bipia-email', category: '-', split: '-' as const, text })),
  ...codes.map((text) => ({ set: 'bipia-code', category: '-', split: '-' as const, text })),
  ...valid
    .filter((r) => r.label === 0)
    .map((r) => ({ set: 'injecguard-valid-benign', category: '-', split: '-' as const, text: r.prompt })),
  ...notInject.map((r) => ({ set: 'notinject', category: r.category, split: '-' as const, text: r.prompt })),
];

const scorer = createInjectionScorer();
const scored = <T extends Sample>(xs: T[]) => xs.map((s) => ({ ...s, result: scorer.score(s.text) }));
const P = scored(positives);
const IG = scored(injecguardPositives);
const X = scored(crossed);
const N = scored(negatives);

const rate = (xs: Array<{ result: { score: number } }>, t: number): number =>
  xs.length === 0 ? 0 : xs.filter((x) => x.result.score >= t).length / xs.length;
const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
const groupBy = <T>(xs: T[], key: (x: T) => string): Map<string, T[]> => {
  const m = new Map<string, T[]>();
  for (const x of xs) m.set(key(x), [...(m.get(key(x)) ?? []), x]);
  return m;
};

const T = DEFAULT_OPERATING_THRESHOLD;
console.log(`seed ${SEED}, ${PER_ATTACK} insertions per attack string, default threshold ${T}\n`);
console.log('| set | n | flagged at default threshold |');
console.log('|---|---:|---:|');
for (const [set, xs] of groupBy(P, (x) => x.set))
  console.log(`| positive: ${set} | ${xs.length} | ${pct(rate(xs, T))} (TPR) |`);
console.log(`| positive: all BIPIA | ${P.length} | ${pct(rate(P, T))} (TPR) |`);
for (const split of ['tune', 'held-out'] as const) {
  const xs = P.filter((x) => x.split === split);
  console.log(`| positive: BIPIA, ${split} categories | ${xs.length} | ${pct(rate(xs, T))} (TPR) |`);
}
console.log(`| positive: injecguard-valid-injection (separate) | ${IG.length} | ${pct(rate(IG, T))} (TPR) |`);
for (const [set, xs] of groupBy(X, (x) => x.set))
  console.log(`| positive, ${set} (separate) | ${xs.length} | ${pct(rate(xs, T))} (TPR) |`);
for (const [set, xs] of groupBy(N, (x) => x.set))
  console.log(`| negative: ${set} | ${xs.length} | ${pct(rate(xs, T))} (FPR) |`);
console.log(`| negative: all | ${N.length} | ${pct(rate(N, T))} (FPR) |`);

console.log(
  '\nROC-style table (TPR on BIPIA positives, TPR on InjecGuard injections, FPR on all negatives)\n',
);
console.log('| threshold | TPR BIPIA | TPR held-out | TPR InjecGuard | FPR all | FPR NotInject |');
console.log('|---:|---:|---:|---:|---:|---:|');
const heldOut = P.filter((x) => x.split === 'held-out');
const ni = N.filter((x) => x.set === 'notinject');
for (let t = 0.1; t < 0.96; t += 0.05) {
  const th = Math.round(t * 100) / 100;
  console.log(
    `| ${th.toFixed(2)} | ${pct(rate(P, th))} | ${pct(rate(heldOut, th))} | ${pct(rate(IG, th))} | ${pct(rate(N, th))} | ${pct(rate(ni, th))} |`,
  );
}

console.log('\nTPR per attack category at the default threshold\n');
console.log('| category | split | TPR |');
console.log('|---|---|---:|');
for (const [cat, xs] of groupBy(P, (x) => `${x.category}\t${x.split}`)) {
  const [c, s] = cat.split('\t');
  console.log(`| ${c} | ${s} | ${pct(rate(xs, T))} |`);
}

if (VERBOSE) {
  const show = (
    label: string,
    xs: Array<Sample & { result: { score: number; signals: Array<{ id: string }> } }>,
  ) => {
    console.log(`\n${label}`);
    for (const x of xs) {
      console.log(
        `  ${x.result.score.toFixed(3)} [${x.set}/${x.category}] ${x.result.signals.map((s) => s.id).join(',')} :: ${JSON.stringify(x.text.slice(0, 160))}`,
      );
    }
  };
  show(
    'false positives',
    N.filter((x) => x.result.score >= T),
  );
  show(
    'negatives scoring ≥ 0.4',
    N.filter((x) => x.result.score >= 0.4 && x.result.score < T),
  );
  show(
    'missed BIPIA positives (first per attack)',
    P.filter((x, i) => x.result.score < T && (i % PER_ATTACK === 0 || true)).slice(0, 400),
  );
  show(
    'missed InjecGuard injections',
    IG.filter((x) => x.result.score < T),
  );
}
