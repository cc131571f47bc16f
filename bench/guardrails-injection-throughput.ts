/**
 * Inference speed of the Guardrails injection classifier against the built-in heuristic alone,
 * measured in the same run on the same bodies (the classifier runs the heuristic as one of its
 * features, so the heuristic is the baseline). Goal: classifier ≥ 0.5× the heuristic's throughput.
 *
 *   npx tsx bench/guardrails-injection-throughput.ts [--rounds N]
 *
 * Bodies: short texts (the benign and injected development texts, ~0.5 KiB each, as the service
 * receives them one request at a time), and 1 MiB plain, HTML and JSON bodies of the same texts.
 * Rounds alternate which scorer runs first; rates come from each side's best round, and the median
 * of per-round ratios is printed beside their ratio as a check on the load of a shared machine. Not a test: figures depend on the machine. One
 * core (main thread).
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createInjectionScorer } from '../src/content/injection/index.js';
import { loadBundledInjectionModel } from '../src/guardrails/injection/index.js';
import { prng } from './lib/prng.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '15' } } });
const ROUNDS = Number(values.rounds);
const MIB = 1024 * 1024;
const DIR = resolve(
  process.env.DECLAW_DATASETS ?? join(import.meta.dirname, '..', '..', 'shared', 'datasets'),
  'injection',
);
const jsonl = (f: string): Array<Record<string, unknown>> =>
  readFileSync(join(DIR, f), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
const texts: string[] = [
  ...jsonl('bipia_email_train.jsonl').map((r) => String(r.context)),
  ...jsonl('bipia_code_train.jsonl').map((r) => (r.context as string[]).join('\n')),
  ...(JSON.parse(readFileSync(join(DIR, 'injecguard_valid.json'), 'utf8')) as Array<{ prompt: string }>).map(
    (r) => r.prompt,
  ),
];
const rand = prng(7);
const mib = (): string[] => {
  const out: string[] = [];
  for (let n = 0; n < MIB;) {
    const t = texts[Math.floor(rand() * texts.length)]!;
    out.push(t);
    n += t.length + 2;
  }
  return out;
};
const escape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
const plain = mib().join('\n\n');
const bodies: Array<{ name: string; items: string[]; contentType?: string }> = [
  { name: `${texts.length} short texts (one call each)`, items: texts },
  { name: '1 MiB plain text', items: [plain] },
  {
    name: '1 MiB HTML',
    items: [
      `<html><body>${mib()
        .map((t) => `<p>${escape(t)}</p>`)
        .join('\n')}</body></html>`,
    ],
    contentType: 'text/html',
  },
  {
    name: '1 MiB JSON',
    items: [JSON.stringify({ data: mib().map((t, i) => ({ id: i, text: t })) })],
    contentType: 'application/json',
  },
];

const heuristic = createInjectionScorer();
const model = loadBundledInjectionModel({ heuristic });

/** Seconds of one pass over `items`; short sets are repeated up to ~50 ms so timer noise stays small. */
function pass(f: (s: string) => unknown, items: string[], repeat: number): number {
  const t0 = performance.now();
  for (let r = 0; r < repeat; r++) for (const s of items) f(s);
  return (performance.now() - t0) / 1000 / repeat;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

console.log(
  `${ROUNDS} interleaved rounds after a warm-up, one core; rates and their ratio are from each side's best round\n`,
);
console.log(
  '| body | heuristic texts/s | heuristic MiB/s | classifier texts/s | classifier MiB/s | classifier / heuristic | median of round ratios |',
);
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const b of bodies) {
  const size = b.items.reduce((n, s) => n + Buffer.byteLength(s), 0) / MIB;
  const hf = (s: string): unknown => heuristic.score(s, b.contentType);
  const mf = (s: string): unknown => model.score(s, b.contentType);
  // Warm-up (JIT) of both, then rounds that alternate which goes first, so load drifts hit both alike.
  const once = pass(hf, b.items, 1) + pass(mf, b.items, 1);
  const repeat = Math.max(1, Math.ceil(0.05 / Math.max(once / 2, 1e-6)));
  const hs: number[] = [];
  const ms: number[] = [];
  const ratios: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const first = r % 2 === 0;
    const m1 = first ? pass(mf, b.items, repeat) : 0;
    const h = pass(hf, b.items, repeat);
    const m = first ? m1 : pass(mf, b.items, repeat);
    hs.push(h);
    ms.push(m);
    ratios.push(h / m);
  }
  // Best rounds: on a shared machine, load only ever slows a round down.
  const h = Math.min(...hs);
  const m = Math.min(...ms);
  const fmt = (x: number): string => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
  console.log(
    `| ${b.name} | ${fmt(b.items.length / h)} | ${fmt(size / h)} | ${fmt(b.items.length / m)} | ${fmt(size / m)} | ${(h / m).toFixed(2)} | ${median(ratios).toFixed(2)} |`,
  );
}
