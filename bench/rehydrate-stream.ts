/**
 * Streaming rehydration cost per 64 KiB chunk, against a pass-through measured in the same run.
 * Goal (issue 3): rehydration adds < 1 ms per 64 KiB chunk.
 *
 * Cases: a JSON response with a token every ~4 KiB (typical), the same without tokens but full of `[`
 * (JSON arrays), one token every ~40 bytes (worst case), and OpenAI chat.completions SSE streams (about
 * 400 events per chunk) with a token split across two deltas every 50 events (typical) or in two of
 * every three events (worst case: those events are parsed and rewritten).
 *
 * "best CPU" is the best of 7 runs in CPU time per chunk, the one-core figure on a shared machine (pin
 * with `taskset -c 1`).
 *
 * Run: npx tsx bench/rehydrate-stream.ts
 */
import { PassThrough, Readable, Writable, type Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createRehydrationTransform, createRehydrator } from '../src/content/pii/rehydrator-stream.js';
import { PiiSession } from '../src/content/pii/session.js';
import { bestCpuMs } from './lib/best-cpu.js';

const CHUNK = 64 * 1024;
const TOTAL = 16 * 1024 * 1024;

const session = new PiiSession();
const tokens = Array.from({ length: 64 }, (_, i) =>
  session.tokenFor(i % 2 ? 'email' : 'ssn', i % 2 ? `user${i}@example.com` : `123-45-${String(1000 + i)}`),
);

function fill(unit: (i: number) => string): Buffer {
  const parts: string[] = [];
  let size = 0;
  for (let i = 0; size < TOTAL; i++) {
    const u = unit(i);
    parts.push(u);
    size += u.length;
  }
  return Buffer.from(parts.join('')).subarray(0, TOTAL);
}

const prose =
  'The account was reviewed and the follow-up is scheduled for next week; details are in the ticket. ';
const cases: Array<{ name: string; contentType: string; body: Buffer }> = [
  {
    name: 'JSON, a token every ~4 KiB',
    contentType: 'application/json',
    body: fill(
      (i) => `{"index":${i},"text":"${prose.repeat(40)}${tokens[i % tokens.length]!} ok","tags":["a","b"]},`,
    ),
  },
  {
    name: 'JSON, no tokens, many [ and %',
    contentType: 'application/json',
    body: fill((i) => `{"v":[${i},[1,2],[3]],"p":"50% [draft]"},`),
  },
  {
    name: 'text, a token every ~40 bytes (worst case)',
    contentType: 'text/plain',
    body: fill((i) => `note ${tokens[i % tokens.length]!} then `),
  },
  {
    name: 'SSE chat.completions, a split token every 50 events',
    contentType: 'text/event-stream',
    body: fill((i) => {
      const t = tokens[i % tokens.length]!;
      const piece = i % 50 === 0 ? `see ${t.slice(0, 6)}` : i % 50 === 1 ? t.slice(6) : ' and more words';
      return `data: ${JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1700000000, model: 'gpt-4o-mini', choices: [{ index: 0, delta: { content: piece }, finish_reason: null }] })}\n\n`;
    }),
  },
  {
    name: 'SSE chat.completions, split tokens in 2 of 3 events',
    contentType: 'text/event-stream',
    body: fill((i) => {
      const t = tokens[i % tokens.length]!;
      const piece = i % 3 === 0 ? `see ${t.slice(0, 6)}` : i % 3 === 1 ? t.slice(6) : ' and more words here ';
      return `data: ${JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1700000000, model: 'gpt-4o-mini', choices: [{ index: 0, delta: { content: piece }, finish_reason: null }] })}\n\n`;
    }),
  },
];

function chunks(body: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < body.length; i += CHUNK) out.push(body.subarray(i, i + CHUNK));
  return out;
}

/** Median over rounds of the ms per chunk taken by `run`. */
function perChunk(pieces: Buffer[], run: (pieces: Buffer[]) => void, rounds = 7): number {
  run(pieces);
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const start = process.hrtime.bigint();
    run(pieces);
    times.push(Number(process.hrtime.bigint() - start) / 1e6 / pieces.length);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
}

async function throughStream(pieces: Buffer[], make: () => Transform): Promise<number> {
  const times: number[] = [];
  for (let r = 0; r < 6; r++) {
    const start = process.hrtime.bigint();
    await pipeline(
      Readable.from(pieces),
      make(),
      new Writable({
        write(_c, _e, cb) {
          cb();
        },
      }),
    );
    if (r > 0) times.push(Number(process.hrtime.bigint() - start) / 1e6 / pieces.length);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
}

const copy = (pieces: Buffer[]): void => {
  // Baseline: the least any pass must do, touch every byte once.
  let sink = 0;
  for (const p of pieces) sink ^= Buffer.from(p)[0]!;
  if (sink === -1) process.stdout.write('');
};

process.stdout.write(
  `Streaming rehydration, ${TOTAL / 1048576} MiB in 64 KiB chunks, node ${process.version}\n\n`,
);
process.stdout.write(
  `${'case'.padEnd(48)} ${'copy ms/chunk'.padStart(14)} ${'push ms/chunk'.padStart(14)} ${'× copy'.padStart(8)} ${'pipe added ms/chunk'.padStart(20)} ${'best CPU push'.padStart(14)}\n`,
);
for (const c of cases) {
  const pieces = chunks(c.body);
  const base = perChunk(pieces, copy);
  const ours = perChunk(pieces, (ps) => {
    const r = createRehydrator({ session, contentType: c.contentType });
    for (const p of ps) r.push(p);
    r.end();
  });
  const bestPush =
    bestCpuMs(() => {
      const r = createRehydrator({ session, contentType: c.contentType });
      for (const p of pieces) r.push(p);
      r.end();
    }, 7) / pieces.length;
  const passThrough = await throughStream(pieces, () => new PassThrough());
  const transform = await throughStream(pieces, () =>
    createRehydrationTransform({ session, contentType: c.contentType }),
  );
  process.stdout.write(
    `${c.name.padEnd(48)} ${base.toFixed(3).padStart(14)} ${ours.toFixed(3).padStart(14)} ${(ours / base).toFixed(1).padStart(8)} ${(transform - passThrough).toFixed(3).padStart(20)} ${bestPush.toFixed(3).padStart(14)}\n`,
  );
}
process.stdout.write(
  '\n"pipe added" = rehydration Transform minus a PassThrough in the same pipeline (goal < 1 ms).\n',
);
