/**
 * Inference speed of the Guardrails injection classifier against the built-in heuristic alone,
 * measured in the same run on the same bodies (the classifier runs the heuristic as one of its
 * features, so the heuristic is the baseline). Goal: classifier ≥ 0.5× the heuristic's throughput.
 *
 *   npx tsx bench/guardrails-injection-throughput.ts [--rounds N]
 *
 * Bodies: short texts (the benign and injected development texts, ~0.5 KiB each, as the service
 * receives them one request at a time), and 1 MiB plain, HTML and JSON bodies of the same texts.
 * Not a test: figures depend on the machine. One core (main thread).
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createInjectionScorer } from '../src/content/injection/index.js';
import { loadBundledInjectionModel } from '../src/guardrails/injection/index.js';
import { prng } from './lib/prng.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' } } });
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

/** Best of ROUNDS runs: seconds per pass over `items`. */
function time(f: (s: string) => unknown, items: string[]): number {
  let best = Infinity;
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now();
    for (const s of items) f(s);
    best = Math.min(best, (performance.now() - t0) / 1000);
  }
  return best;
}

console.log(`best of ${ROUNDS} rounds, one core\n`);
console.log(
  '| body | heuristic texts/s | heuristic MiB/s | classifier texts/s | classifier MiB/s | classifier / heuristic |',
);
console.log('|---|---:|---:|---:|---:|---:|');
for (const b of bodies) {
  const size = b.items.reduce((n, s) => n + Buffer.byteLength(s), 0) / MIB;
  const h = time((s) => heuristic.score(s, b.contentType), b.items);
  const m = time((s) => model.score(s, b.contentType), b.items);
  const fmt = (x: number): string => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
  console.log(
    `| ${b.name} | ${fmt(b.items.length / h)} | ${fmt(size / h)} | ${fmt(b.items.length / m)} | ${fmt(size / m)} | ${(h / m).toFixed(2)} |`,
  );
}
