/**
 * `commands.run('true')` through the REST API (declaw's SDK, remote backend, daemon on loopback) vs
 * the embedded SDK (runtime in this process), with a host spawn of /bin/true as the baseline, all in
 * one run. Needs root. Usage: sudo npx tsx bench/api-vs-embedded.ts [iterations]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { EmbeddedBackend, Sandbox } from '../src/sdk/index.js';
import { ApiKeys } from '../src/server/api-keys.js';
import { Daemon } from '../src/server/daemon.js';
import { mapDnsUpstream } from '../src/sandbox/dns/dns-upstream.js';

const n = Number(process.argv[2] ?? 200);

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}

async function time(f: () => Promise<unknown> | unknown): Promise<number[]> {
  for (let i = 0; i < 10; i++) await f();
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await f();
    out.push(performance.now() - t);
  }
  return out;
}

const key = 'bench-key-0123456789';
const daemon = await Daemon.start({
  listen: { host: '127.0.0.1', port: 0 },
  dataDir: mkdtempSync(join(tmpdir(), 'declaw-bench-d-')),
  keys: ApiKeys.of([key]),
  tag: 'bva',
  stateRoot: mkdtempSync(join(tmpdir(), 'declaw-bva-')),
  ipv4Pool: '10.215.240.0/24',
  ipv6Pool: null,
  uidBase: 1_300_240_000,
  dnsUpstream: mapDnsUpstream({}),
  warmPoolSize: 0,
});
const embedded = await EmbeddedBackend.start({
  tag: 'bve',
  stateRoot: mkdtempSync(join(tmpdir(), 'declaw-bve-')),
  ipv4Pool: '10.215.241.0/24',
  ipv6Pool: null,
  uidBase: 1_300_241_000,
  dnsUpstream: mapDnsUpstream({}),
});
try {
  const remote = await Sandbox.create({ apiUrl: daemon.url, apiKey: key });
  const local = await Sandbox.create({ backend: embedded });
  const base = await time(() => spawnSync('/bin/true'));
  const emb = await time(() => local.commands.run('true'));
  const api = await time(() => remote.commands.run('true'));
  const b50 = pct(base, 50);
  const e50 = pct(emb, 50);
  const rows: Array<[string, number[]]> = [
    ['baseline: spawn /bin/true on host', base],
    ['embedded SDK: commands.run(true)', emb],
    ['REST API: commands.run(true)', api],
  ];
  process.stdout.write(
    `iterations: ${n}\n| case | p50 (ms) | p99 (ms) | vs base | vs embedded |\n| --- | --- | --- | --- | --- |\n`,
  );
  for (const [name, xs] of rows) {
    const p50 = pct(xs, 50);
    process.stdout.write(
      `| ${name} | ${p50.toFixed(2)} | ${pct(xs, 99).toFixed(2)} | ${(p50 / b50).toFixed(1)}x | ${(p50 / e50).toFixed(2)}x |\n`,
    );
  }
  await remote.kill();
  await local.kill();
} finally {
  await daemon.close();
  await embedded.close();
}
