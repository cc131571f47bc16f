/**
 * Sandbox creation benchmark (issue 5): time from `create()` to the first command having exited,
 * p50 and p99, cold (network built on demand) and warm (from the warm pool), against a baseline
 * measured in the same run: spawning /bin/true directly on the host. Then 100 sandboxes alive at
 * once, each with one idle process, and the host memory they cost (MemAvailable before and after).
 *
 * Run as root: `npx tsx bench/sandbox-create.ts [iterations]`. Nothing leaves the machine; every
 * sandbox is removed at the end.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mapDnsUpstream } from '../src/sandbox/dns/dns-upstream.js';
import { SandboxManager } from '../src/sandbox/sandbox-manager.js';
import type { Sandbox } from '../src/sandbox/sandbox.js';

const ITERATIONS = Number(process.argv[2] ?? 40);
const CONCURRENT = Number(process.argv[3] ?? 100);

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

function summary(samples: number[]): { p50: number; p99: number } {
  const s = [...samples].sort((a, b) => a - b);
  return { p50: quantile(s, 0.5), p99: quantile(s, 0.99) };
}

function spawnTrue(): Promise<void> {
  return new Promise((resolve, reject) => {
    const c = spawn('/bin/true', [], { stdio: 'ignore' });
    c.on('exit', () => resolve());
    c.on('error', reject);
  });
}

function memAvailableKiB(): number {
  const m = /MemAvailable:\s+(\d+) kB/.exec(readFileSync('/proc/meminfo', 'utf8'));
  return Number(m?.[1] ?? NaN);
}

async function manager(tag: string, subnet: number, warmPoolSize: number): Promise<SandboxManager> {
  return SandboxManager.start({
    tag,
    stateRoot: mkdtempSync(join(tmpdir(), `declaw-bench-${tag}-`)),
    ipv4Pool: `10.216.${subnet * 4}.0/22`,
    ipv6Pool: `fd64:dec1:c0:${subnet}::/64`,
    uidBase: 1_400_000_000 + subnet * 1000,
    dnsUpstream: mapDnsUpstream({}),
    warmPoolSize,
  });
}

/** create → first command exited, in ms; the sandbox is killed outside the timed part. */
async function createAndRun(m: SandboxManager): Promise<number> {
  const t0 = performance.now();
  const s = await m.create();
  await s.commands.exec(['/bin/true']);
  const ms = performance.now() - t0;
  await s.kill();
  return ms;
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0)
    throw new Error('run as root: sandboxes need network namespaces and iptables');
  const baseline: number[] = [];
  for (let i = 0; i < ITERATIONS; i++) {
    const t0 = performance.now();
    await spawnTrue();
    baseline.push(performance.now() - t0);
  }

  const cold = await manager('bc', 1, 0);
  const coldMs: number[] = [];
  try {
    await createAndRun(cold); // first run warms caches (page cache, JIT), not counted
    for (let i = 0; i < ITERATIONS; i++) coldMs.push(await createAndRun(cold));
  } finally {
    await cold.close();
  }

  const warm = await manager('bw', 2, 4);
  const warmMs: number[] = [];
  try {
    await warm.warmUp();
    await createAndRun(warm);
    for (let i = 0; i < ITERATIONS; i++) {
      await warm.warmUp(); // every create takes a pooled network, as a steady-state daemon would
      warmMs.push(await createAndRun(warm));
    }
  } finally {
    await warm.close();
  }

  const many = await manager('bm', 3, 0);
  const sandboxes: Sandbox[] = [];
  const memBefore = memAvailableKiB();
  const rssBefore = process.memoryUsage().rss;
  const t0 = performance.now();
  try {
    for (let i = 0; i < CONCURRENT; i++) {
      const s = await many.create();
      await s.commands.start('sleep 600', { timeoutMs: 0 });
      sandboxes.push(s);
    }
    const createdIn = performance.now() - t0;
    const ok = await Promise.all(
      sandboxes.map((s) => s.commands.run('echo ok').then((r) => r.stdout === 'ok\n')),
    );
    const memPer = (memBefore - memAvailableKiB()) / CONCURRENT / 1024;
    const rssPer = (process.memoryUsage().rss - rssBefore) / CONCURRENT / 1024 / 1024;

    const b = summary(baseline);
    const c = summary(coldMs);
    const w = summary(warmMs);
    const row = (name: string, v: { p50: number; p99: number }, goal: string) =>
      `| ${name.padEnd(34)} | ${v.p50.toFixed(1).padStart(7)} | ${v.p99.toFixed(1).padStart(7)} | ${(v.p50 / b.p50).toFixed(1).padStart(6)}x | ${goal.padEnd(12)} |`;
    console.log(`\nsandbox create → first command exited, ${ITERATIONS} runs each (ms)\n`);
    console.log('| case                               |     p50 |     p99 | vs base | goal (p50)   |');
    console.log('| ---------------------------------- | ------- | ------- | ------- | ------------ |');
    console.log(row('baseline: spawn /bin/true on host', b, ''));
    console.log(row('cold: network built on demand', c, '<= 100 ms'));
    console.log(row('warm: network from the warm pool', w, '<= 15 ms'));
    console.log(
      `\n${CONCURRENT} sandboxes alive at once (one idle process each), created in ${(createdIn / 1000).toFixed(1)} s, all answering: ${ok.every(Boolean)}`,
    );
    console.log(`host memory per sandbox (MemAvailable drop): ${memPer.toFixed(2)} MiB   (goal <= 10 MiB)`);
    console.log(`declaw process RSS per sandbox: ${rssPer.toFixed(2)} MiB`);
    console.log(
      `load average during the run: ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')} on ${(await import('node:os')).cpus().length} cores`,
    );
  } finally {
    await many.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
