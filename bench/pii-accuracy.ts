/**
 * Precision and recall of the built-in PII scanner per type on Presidio's synthetic dataset
 * (microsoft/presidio-research, data/synth_dataset_v2.json, MIT).
 *
 *   npx tsx bench/pii-accuracy.ts [--dataset path] [--regions US,GB] [--verbose]
 *
 * Matching rule: a finding counts as correct when it overlaps a labelled span of the same type (after
 * mapping the dataset's entity names to declaw's types); a labelled span counts as found when at least
 * one finding of its type overlaps it. Findings that overlap nothing, or only spans of another type,
 * are false positives. "exact" is the share of found spans whose boundaries match exactly. Samples
 * without any labelled span are benign: none of them may get a finding of any type.
 * The baseline row is the npm package redact-pii on the same samples (a type counts as recalled when
 * the labelled value no longer appears in its output), to put the figures in perspective.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { PiiType } from '../src/policy/pii-types.js';
import type { PiiFinding, PiiScanner } from '../src/content/pii/types.js';
import { createPiiScanner } from '../src/content/pii/scanner.js';
import { xorshift32 } from './lib/prng.js';

/** One sample of the Presidio synthetic dataset. */
export interface PresidioSample {
  full_text: string;
  spans: Array<{ entity_type: string; entity_value: string; start_position: number; end_position: number }>;
}

/** Dataset entity names → declaw types. Entities not listed here are ignored. */
export const ENTITY_TO_TYPE: Readonly<Record<string, PiiType>> = {
  PERSON: 'person_name',
  PHONE_NUMBER: 'phone_number',
  CREDIT_CARD: 'credit_card',
  EMAIL_ADDRESS: 'email',
  US_SSN: 'ssn',
  IP_ADDRESS: 'ip_address',
};

/** Per-type counts and ratios. */
export interface TypeScore {
  type: PiiType;
  gold: number;
  found: number;
  exact: number;
  findings: number;
  truePositives: number;
  precision: number;
  recall: number;
}

/** The whole evaluation. */
export interface AccuracyReport {
  perType: TypeScore[];
  benignSamples: number;
  benignWithFindings: number;
  /** Findings of types the dataset does not label (api_key), with their text, for inspection. */
  unlabelled: Array<{ type: PiiType; value: string }>;
  misses: Array<{ type: PiiType; value: string; context: string }>;
  falsePositives: Array<{ type: PiiType; value: string; context: string; overlaps?: string }>;
}

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Default location of the dataset, next to the checkout as in the project's shared folder. */
export const DEFAULT_DATASET = resolve(repoRoot, '../shared/datasets/pii/presidio_synth_dataset_v2.json');

/** Reads the dataset file. */
export function loadPresidioDataset(path = DEFAULT_DATASET): PresidioSample[] {
  return JSON.parse(readFileSync(path, 'utf8')) as PresidioSample[];
}

function around(text: string, start: number, end: number): string {
  return text.slice(Math.max(0, start - 30), Math.min(text.length, end + 15)).replace(/\n/g, '\\n');
}

/**
 * Scans every sample for every type the scanner supports and scores the findings.
 *
 * @example
 * const report = evaluatePiiAccuracy(loadPresidioDataset(), createPiiScanner());
 * report.perType.find((t) => t.type === 'email')?.recall; // 1
 */
export function evaluatePiiAccuracy(samples: readonly PresidioSample[], scanner: PiiScanner): AccuracyReport {
  const types = new Set(scanner.supportedTypes);
  const scores = new Map<PiiType, TypeScore>();
  const scoreFor = (type: PiiType): TypeScore => {
    let s = scores.get(type);
    if (!s) {
      s = { type, gold: 0, found: 0, exact: 0, findings: 0, truePositives: 0, precision: 0, recall: 0 };
      scores.set(type, s);
    }
    return s;
  };
  for (const t of new Set(Object.values(ENTITY_TO_TYPE))) scoreFor(t);
  const report: AccuracyReport = {
    perType: [],
    benignSamples: 0,
    benignWithFindings: 0,
    unlabelled: [],
    misses: [],
    falsePositives: [],
  };
  for (const sample of samples) {
    const text = sample.full_text;
    const findings: PiiFinding[] = scanner.scan(text, types);
    if (sample.spans.length === 0) {
      report.benignSamples++;
      if (findings.length > 0) report.benignWithFindings++;
    }
    const gold = sample.spans.map((s) => ({ ...s, type: ENTITY_TO_TYPE[s.entity_type] }));
    for (const g of gold) {
      if (!g.type) continue;
      const s = scoreFor(g.type);
      s.gold++;
      const hits = findings.filter(
        (f) => f.type === g.type && f.start < g.end_position && g.start_position < f.end,
      );
      if (hits.length > 0) {
        s.found++;
        if (hits.some((f) => f.start === g.start_position && f.end === g.end_position)) s.exact++;
      } else if (supported(scanner, g.type)) {
        report.misses.push({
          type: g.type,
          value: g.entity_value,
          context: around(text, g.start_position, g.end_position),
        });
      }
    }
    for (const f of findings) {
      const labelled = new Set(Object.values(ENTITY_TO_TYPE));
      if (!labelled.has(f.type)) {
        report.unlabelled.push({ type: f.type, value: text.slice(f.start, f.end) });
        continue;
      }
      const s = scoreFor(f.type);
      s.findings++;
      const overlapping = gold.filter((g) => f.start < g.end_position && g.start_position < f.end);
      if (overlapping.some((g) => g.type === f.type)) s.truePositives++;
      else {
        report.falsePositives.push({
          type: f.type,
          value: text.slice(f.start, f.end),
          context: around(text, f.start, f.end),
          ...(overlapping[0] ? { overlaps: overlapping[0].entity_type } : {}),
        });
      }
    }
  }
  for (const s of scores.values()) {
    s.precision = s.findings === 0 ? 1 : s.truePositives / s.findings;
    s.recall = s.gold === 0 ? 1 : s.found / s.gold;
  }
  report.perType = [...scores.values()];
  return report;
}

function supported(scanner: PiiScanner, type: PiiType): boolean {
  return scanner.supportedTypes.has(type);
}

async function baselineRecall(samples: readonly PresidioSample[]): Promise<Map<PiiType, number>> {
  // Loaded only when the bench runs: the package is large and the accuracy test imports this file.
  const redactPii = await import('redact-pii');
  const redactor = new redactPii.SyncRedactor();
  const found = new Map<PiiType, [number, number]>();
  for (const sample of samples) {
    const out = redactor.redact(sample.full_text);
    for (const g of sample.spans) {
      const type = ENTITY_TO_TYPE[g.entity_type];
      if (!type) continue;
      const c = found.get(type) ?? [0, 0];
      c[1]++;
      if (!out.includes(g.entity_value)) c[0]++;
      found.set(type, c);
    }
  }
  return new Map([...found].map(([t, [hit, all]]) => [t, hit / all]));
}

const f3 = (x: number): string => x.toFixed(3);

/**
 * A copy of the samples with every labelled phone, card, SSN and IP value re-drawn at random in the
 * same format (same length, separators, country code and card brand prefix; Luhn and SSN rules kept),
 * so the figures can be checked on values the detectors were never developed against.
 */
export function redrawValues(samples: readonly PresidioSample[], seed: number): PresidioSample[] {
  const rnd = xorshift32(seed);
  const digit = (): string => String(Math.floor(rnd() * 10));
  const redraw = (value: string, keep: number): string => {
    let seen = 0;
    return value.replace(/\d/g, (d) => (seen++ < keep ? d : digit()));
  };
  const luhnFix = (value: string): string => {
    const digits = value.replace(/\D/g, '');
    for (let last = 0; last < 10; last++) {
      const candidate = digits.slice(0, -1) + String(last);
      let sum = 0;
      for (let i = 0; i < candidate.length; i++) {
        let d = Number(candidate[candidate.length - 1 - i]);
        if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
        sum += d;
      }
      if (sum % 10 === 0) return value.replace(/\d(?=\D*$)/, String(last));
    }
    return value;
  };
  const ssn = (value: string): string => {
    const area = String(1 + Math.floor(rnd() * 899)).padStart(3, '0');
    const safeArea = area === '666' ? '665' : area;
    const group = String(1 + Math.floor(rnd() * 99)).padStart(2, '0');
    const serial = String(1 + Math.floor(rnd() * 9999)).padStart(4, '0');
    const sep = value.match(/\D/)?.[0] ?? '';
    return `${safeArea}${sep}${group}${sep}${serial}`;
  };
  const ipv4 = (value: string): string =>
    value.includes(':')
      ? value
      : Array.from({ length: 4 }, () => String(1 + Math.floor(rnd() * 254))).join('.');
  return samples.map((sample) => {
    let text = sample.full_text;
    for (const span of sample.spans) {
      const old = text.slice(span.start_position, span.end_position);
      let fresh = old;
      if (span.entity_type === 'PHONE_NUMBER') {
        const keep = old.startsWith('+') ? 2 : old.replace(/\D/g, '').startsWith('0') ? 1 : 0;
        fresh = redraw(old, keep);
      } else if (span.entity_type === 'CREDIT_CARD') fresh = luhnFix(redraw(old, 4));
      else if (span.entity_type === 'US_SSN') fresh = ssn(old);
      else if (span.entity_type === 'IP_ADDRESS') fresh = ipv4(old);
      if (fresh.length !== old.length) continue;
      text = text.slice(0, span.start_position) + fresh + text.slice(span.end_position);
    }
    return {
      full_text: text,
      spans: sample.spans.map((s) => ({ ...s, entity_value: text.slice(s.start_position, s.end_position) })),
    };
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      dataset: { type: 'string', default: DEFAULT_DATASET },
      regions: { type: 'string', default: 'US' },
      verbose: { type: 'boolean', default: false },
      redraws: { type: 'string', default: '5' },
    },
  });
  const samples = loadPresidioDataset(values.dataset);
  const scanner = createPiiScanner({ phoneRegions: values.regions.split(',') });
  const started = performance.now();
  const report = evaluatePiiAccuracy(samples, scanner);
  const elapsed = performance.now() - started;
  const baseline = await baselineRecall(samples);

  const out = process.stdout;
  out.write(`PII accuracy on ${samples.length} samples (phone regions: ${values.regions})\n\n`);
  out.write(
    'type           gold  found  exact  findings  precision  recall   redact-pii recall  recall ratio\n',
  );
  for (const s of report.perType) {
    const supportedType = scanner.supportedTypes.has(s.type);
    const base = baseline.get(s.type) ?? 0;
    out.write(
      `${s.type.padEnd(14)} ${String(s.gold).padStart(4)}  ${String(s.found).padStart(5)}  ${String(s.exact).padStart(5)}  ` +
        `${String(s.findings).padStart(8)}  ${supportedType ? f3(s.precision).padStart(9) : '      n/a'}  ` +
        `${supportedType ? f3(s.recall).padStart(6) : '   n/a'}   ${f3(base).padStart(17)}  ` +
        `${supportedType && base > 0 ? `${(s.recall / base).toFixed(2)}x`.padStart(12) : '         n/a'}\n`,
    );
  }
  out.write(
    `\nbenign samples: ${report.benignSamples}, with any finding: ${report.benignWithFindings}\n` +
      `findings of unlabelled types (api_key): ${report.unlabelled.length}\n`,
  );
  const redraws = Number(values.redraws);
  if (redraws > 0) {
    out.write(`\nsame samples with labelled values re-drawn (${redraws} seeds): recall / precision\n`);
    for (let seed = 1; seed <= redraws; seed++) {
      const r = evaluatePiiAccuracy(redrawValues(samples, seed), scanner);
      const cells = r.perType
        .filter((t) => scanner.supportedTypes.has(t.type))
        .map((t) => `${t.type} ${f3(t.recall)}/${f3(t.precision)}`);
      out.write(`seed ${seed}: ${cells.join('  ')}\n`);
      if (values.verbose) {
        for (const m of r.misses)
          out.write(`  MISS ${m.type} ${JSON.stringify(m.value)} in ${JSON.stringify(m.context)}\n`);
        for (const f of r.falsePositives)
          out.write(`  FP   ${f.type} ${JSON.stringify(f.value)} in ${JSON.stringify(f.context)}\n`);
      }
    }
  }
  const bytes = samples.reduce((n, s) => n + Buffer.byteLength(s.full_text), 0);
  out.write(`scan time: ${elapsed.toFixed(0)} ms for ${(bytes / 1024).toFixed(0)} KiB of short samples\n`);
  if (values.verbose) {
    for (const m of report.misses)
      out.write(`MISS ${m.type} ${JSON.stringify(m.value)} in ${JSON.stringify(m.context)}\n`);
    for (const f of report.falsePositives) {
      out.write(
        `FP   ${f.type} ${JSON.stringify(f.value)} (${f.overlaps ?? 'unlabelled'}) in ${JSON.stringify(f.context)}\n`,
      );
    }
    for (const u of report.unlabelled) out.write(`UNLABELLED ${u.type} ${JSON.stringify(u.value)}\n`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  await main();
}
