/**
 * Latency and throughput of the Guardrails Service over HTTP, against the same analysis in-process
 * as the baseline measured in the same run (the ratio is the cost of HTTP, JSON and the queue).
 *
 *   npx tsx bench/guardrails-latency.ts [--dataset path] [--requests 400] [--seconds 3]
 *
 * The service runs as `declaw guardrails serve` in a child process on 127.0.0.1 (port 0), with the
 * bundled engines; the client is Node's fetch with keep-alive. Bodies: ~1 KiB of text made of
 * sentences of Presidio's synthetic dataset (names, addresses, numbers), all entity types requested.
 * Throughput: batches of 64 sentences per request, 4 requests in flight.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { GUARDRAILS_PATHS } from '../src/guardrails/protocol.js';
import { createEntityAnalyzer, loadDefaultEngines } from '../src/guardrails/service/index.js';
import { sentencesOf } from './guardrails-ner-throughput.js';
import { DEFAULT_DATASET, loadPresidioDataset } from './pii-accuracy.js';

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/** Texts of about `size` characters, each a run of consecutive sentences. */
function bodiesOf(sentences: readonly string[], size: number, count: number): string[] {
  const out: string[] = [];
  let i = 0;
  while (out.length < count) {
    let text = '';
    while (text.length < size) text += `${sentences[i++ % sentences.length]} `;
    out.push(text.slice(0, size));
  }
  return out;
}

async function startService(): Promise<{ url: string; stop: () => void }> {
  const args = ['guardrails', 'serve', '--listen', '127.0.0.1:0', '--quiet'];
  const script = `const { main } = await import('./src/cli/main.ts');
process.exitCode = await main(['node', 'declaw', ...${JSON.stringify(args)}]);`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1] as string);
    });
    child.once('exit', (code) => reject(new Error(`guardrails serve exited with ${code}`)));
  });
  return { url, stop: () => child.kill('SIGTERM') };
}

async function timed(fn: () => Promise<unknown> | unknown): Promise<number> {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      dataset: { type: 'string', default: DEFAULT_DATASET },
      requests: { type: 'string', default: '400' },
      seconds: { type: 'string', default: '3' },
    },
  });
  const n = Number(values.requests);
  const sentences = sentencesOf(loadPresidioDataset(values.dataset).map((s) => s.full_text));
  const bodies = bodiesOf(sentences, 1024, n);
  const engines = loadDefaultEngines();
  const analyzer = createEntityAnalyzer({ recognizers: engines.recognizers });
  const service = await startService();
  const post = async (path: string, body: unknown): Promise<void> => {
    const res = await fetch(`${service.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (res.status !== 200) throw new Error(`${path} answered ${res.status}: ${await res.text()}`);
    await res.arrayBuffer();
  };
  try {
    const rows: Array<[string, number[]]> = [];
    const measure = async (label: string, fn: (text: string) => Promise<unknown> | unknown) => {
      for (const text of bodies.slice(0, 20)) await fn(text); // warm-up
      const samples: number[] = [];
      for (const text of bodies) samples.push(await timed(() => fn(text)));
      rows.push([label, samples]);
    };
    await measure('analyze in-process (baseline)', (t) => analyzer.analyze(t));
    await measure('analyze over HTTP', (t) => post(GUARDRAILS_PATHS.analyze, { texts: [t] }));
    await measure('injection in-process', (t) => engines.injectionModel.score(t));
    await measure('injection over HTTP', (t) => post(GUARDRAILS_PATHS.injection, { texts: [t] }));
    const base = percentile(rows[0]?.[1] ?? [], 50);
    const lines = [
      `${n} bodies of 1024 chars; service in a child process, keep-alive fetch`,
      '| path | p50 ms | p99 ms | p50 ratio vs in-process analyze |',
      '|---|---|---|---|',
      ...rows.map(
        ([label, s]) =>
          `| ${label} | ${percentile(s, 50).toFixed(2)} | ${percentile(s, 99).toFixed(2)} | ${(percentile(s, 50) / base).toFixed(2)}x |`,
      ),
    ];

    // Throughput: sentences per second, batches of 64, 4 requests in flight, against in-process.
    const batch = 64;
    const seconds = Number(values.seconds);
    let done = 0;
    let at = 0;
    const until = Date.now() + seconds * 1000;
    const started = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (Date.now() < until) {
          const texts = Array.from({ length: batch }, () => sentences[at++ % sentences.length] as string);
          await post(GUARDRAILS_PATHS.analyze, { texts });
          done += batch;
        }
      }),
    );
    const httpRate = done / (Number(process.hrtime.bigint() - started) / 1e9);
    let local = 0;
    const localStart = process.hrtime.bigint();
    const localUntil = Date.now() + seconds * 1000;
    while (Date.now() < localUntil) {
      for (let k = 0; k < batch; k++) analyzer.analyze(sentences[local++ % sentences.length] as string);
    }
    const localRate = local / (Number(process.hrtime.bigint() - localStart) / 1e9);
    lines.push(
      '',
      '| analyze, all types | sentences/s | ratio |',
      '|---|---|---|',
      `| in-process (baseline) | ${Math.round(localRate)} | 1.00x |`,
      `| over HTTP, ${batch} per request, 4 in flight | ${Math.round(httpRate)} | ${(httpRate / localRate).toFixed(2)}x |`,
    );
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    service.stop();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
