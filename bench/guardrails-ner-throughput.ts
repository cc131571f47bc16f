/**
 * Sentences per second of the Guardrails NER recognizer on one core, against compromise's own tagger
 * (`nlp(s).people()`) on the same sentences as the baseline measured in the same run.
 *
 *   npx tsx bench/guardrails-ner-throughput.ts [--dataset path] [--seconds 2]
 *
 * Sentences: every text of Presidio's synthetic dataset split with Intl.Segmenter (English sentence
 * boundaries), so lengths and shapes are those of real prompts. Each row runs for at least the given
 * number of seconds after a warm-up pass.
 */
import nlp from 'compromise';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createNerRecognizer } from '../src/guardrails/ner/index.js';
import { DEFAULT_DATASET, loadPresidioDataset } from './pii-accuracy.js';

/** The dataset's texts cut into sentences. */
export function sentencesOf(texts: readonly string[]): string[] {
  const segmenter = new Intl.Segmenter('en', { granularity: 'sentence' });
  const out: string[] = [];
  for (const text of texts) {
    for (const { segment } of segmenter.segment(text)) if (segment.trim() !== '') out.push(segment);
  }
  return out;
}

/** Runs `fn` over all sentences repeatedly for at least `seconds`; returns sentences per second. */
function rate(sentences: readonly string[], seconds: number, fn: (s: string) => unknown): number {
  for (const s of sentences) fn(s);
  let done = 0;
  const started = process.hrtime.bigint();
  const budget = BigInt(Math.round(seconds * 1e9));
  let elapsed = 0n;
  while (elapsed < budget) {
    for (const s of sentences) fn(s);
    done += sentences.length;
    elapsed = process.hrtime.bigint() - started;
  }
  return done / (Number(elapsed) / 1e9);
}

function main(): void {
  const { values } = parseArgs({
    options: {
      dataset: { type: 'string', default: DEFAULT_DATASET },
      seconds: { type: 'string', default: '2' },
    },
  });
  const seconds = Number(values.seconds);
  const sentences = sentencesOf(loadPresidioDataset(values.dataset).map((s) => s.full_text));
  const ner = createNerRecognizer();
  const personOnly = new Set(['person_name'] as const);
  const baseline = rate(sentences, seconds, (s) => nlp(s).people().out('offset'));
  const rows: Array<[string, number]> = [
    ['compromise nlp(s).people() (baseline)', baseline],
    ['declaw NER, person_name only', rate(sentences, seconds, (s) => ner.analyze(s, personOnly))],
    ['declaw NER, all three types', rate(sentences, seconds, (s) => ner.analyze(s))],
  ];
  const lines = [
    `${sentences.length} sentences, mean ${Math.round(sentences.reduce((n, s) => n + s.length, 0) / sentences.length)} chars`,
    '| recognizer | sentences/s | ratio |',
    '|---|---|---|',
    ...rows.map(([label, r]) => `| ${label} | ${Math.round(r)} | ${(r / baseline).toFixed(1)}x |`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
