/**
 * PII scan + redact throughput on 1 MiB of mixed JSON (chat requests with PII sprinkled through their
 * text, plus ids, numbers and nesting), compared in the same run with:
 *   - JSON.parse + JSON.stringify of the same body (a floor: what merely touching the JSON costs), and
 *   - the npm package `redact-pii` (SyncRedactor) on the same text.
 * Goals (issue 3): >= 50 MiB/s on one core, and >= 10x redact-pii.
 *
 * Two figures per case: the mean over ~2 s of wall-clock time, and the best of 10 runs in CPU time (the
 * one-core figure on a shared machine; run under `taskset -c 1` to pin it to one core).
 *
 * Run: npx tsx bench/pii-throughput.ts
 */
import { SyncRedactor } from 'redact-pii';
import { redactBody } from '../src/content/pii/redact-body.js';
import { createPiiScanner } from '../src/content/pii/scanner.js';
import { PiiSession } from '../src/content/pii/session.js';
import { PII_TYPES, type PiiType } from '../src/policy/pii-types.js';
import { bestCpuMs } from './lib/best-cpu.js';
import { prng } from './lib/prng.js';

const WORDS = (
  'the customer asked about their order and wants a refund for the delivery that arrived late please ' +
  'summarize this record and draft a polite reply mention the account settings page and the invoice ' +
  'from last month our team will follow up tomorrow with the details of the plan'
).split(' ');

function body(targetBytes: number, piiPerSentence: number): string {
  const rand = prng(42);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const digits = (n: number) => Array.from({ length: n }, () => Math.floor(rand() * 10)).join('');
  const pii = [
    () =>
      `${100 + Math.floor(rand() * 500)}-${10 + Math.floor(rand() * 80)}-${1000 + Math.floor(rand() * 8000)}`,
    () => pick(['4111 1111 1111 1111', '5500-0000-0000-0004', '378282246310005', '6011111111111117']),
    () =>
      `${pick(['john', 'ana.maria', 'k.li', 'ops'])}${Math.floor(rand() * 100)}@${pick(['example.com', 'mail.co.uk', 'corp.io'])}`,
    () => `+1-${pick(['212', '415', '646'])}-555-${digits(4)}`,
    () => `(${pick(['212', '312', '617'])}) 555-${digits(4)}`,
    () => `10.${Math.floor(rand() * 255)}.${Math.floor(rand() * 255)}.${Math.floor(rand() * 255)}`,
    () => `sk-proj-${digits(8)}abcdEFGHijklMNOPqrstUVWX${digits(6)}`,
  ];
  const sentence = () => {
    const n = 12 + Math.floor(rand() * 30);
    const ws = Array.from({ length: n }, () => pick(WORDS));
    if (rand() < piiPerSentence) ws.splice(Math.floor(rand() * n), 0, pick(pii)());
    return ws.join(' ');
  };
  const requests: unknown[] = [];
  let size = 0;
  while (size < targetBytes) {
    const req = {
      model: 'gpt-4o-mini',
      temperature: 0.2,
      user: `user-${digits(6)}`,
      metadata: {
        request_id: `req_${digits(12)}`,
        created: 1700000000 + Math.floor(rand() * 1e6),
        tags: ['support', 'tier-2'],
      },
      messages: [
        { role: 'system', content: 'You are a helpful support assistant.' },
        ...Array.from({ length: 2 + Math.floor(rand() * 4) }, (_, i) => ({
          role: i % 2 === 0 ? 'user' : 'assistant',
          content: Array.from({ length: 1 + Math.floor(rand() * 4) }, sentence).join('. '),
        })),
      ],
    };
    // Its size once pretty-printed two levels deep in the batch: one more space per line per level.
    const pretty = JSON.stringify(req, null, 1);
    size += pretty.length + 2 * pretty.split('\n').length + 2;
    if (size > targetBytes) break;
    requests.push(req);
  }
  return JSON.stringify({ batch: requests }, null, 1);
}

function measure(
  label: string,
  bytes: number,
  fn: () => void,
  bestRuns = 10,
): { label: string; mibPerS: number; bestMibPerS: number } {
  fn(); // warm-up
  fn();
  let runs = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < 2e9 || runs < 3) {
    fn();
    runs++;
    elapsed = Number(process.hrtime.bigint() - start);
  }
  const mibPerS = (bytes * runs) / (1024 * 1024) / (elapsed / 1e9);
  // redact-pii takes seconds per MiB: its mean stands in for its best.
  const bestMibPerS = bestRuns === 0 ? mibPerS : bytes / (1024 * 1024) / (bestCpuMs(fn, bestRuns) / 1000);
  return { label, mibPerS, bestMibPerS };
}

const scanner = createPiiScanner();
const types = new Set<PiiType>(PII_TYPES.filter((t) => scanner.supportedTypes.has(t)));
const seedTypes = new Set<PiiType>(['ssn', 'credit_card', 'email', 'phone_number']);
const redactor = new SyncRedactor();

process.stdout.write(`PII scan + redact of 1 MiB of mixed JSON (chat requests), node ${process.version}\n`);
// Sentences average ~27 words: 0.05 is one value per ~540 words, 0.5 one per ~55 words.
for (const [label, rate] of [
  ['sparse', 0.05],
  ['dense', 0.5],
] as const) {
  const text = body(1024 * 1024, rate);
  const buf = Buffer.from(text);
  const check = redactBody(buf, 'application/json', {
    scanner,
    types,
    action: 'redact',
    session: new PiiSession(),
  });
  JSON.parse(check.body.toString());
  // A session that already issued these tokens, as when a chat history is sent again each turn.
  const warm = new PiiSession();
  const results = [
    measure('JSON.parse + JSON.stringify (floor)', buf.length, () => JSON.stringify(JSON.parse(text))),
    measure('declaw scanner.scan alone on the raw text', buf.length, () => scanner.scan(text, types)),
    measure('declaw redactBody, all built-in types', buf.length, () =>
      redactBody(buf, 'application/json', { scanner, types, action: 'redact', session: new PiiSession() }),
    ),
    measure('declaw redactBody, all types, warm session', buf.length, () =>
      redactBody(buf, 'application/json', { scanner, types, action: 'redact', session: warm }),
    ),
    measure('declaw redactBody, seed types (ssn, card, email, phone)', buf.length, () =>
      redactBody(buf, 'application/json', {
        scanner,
        types: seedTypes,
        action: 'redact',
        session: new PiiSession(),
      }),
    ),
    measure('redact-pii SyncRedactor.redact (text)', buf.length, () => redactor.redact(text), 0),
  ];
  const redactPii = results[results.length - 1]!.mibPerS;
  const floor = results[0]!.mibPerS;
  process.stdout.write(
    `\n${label}: ${(buf.length / 1048576).toFixed(3)} MiB, ` +
      `${check.findings.map((f) => `${f.count} ${f.type}`).join(', ')}\n`,
  );
  process.stdout.write(
    `${'case'.padEnd(58)} ${'MiB/s'.padStart(8)} ${'× redact-pii'.padStart(13)} ${'× floor'.padStart(8)} ${'best CPU MiB/s'.padStart(15)} ${'× floor'.padStart(8)}\n`,
  );
  for (const r of results) {
    process.stdout.write(
      `${r.label.padEnd(58)} ${r.mibPerS.toFixed(1).padStart(8)} ${(r.mibPerS / redactPii).toFixed(1).padStart(13)} ${(r.mibPerS / floor).toFixed(2).padStart(8)} ${r.bestMibPerS.toFixed(1).padStart(15)} ${(r.bestMibPerS / results[0]!.bestMibPerS).toFixed(2).padStart(8)}\n`,
    );
  }
}
