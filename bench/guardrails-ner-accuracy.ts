/**
 * Precision, recall and F2 of the Guardrails NER recognizer (person_name, organization, location) on
 * Presidio's synthetic dataset (microsoft/presidio-research, synth_dataset_v2.json, MIT), beside
 * Presidio's own published PERSON figures as the baseline.
 *
 *   npx tsx bench/guardrails-ner-accuracy.ts [--dataset path] [--seed N] [--verbose dev|held-out|all]
 *
 * The dataset is split by template (its sentences come from ~200 templates filled with fake values):
 * a seeded random half of the templates is "dev", the rules were tuned looking only at it; the other
 * half is "held-out", sentences whose wording the rules never saw. Both halves and the whole set are
 * reported.
 *
 * Two scores per type:
 *   token: each word (letters/digits run) is labelled by the gold span and by the finding covering it;
 *          precision/recall over words, as presidio-research's evaluator does (its PERSON figures,
 *          F2 0.634, P 0.685, R 0.603, are token-level).
 *   span:  a gold span is found when a finding of its type overlaps it; a finding is correct when it
 *          overlaps a gold span of its type.
 * Dataset labels: PERSON → person_name, ORGANIZATION → organization, GPE/LOCATION → location. A
 * location or organization finding inside a labelled STREET_ADDRESS ("Gdańsk, Poland 52096") is
 * neither right nor wrong: the dataset labels towns and countries inside addresses as address in
 * some templates and as GPE in others, and redacting them is what a user wants either way. Person
 * findings inside addresses do count as false positives.
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createNerRecognizer } from '../src/guardrails/ner/index.js';
import type { EntityFinding, EntityRecognizer } from '../src/guardrails/types.js';
import { DEFAULT_DATASET, loadPresidioDataset, type PresidioSample } from './pii-accuracy.js';
import { prng } from './lib/prng.js';

export type NerType = 'person_name' | 'organization' | 'location';
export const NER_TYPES: readonly NerType[] = ['person_name', 'organization', 'location'];

/** Dataset entity names → NER types. */
export const NER_LABELS: Readonly<Record<string, NerType>> = {
  PERSON: 'person_name',
  ORGANIZATION: 'organization',
  GPE: 'location',
  LOCATION: 'location',
};

/** Presidio analyzer with spaCy, PERSON, as published by presidio-research (token level). */
export const PRESIDIO_PERSON = { precision: 0.685, recall: 0.603, f2: 0.634 } as const;

/** Counts and ratios for one type. */
export interface NerScore {
  tp: number;
  fp: number;
  fn: number;
  precision: number;
  recall: number;
  f2: number;
}

export interface NerReport {
  samples: number;
  token: Record<NerType, NerScore>;
  span: Record<NerType, NerScore>;
  misses: Array<{ type: NerType; value: string; context: string }>;
  falsePositives: Array<{ type: NerType; value: string; context: string; recognizer: string }>;
}

/** Template-grouped split: `dev` holds a seeded random half of the templates. */
export function splitByTemplate(
  samples: readonly (PresidioSample & { template_id?: number })[],
  seed: number,
): { dev: PresidioSample[]; heldOut: PresidioSample[] } {
  const templates = [...new Set(samples.map((s) => s.template_id ?? -1))].sort((a, b) => a - b);
  const random = prng(seed);
  const devTemplates = new Set(templates.filter(() => random() < 0.5));
  return {
    dev: samples.filter((s) => devTemplates.has(s.template_id ?? -1)),
    heldOut: samples.filter((s) => !devTemplates.has(s.template_id ?? -1)),
  };
}

function score(tp: number, fp: number, fn: number): NerScore {
  const precision = tp + fp === 0 ? 1 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 1 : tp / (tp + fn);
  const f2 = precision + recall === 0 ? 0 : (5 * precision * recall) / (4 * precision + recall);
  return { tp, fp, fn, precision, recall, f2 };
}

function around(text: string, start: number, end: number): string {
  return text.slice(Math.max(0, start - 35), Math.min(text.length, end + 20)).replace(/\n/g, '\\n');
}

/**
 * Runs the recognizer over every sample and scores it per type, at token and span level.
 *
 * @example
 * const report = evaluateNer(loadPresidioDataset(), createNerRecognizer());
 * report.token.person_name.f2; // ≈ 0.9
 */
export function evaluateNer(samples: readonly PresidioSample[], recognizer: EntityRecognizer): NerReport {
  const counts = (): Record<NerType, [number, number, number]> => ({
    person_name: [0, 0, 0],
    organization: [0, 0, 0],
    location: [0, 0, 0],
  });
  const tok = counts();
  const spn = counts();
  const misses: NerReport['misses'] = [];
  const falsePositives: NerReport['falsePositives'] = [];
  for (const sample of samples) {
    const text = sample.full_text;
    const findings = recognizer
      .analyze(text)
      .filter((f): f is EntityFinding & { type: NerType } =>
        (NER_TYPES as readonly string[]).includes(f.type),
      );
    const addresses = sample.spans.filter((s) => s.entity_type === 'STREET_ADDRESS');
    const insideAddress = (f: EntityFinding): boolean =>
      f.type !== 'person_name' &&
      addresses.some((a) => a.start_position <= f.start && f.end <= a.end_position);
    const gold = sample.spans.map((s) => ({
      type: NER_LABELS[s.entity_type],
      start: s.start_position,
      end: s.end_position,
    }));
    for (const m of text.matchAll(/[\p{L}\p{M}\p{N}]+/gu)) {
      const s = m.index;
      const e = s + m[0].length;
      const g = gold.find((x) => x.start < e && s < x.end)?.type;
      const hit = findings.find((x) => x.start < e && s < x.end);
      if (hit && !g && insideAddress(hit)) continue;
      const p = hit?.type;
      if (g && g === p) tok[g][0]++;
      else {
        if (p) tok[p][1]++;
        if (g) tok[g][2]++;
      }
    }
    for (const g of gold) {
      if (!g.type) continue;
      if (findings.some((f) => f.type === g.type && f.start < g.end && g.start < f.end)) spn[g.type][0]++;
      else {
        spn[g.type][2]++;
        misses.push({
          type: g.type,
          value: text.slice(g.start, g.end),
          context: around(text, g.start, g.end),
        });
      }
    }
    for (const f of findings) {
      if (!gold.some((g) => g.type === f.type && f.start < g.end && g.start < f.end) && !insideAddress(f)) {
        spn[f.type][1]++;
        falsePositives.push({
          type: f.type,
          value: text.slice(f.start, f.end),
          context: around(text, f.start, f.end),
          recognizer: f.recognizer,
        });
      }
    }
  }
  const finish = (c: Record<NerType, [number, number, number]>): Record<NerType, NerScore> => ({
    person_name: score(...c.person_name),
    organization: score(...c.organization),
    location: score(...c.location),
  });
  return { samples: samples.length, token: finish(tok), span: finish(spn), misses, falsePositives };
}

const pct = (x: number): string => x.toFixed(3);

function main(): void {
  const { values } = parseArgs({
    options: {
      dataset: { type: 'string', default: DEFAULT_DATASET },
      seed: { type: 'string', default: '7' },
      verbose: { type: 'string' },
    },
  });
  const samples = loadPresidioDataset(values.dataset);
  const { dev, heldOut } = splitByTemplate(samples, Number(values.seed));
  const recognizer = createNerRecognizer();
  const parts: Array<[string, PresidioSample[]]> = [
    ['dev', dev],
    ['held-out', heldOut],
    ['all', samples],
  ];
  const lines = [
    '| split | n | type | level | precision | recall | F2 | F2 / Presidio |',
    '|---|---|---|---|---|---|---|---|',
  ];
  const reports = new Map<string, NerReport>();
  for (const [label, set] of parts) {
    const report = evaluateNer(set, recognizer);
    reports.set(label, report);
    for (const type of NER_TYPES) {
      for (const level of ['token', 'span'] as const) {
        const s = report[level][type];
        const ratio =
          type === 'person_name' && level === 'token' ? (s.f2 / PRESIDIO_PERSON.f2).toFixed(2) : '';
        lines.push(
          `| ${label} | ${set.length} | ${type} | ${level} | ${pct(s.precision)} | ${pct(s.recall)} | ${pct(s.f2)} | ${ratio} |`,
        );
      }
    }
  }
  lines.push(
    `| baseline: Presidio+spaCy (published) | 1500 | person_name | token | ${pct(PRESIDIO_PERSON.precision)} | ${pct(PRESIDIO_PERSON.recall)} | ${pct(PRESIDIO_PERSON.f2)} | 1.00 |`,
  );
  process.stdout.write(`${lines.join('\n')}\n`);
  const verbose = values.verbose ? reports.get(values.verbose) : undefined;
  if (verbose) {
    for (const m of verbose.misses)
      process.stdout.write(`MISS ${m.type} ${JSON.stringify(m.value)} :: ${m.context}\n`);
    for (const f of verbose.falsePositives) {
      process.stdout.write(`FP   ${f.type} ${JSON.stringify(f.value)} (${f.recognizer}) :: ${f.context}\n`);
    }
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
