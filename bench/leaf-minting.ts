/**
 * Cost of the first intercepted request to a new hostname (minting a leaf certificate) against a cached
 * lookup measured in the same run, with and without a full TLS handshake over loopback. Two ways we do
 * NOT mint are measured for comparison: a fresh P-256 key per leaf, and a fresh RSA-2048 key per leaf.
 * Goal (issue 4): first request to a new hostname (minting), p50 ≤ 10 ms.
 *
 *   npx tsx bench/leaf-minting.ts
 *
 * Not a test: numbers depend on the machine. Everything runs on the main thread.
 */
import { createPrivateKey, webcrypto } from 'node:crypto';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { connect, createSecureContext, TLSSocket } from 'node:tls';
import { LeafCache } from '../src/proxy/tls/leaf-cache.js';
import { SandboxCa } from '../src/proxy/tls/sandbox-ca.js';

const GOAL_P50_MS = 10;

interface Row {
  name: string;
  samples: number[];
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function time(n: number, run: (i: number) => Promise<unknown>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await run(i);
    samples.push(performance.now() - t0);
  }
  return samples;
}

/** A loopback listener that terminates TLS with the leaf cache, as the proxy's interception path does. */
async function interceptingServer(cache: LeafCache): Promise<{ port: number; close(): void }> {
  const sockets = new Set<Socket>();
  const server = createServer((raw) => {
    sockets.add(raw);
    raw.on('close', () => sockets.delete(raw));
    raw.on('error', () => {});
    const tls = new TLSSocket(raw, { isServer: true, ...cache.serverOptions() });
    tls.on('error', () => raw.destroy());
    tls.on('secure', () => tls.end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

function handshake(port: number, servername: string, ca: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, servername, ca: [ca] });
    socket.setNoDelay(true);
    socket.once('secureConnect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('error', reject);
  });
}

/** What minting would cost with a new key per leaf (the approach the shared leaf key avoids). */
async function mintWithFreshKey(ca: SandboxCa, name: string, algorithm: 'P-256' | 'RSA-2048'): Promise<void> {
  const params =
    algorithm === 'P-256'
      ? { name: 'ECDSA', namedCurve: 'P-256' }
      : {
          name: 'RSASSA-PKCS1-v1_5',
          modulusLength: 2048,
          publicExponent: new Uint8Array([1, 0, 1]),
          hash: 'SHA-256',
        };
  const keys = (await webcrypto.subtle.generateKey(params, true, [
    'sign',
    'verify',
  ])) as webcrypto.CryptoKeyPair;
  const now = Date.now();
  const leaf = await ca.issueLeaf({
    names: [name],
    publicKey: keys.publicKey,
    notBefore: new Date(now),
    notAfter: new Date(now + 86_400_000),
  });
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  const key = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }).export({
    format: 'pem',
    type: 'pkcs8',
  });
  createSecureContext({ key, cert: leaf.certificatePem });
}

async function main(): Promise<void> {
  const loadBefore = loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
  const ca = await SandboxCa.create({ sandboxId: 'bench' });
  const cache = await LeafCache.create({ ca, maxEntries: 10_000 });
  // Warm-up: JIT, WebCrypto and OpenSSL first-use costs are not what a sandbox pays per hostname.
  for (let i = 0; i < 30; i++) await cache.leafFor(`warm${i}.example`);

  const rows: Row[] = [];
  rows.push({
    name: 'cached lookup (baseline)',
    samples: await time(2000, () => cache.leafFor('warm1.example')),
  });
  rows.push({
    name: 'mint: new hostname',
    samples: await time(300, (i) => cache.leafFor(`h${i}.mint.example`)),
  });

  const server = await interceptingServer(cache);
  try {
    await handshake(server.port, 'warm2.example', ca.certificatePem);
    rows.push({
      name: 'TLS handshake, cached leaf',
      samples: await time(200, () => handshake(server.port, 'warm2.example', ca.certificatePem)),
    });
    rows.push({
      name: 'TLS handshake, new hostname',
      samples: await time(200, (i) => handshake(server.port, `h${i}.first.example`, ca.certificatePem)),
    });
  } finally {
    server.close();
  }
  rows.push({
    name: 'mint with fresh P-256 key',
    samples: await time(100, (i) => mintWithFreshKey(ca, `p${i}.example`, 'P-256')),
  });
  rows.push({
    name: 'mint with fresh RSA-2048 key',
    samples: await time(10, (i) => mintWithFreshKey(ca, `r${i}.example`, 'RSA-2048')),
  });

  const base = percentile(
    [...(rows[0] as Row).samples].sort((a, b) => a - b),
    50,
  );
  const lines = [['case', 'n', 'p50 ms', 'p99 ms', 'p50 / baseline']];
  for (const row of rows) {
    const sorted = [...row.samples].sort((a, b) => a - b);
    const p50 = percentile(sorted, 50);
    lines.push([
      row.name,
      String(sorted.length),
      p50.toFixed(3),
      percentile(sorted, 99).toFixed(3),
      `${(p50 / base).toFixed(1)}x`,
    ]);
  }
  const widths = (lines[0] as string[]).map((_, c) => Math.max(...lines.map((l) => (l[c] as string).length)));
  for (const l of lines)
    process.stdout.write(`${l.map((cell, c) => cell.padEnd(widths[c] as number)).join('  ')}\n`);

  const p50Of = (i: number): number =>
    percentile(
      [...(rows[i] as Row).samples].sort((a, b) => a - b),
      50,
    );
  const mintP50 = p50Of(1);
  process.stdout.write(
    `\ngoal: minting for a new hostname p50 ≤ ${GOAL_P50_MS} ms: ${mintP50.toFixed(2)} ms, ` +
      `${mintP50 <= GOAL_P50_MS ? 'met' : 'NOT met'}; ` +
      `a first handshake to a new hostname costs ${(p50Of(3) - p50Of(2)).toFixed(2)} ms more than a cached one\n` +
      `load average during the run: ${loadBefore} -> ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')} on ${cpus().length} CPUs (figures scale with it)\n`,
  );
}

await main();
