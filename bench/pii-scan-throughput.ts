/**
 * Throughput of the PII scanner (all built-in types) on mixed JSON request bodies, against the npm
 * package redact-pii on the same input, plus a per-detector breakdown.
 *
 *   npx tsx bench/pii-scan-throughput.ts [--mib 1] [--docs 4] [--density 60]
 *
 * Each document is a fresh, different JSON array of chat-completion requests whose user messages carry
 * PII (e-mails, US phones, cards, SSNs, IPs, API keys), so per-value caches do not flatter the
 * figures. `--density` is the share of words that are PII: the default 1/60 puts one PII value in
 * every request (~1,800 per MiB, far denser than real traffic); 1/600 is a sparser, likelier mix. Times are CPU time of this process (user + system), so other load on the
 * machine distorts them less than wall-clock time would.
 */
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { PiiType } from '../src/policy/pii-types.js';
import type { PiiDetector } from '../src/content/pii/types.js';
import { createPiiScanner } from '../src/content/pii/scanner.js';
import { createApiKeyDetector } from '../src/content/pii/detectors/api-key.js';
import { createCreditCardDetector } from '../src/content/pii/detectors/credit-card.js';
import { createEmailDetector } from '../src/content/pii/detectors/email.js';
import { createIpAddressDetector } from '../src/content/pii/detectors/ip-address.js';
import { createPhoneNumberDetector } from '../src/content/pii/detectors/phone-number.js';
import { createSsnDetector } from '../src/content/pii/detectors/ssn.js';
import { xorshift32 } from './lib/prng.js';

const WORDS = (
  'the customer asked about an order shipping refund account balance please summarize this record and ' +
  'reply with a short answer when the package arrives we will update the ticket status version 3 of the ' +
  'report was approved on monday total 42 items at 19.99 each deliver before 2024-05-01 thanks'
).split(' ');

/**
 * Deterministic mixed JSON of about `bytes` bytes: chat requests with prose, numbers, IDs, timestamps
 * and PII, as an agent would send to an LLM API.
 *
 * @example
 * const body = mixedJsonBody(1 << 20, 7); // ~1 MiB
 */
export function mixedJsonBody(bytes: number, seed: number, piiPerWord = 1 / 60): string {
  const rnd = xorshift32(seed);
  const int = (n: number): number => Math.floor(rnd() * n);
  const digits = (n: number): string => Array.from({ length: n }, () => String(int(10))).join('');
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;
  const alnum = (n: number): string =>
    Array.from({ length: n }, () =>
      pick([...'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0123456789']),
    ).join('');
  const card = (): string => {
    const body = `4${digits(14)}`;
    for (let last = 0; last < 10; last++) {
      const n = body + String(last);
      let sum = 0;
      for (let i = 0; i < n.length; i++) {
        let d = Number(n[n.length - 1 - i]);
        if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
        sum += d;
      }
      if (sum % 10 === 0) return n.replace(/(\d{4})(?=\d)/g, '$1 ');
    }
    return body;
  };
  const pii: Array<() => string> = [
    () => `${pick(['jane', 'omar', 'li', 'ana'])}.${digits(3)}@example.com`,
    () => `(${pick(['212', '415', '646', '303', '617'])}) ${2 + int(8)}${digits(2)}-${digits(4)}`,
    card,
    () => `${100 + int(500)}-${10 + int(89)}-${1000 + int(8999)}`,
    () => `10.${int(255)}.${int(255)}.${1 + int(254)}`,
    () => `sk-proj-${alnum(48)}`,
  ];
  const parts: string[] = [];
  let size = 2;
  while (size < bytes) {
    const words: string[] = [];
    for (let i = 0; i < 60; i++) words.push(rnd() < piiPerWord ? pick(pii)() : pick(WORDS));
    const body = JSON.stringify({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'You are a helpful support assistant. Answer in two sentences.' },
        { role: 'user', content: words.join(' ') },
      ],
      max_tokens: 512,
      temperature: 0.2,
      metadata: { request_id: digits(12), created: 1_700_000_000 + int(10_000_000), trace: alnum(16) },
    });
    parts.push(body);
    size += body.length + 1;
  }
  return `[${parts.join(',')}]`;
}

function cpuMs(run: () => void): number {
  const before = process.cpuUsage();
  run();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      mib: { type: 'string', default: '1' },
      docs: { type: 'string', default: '4' },
      density: { type: 'string', default: '60' },
    },
  });
  const bytes = Math.round(Number(values.mib) * 1024 * 1024);
  const docCount = Math.max(1, Number(values.docs));
  const density = 1 / Math.max(1, Number(values.density));
  // Three warm-up documents let the JIT settle; the measured ones are different again.
  const warmDocs = [997, 998, 999].map((seed) => mixedJsonBody(bytes, seed, density));
  const docs = Array.from({ length: docCount }, (_, i) => mixedJsonBody(bytes, i + 1, density));
  const mib = (docs.reduce((n, d) => n + Buffer.byteLength(d), 0) / 1024 / 1024) * 1;
  const all = new Set<PiiType>(['ssn', 'credit_card', 'email', 'phone_number', 'api_key', 'ip_address']);

  const scanner = createPiiScanner();
  for (const w of warmDocs) scanner.scan(w, all);
  let findings = 0;
  const scanMs = cpuMs(() => {
    for (const d of docs) findings += scanner.scan(d, all).length;
  });

  // Loaded only when the bench runs: the package is large and the accuracy test imports this file.
  const redactPii = await import('redact-pii');
  const redactor = new redactPii.SyncRedactor();
  // redact-pii is slow; measure it on a slice and scale, it is linear in the input.
  const slice = docs[0]?.slice(0, Math.min(bytes, 256 * 1024)) ?? '';
  redactor.redact(slice.slice(0, 4096));
  const baseMs = cpuMs(() => redactor.redact(slice));
  const baseMiBs = Buffer.byteLength(slice) / 1024 / 1024 / (baseMs / 1000);
  const ourMiBs = mib / (scanMs / 1000);

  const out = process.stdout;
  out.write(
    `PII scan throughput: ${docCount} different mixed-JSON documents of ${values.mib} MiB, ` +
      `1 PII value per ${values.density} words, CPU time\n\n`,
  );
  out.write('engine                         MiB/s    ratio vs redact-pii\n');
  out.write(`redact-pii (baseline)   ${baseMiBs.toFixed(2).padStart(12)}    1.00x\n`);
  out.write(
    `declaw scanner, all types ${ourMiBs.toFixed(2).padStart(10)}    ${(ourMiBs / baseMiBs).toFixed(1)}x\n`,
  );
  out.write(`\n${findings} findings; per detector on the same documents (alone, phone without guards):\n`);
  const detectors: Array<[string, PiiDetector]> = [
    ['ssn', createSsnDetector()],
    ['credit_card', createCreditCardDetector()],
    ['email', createEmailDetector()],
    ['ip_address', createIpAddressDetector()],
    ['phone_number', createPhoneNumberDetector()],
    ['api_key', createApiKeyDetector()],
  ];
  for (const [name, detector] of detectors) {
    for (const w of warmDocs) detector.detect(w);
    const ms = cpuMs(() => {
      for (const d of docs) detector.detect(d);
    });
    const rate = mib / (ms / 1000);
    out.write(
      `  ${name.padEnd(14)} ${rate.toFixed(1).padStart(8)} MiB/s  ${(rate / baseMiBs).toFixed(0).padStart(6)}x\n`,
    );
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  await main();
}
