/**
 * Proxy load benchmark (issue 4). HTTPS keep-alive POSTs at 1 and 10 concurrent connections with 1 KiB
 * and 64 KiB bodies (the server answers with as many bytes), through:
 *   (a) direct            no proxy: the baseline of every ratio
 *   (b) declaw splice     network-only policy, TLS spliced untouched
 *   (c) declaw full       interception + PII redaction/rehydration + transformations + injection scan
 *   (d) mitmdump          Debian's mitmproxy, intercepting (skipped with the reason when absent)
 * plus added p50 latency of (c) over (a), SSE time to first event added by (c), the first request to a
 * new host name (leaf minting) against a repeat, and proxy RSS per 1,000 idle intercepted connections.
 *
 *   npx tsx bench/proxy-load.ts [--seconds 2] [--cases cd] [--conns 1,10] [--sizes 1024,65536] [--only-load]
 *
 * `--cases` keeps only the named cases (letters; (a) always runs, it is the baseline), `--conns` and
 * `--sizes` only those cells; `--only-load` skips the SSE, first-request and RSS sections. With BENCH_PROFILE_DIR set, the full-pipeline proxy
 * child runs with `--cpu-prof` and writes its .cpuprofile there when the bench ends (summarise it with
 * `npx tsx scripts/cpuprofile-top.ts DIR/*.cpuprofile`); BENCH_PROXY_NODE_FLAGS adds Node flags to that
 * child (e.g. `--trace-gc`). BENCH_PIN=1 pins the full proxy to CPU 1 and
 * the rest to CPU 0 (`taskset`), for steadier before/after comparisons of its CPU time per request.
 *
 * The upstream server and each proxy run in their own child processes; the load client runs here.
 * Nothing leaves 127.0.0.1. Not a test: numbers depend on the machine and its load.
 *
 * Other benches import the client side from here (option reading, child starter, CONNECT + TLS
 * opener, one-socket agent, request, keep-alive load loop); `main()` runs only when this file is the
 * entry point.
 */
import { fork, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net, { type Socket } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import tls, { type TLSSocket } from 'node:tls';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { SecurityPolicy, ALL_TRAFFIC } from '../src/policy/index.js';
import { ProxyServer } from '../src/proxy/proxy-server.js';
import { mapResolver } from '../src/proxy/egress/resolver.js';
import { UpstreamTrust } from '../src/proxy/tls/upstream-trust.js';
import { createTestPki } from '../test/helpers/test-pki.js';
import { LOOPBACK_LAB } from '../test/helpers/test-internet.js';

const SELF = fileURLToPath(import.meta.url);
const FRESH_NAMES = Array.from({ length: 21 }, (_, i) => `m${i}.bench.test`);

/** The value after `name` on the command line (`--seconds 2`), if any. */
export function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

// ---------------------------------------------------------------- child roles
async function upstreamRole(dir: string): Promise<void> {
  const key = readFileSync(join(dir, 'upstream.key'), 'utf8');
  const cert = readFileSync(join(dir, 'upstream.crt'), 'utf8');
  const server = https.createServer({ key, cert }, (req, res) => {
    if (req.url === '/sse') {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: 'first' } }] })}\n\n`);
      setTimeout(() => res.end('data: [DONE]\n\n'), 20);
      return;
    }
    const size = Number(/size=(\d+)/.exec(req.url ?? '')?.[1] ?? 1024);
    req.resume();
    req.on('end', () => {
      const body = Buffer.from(
        JSON.stringify({ text: 'lorem ipsum dolor sit amet '.repeat(size / 27 + 1) }).slice(0, size - 2) +
          '"}',
      );
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
      res.end(body);
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '::', () => process.send?.({ port: (server.address() as net.AddressInfo).port }));
}

async function declawRole(dir: string, mode: string): Promise<void> {
  const names = ['localhost', ...FRESH_NAMES];
  const trust = await UpstreamTrust.load({
    includeSystemStore: false,
    extraCaFiles: [join(dir, 'root.pem')],
    env: {},
  });
  const proxy = new ProxyServer({
    upstreamTrust: trust,
    resolver: mapResolver(Object.fromEntries(names.map((n) => [n, '127.0.0.1']))),
    hostAddresses: [],
    labNetwork: LOOPBACK_LAB,
  });
  const policy =
    mode === 'splice'
      ? SecurityPolicy.from({ network: { allowOut: names, denyOut: [ALL_TRAFFIC] } })
      : SecurityPolicy.from({
          pii: { enabled: true, action: 'redact', rehydrateResponse: true },
          injectionDefense: { enabled: true, action: 'block' },
          transformations: [
            {
              direction: 'outbound',
              match: String.raw`(Authorization:\s*Bearer\s+)sk-\w+`,
              replace: String.raw`\1[REDACTED]`,
            },
            {
              direction: 'inbound',
              match: String.raw`(?i)ignore\s+(all\s+)?previous\s+instructions`,
              replace: '[REMOVED]',
            },
          ],
          network: { allowOut: names, denyOut: [ALL_TRAFFIC] },
        });
  const session = await proxy.sessions.add({ id: 'bench', policy });
  writeFileSync(join(dir, `ca-${mode}.pem`), session.ca.certificatePem);
  const { port } = await proxy.listenExplicit({ sessionId: 'bench' });
  process.on('message', (what) => {
    // RSS after a full collection, so garbage left from the load cells does not count (or go missing).
    if (what === 'rss') (globalThis as { gc?: () => void }).gc?.();
    const cpu = process.cpuUsage();
    process.send?.({ rss: process.memoryUsage().rss, cpuMicros: cpu.user + cpu.system, sys: cpu.system });
  });
  // Exit normally on kill(), so --cpu-prof (when profiling the bench) gets written.
  process.on('SIGTERM', () => process.exit(0));
  process.send?.({ port });
}

// ---------------------------------------------------------------- client side
/** Where load goes: straight to the upstream, or through an explicit proxy's CONNECT. */
export interface Target {
  name: string;
  /** Proxy port, or undefined for direct. */
  proxyPort?: number;
  /** The CA the client trusts: the upstream's, or the proxy session's when it intercepts. */
  ca: string;
}

/** A socket tunnelled through an explicit proxy to `authority` (CONNECT answered 200). */
export function connectTunnel(proxyPort: number, authority: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(proxyPort, '127.0.0.1');
    s.setNoDelay(true);
    s.once('error', reject);
    s.write(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n\r\n`);
    let buf = '';
    const onData = (c: Buffer) => {
      buf += c.toString('latin1');
      if (!buf.includes('\r\n\r\n')) return;
      s.off('data', onData);
      if (!buf.startsWith('HTTP/1.1 200') && !buf.startsWith('HTTP/1.0 200'))
        return reject(new Error(buf.split('\r\n')[0]));
      resolve(s);
    };
    s.on('data', onData);
  });
}

/**
 * A TLS connection (ALPN http/1.1, Nagle off) to `host` on loopback `upstreamPort`, through the
 * target's proxy when it has one.
 *
 * @example
 * const s = await openTls({ name: 'full', proxyPort: 8080, ca }, 8443, 'api.openai.com');
 */
export async function openTls(target: Target, upstreamPort: number, host = 'localhost'): Promise<TLSSocket> {
  const raw =
    target.proxyPort === undefined
      ? undefined
      : await connectTunnel(target.proxyPort, `${host}:${upstreamPort}`);
  return new Promise((resolve, reject) => {
    const s = tls.connect({
      ...(raw ? { socket: raw } : { host: '127.0.0.1', port: upstreamPort }),
      servername: host,
      ca: target.ca,
      ALPNProtocols: ['http/1.1'],
    });
    s.setNoDelay(true);
    s.once('secureConnect', () => resolve(s));
    s.once('error', reject);
  });
}

/** An agent whose one connection is the given socket: every request reuses it (keep-alive). */
export class OneSocketAgent extends http.Agent {
  constructor(private readonly socket: Socket) {
    super({ keepAlive: true, maxSockets: 1 });
  }
  override createConnection(): Socket {
    return this.socket;
  }
}

/** One request on `agent`: POST when there is a body, GET otherwise; times to first byte and end. */
export function request(
  agent: http.Agent,
  path: string,
  body: Buffer | undefined,
  host: string,
  port: number,
  contentType = 'text/plain',
): Promise<{ status: number; ttfb: number; total: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = http.request({
      agent,
      host,
      port,
      path,
      method: body ? 'POST' : 'GET',
      headers: body ? { 'content-type': contentType, 'content-length': body.length } : {},
    });
    req.on('response', (res) => {
      let ttfb = 0;
      res.on('data', () => (ttfb ||= performance.now() - t0));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ttfb, total: performance.now() - t0 }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The `q` quantile of `xs` (0.5: the median); NaN for none. */
export const quantile = (xs: number[], q: number): number =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))] ?? NaN;
const p50 = (xs: number[]) => quantile(xs, 0.5);

/** Requests per second and latency quantiles (ms) of one load cell. */
export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
}

/** Options of {@link loadLoop}. */
export interface LoadLoopOptions {
  /** Concurrent keep-alive connections, each sending one request at a time. */
  conns: number;
  seconds: number;
  upstreamPort: number;
  /** SNI and Host of the requests. Default `localhost`. */
  host?: string;
  /** Sends one request on the connection's agent; throws to abort the cell (e.g. a non-200). */
  send: (agent: http.Agent) => Promise<void>;
}

/**
 * Keep-alive load: opens `conns` TLS connections to the target (one request each to warm up: tunnel,
 * leaf certificate, session state), then sends requests back to back on each for `seconds`.
 *
 * @example
 * const r = await loadLoop(target, { conns: 10, seconds: 2, upstreamPort, send: async (agent) => {
 *   await request(agent, '/', body, 'localhost', upstreamPort);
 * } });
 * r.rps; r.p50;
 */
export async function loadLoop(target: Target, o: LoadLoopOptions): Promise<LoadResult> {
  const agents = await Promise.all(
    Array.from({ length: o.conns }, async () => {
      const socket = await openTls(target, o.upstreamPort, o.host);
      const agent = new OneSocketAgent(socket);
      await o.send(agent);
      return { socket, agent };
    }),
  );
  const latencies: number[] = [];
  const deadline = performance.now() + o.seconds * 1000;
  try {
    await Promise.all(
      agents.map(async ({ agent }) => {
        while (performance.now() < deadline) {
          const t0 = performance.now();
          await o.send(agent);
          latencies.push(performance.now() - t0);
        }
      }),
    );
  } finally {
    for (const { socket } of agents) socket.destroy();
  }
  return { rps: latencies.length / o.seconds, p50: p50(latencies), p99: quantile(latencies, 0.99) };
}

async function load(target: Target, upstreamPort: number, conns: number, size: number, seconds: number) {
  const body = Buffer.from(
    `Please summarise: ${'the quick brown fox jumps over the lazy dog '.repeat(size / 44 + 1)}`.slice(
      0,
      size - 40,
    ) + ' mail ann@example.com ok',
  );
  return loadLoop(target, {
    conns,
    seconds,
    upstreamPort,
    send: async (agent) => void (await request(agent, `/?size=${size}`, body, 'localhost', upstreamPort)),
  });
}

/**
 * Forks `script` (a bench file run through tsx) with `args` and resolves with the first message it
 * sends over IPC (e.g. `{ port }` once it listens); rejects when it exits first.
 *
 * @example
 * const { child, message } = await startChild<{ port: number }>(SELF, ['--role', 'upstream']);
 */
export function startChild<M>(
  script: string,
  args: string[],
  execArgv: string[] = [],
): Promise<{ child: ChildProcess; message: M }> {
  const child = fork(script, args, {
    execArgv: ['--import', 'tsx', ...execArgv],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (message: M) => resolve({ child, message }));
    child.once('exit', (code) => reject(new Error(`child ${args.join(' ')} exited with ${code}`)));
  });
}

/** Starts one of this file's roles in a child; its first message is `{ port }`. */
async function startRole(
  args: string[],
  execArgv: string[] = [],
): Promise<{ child: ChildProcess; port: number }> {
  const { child, message } = await startChild<{ port: number }>(SELF, args, execArgv);
  return { child, port: message.port };
}

async function startMitmdump(
  dir: string,
): Promise<{ child: ChildProcess; port: number; ca: string } | string> {
  const which = ['/usr/bin/mitmdump', '/usr/local/bin/mitmdump'].find((p) => existsSync(p));
  if (!which) return 'mitmdump not installed (apt-get install mitmproxy)';
  const port = await new Promise<number>((r) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => r(p));
    });
  });
  const confdir = join(dir, 'mitm');
  const child = spawn(
    which,
    [
      '-q',
      '--listen-host',
      '127.0.0.1',
      '--listen-port',
      String(port),
      '--set',
      `confdir=${confdir}`,
      '--set',
      `ssl_verify_upstream_trusted_ca=${join(dir, 'root.pem')}`,
    ],
    { stdio: 'ignore' },
  );
  for (let i = 0; i < 100; i++) {
    await new Promise((r) => setTimeout(r, 100));
    const ok = await new Promise<boolean>((r) =>
      net
        .connect(port, '127.0.0.1')
        .once('connect', function (this: Socket) {
          this.destroy();
          r(true);
        })
        .once('error', () => r(false)),
    );
    if (ok && existsSync(join(confdir, 'mitmproxy-ca-cert.pem')))
      return { child, port, ca: readFileSync(join(confdir, 'mitmproxy-ca-cert.pem'), 'utf8') };
  }
  child.kill();
  return 'mitmdump did not start within 10 s';
}

async function main(): Promise<void> {
  const seconds = Number(arg('--seconds') ?? 2);
  const dir = mkdtempSync(join(tmpdir(), 'declaw-bench-proxy-'));
  const pki = await createTestPki();
  const creds = await pki.issueServer(['localhost', ...FRESH_NAMES, '127.0.0.1']);
  writeFileSync(join(dir, 'root.pem'), pki.rootCaPem);
  writeFileSync(join(dir, 'upstream.key'), creds.keyPem);
  writeFileSync(join(dir, 'upstream.crt'), creds.certPem);
  const children: ChildProcess[] = [];
  try {
    const upstream = await startRole(['--role', 'upstream', '--dir', dir]);
    children.push(upstream.child);
    const splice = await startRole(['--role', 'declaw', '--mode', 'splice', '--dir', dir]);
    const profileDir = process.env.BENCH_PROFILE_DIR;
    const full = await startRole(
      ['--role', 'declaw', '--mode', 'full', '--dir', dir],
      [
        '--expose-gc',
        ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
        ...(process.env.BENCH_PROXY_NODE_FLAGS?.split(' ').filter(Boolean) ?? []),
      ],
    );
    children.push(splice.child, full.child);
    if (process.env.BENCH_PIN === '1') {
      // The proxy on CPU 1, everything else on CPU 0: steadier CPU-per-request figures on a 2-CPU box.
      for (const [pid, cpu] of [
        [process.pid, 0],
        [upstream.child.pid, 0],
        [splice.child.pid, 0],
        [full.child.pid, 1],
      ] as const) {
        spawnSync('taskset', ['-a', '-p', '-c', String(cpu), String(pid)], { stdio: 'ignore' });
      }
    }
    const mitm = await startMitmdump(dir);
    if (typeof mitm !== 'string') children.push(mitm.child);
    const fullTarget: Target = {
      name: '(c) declaw full',
      proxyPort: full.port,
      ca: readFileSync(join(dir, 'ca-full.pem'), 'utf8'),
    };
    const cases = `a${arg('--cases') ?? 'bcd'}`;
    const targets: Target[] = [
      { name: '(a) direct', ca: pki.rootCaPem },
      { name: '(b) declaw splice', proxyPort: splice.port, ca: pki.rootCaPem },
      fullTarget,
      ...(typeof mitm === 'string' ? [] : [{ name: '(d) mitmdump', proxyPort: mitm.port, ca: mitm.ca }]),
    ].filter((t) => cases.includes(t.name[1]!));
    console.log(
      `proxy-load: node ${process.version}, ${cpus().length} CPUs, load ${loadavg()[0]!.toFixed(2)}, ${seconds}s per cell`,
    );
    if (typeof mitm === 'string') console.log(`(d) skipped: ${mitm}`);
    // The full proxy's own CPU time per request (user + system, from the child): unlike req/s and
    // latency it hardly depends on what else the machine is running, so it shows small changes.
    const fullStats = (what = 'stats') =>
      new Promise<{ rss: number; cpuMicros: number; sys: number }>((r) => {
        full.child.once('message', (m: { rss: number; cpuMicros: number; sys: number }) => r(m));
        full.child.send(what);
      });
    console.log('\n| case | conns | body | req/s | p50 ms | req/s vs (a) | (c) CPU µs/req (system) |');
    console.log('|---|---:|---:|---:|---:|---:|---:|');
    // Warm-up: the proxies' first requests run cold code (V8 compiles it in the meantime, on other
    // threads), which would count against whichever cell came first.
    for (const t of targets.slice(1))
      for (const size of [1024, 65536]) await load(t, upstream.port, 4, size, 1);
    const base = new Map<string, { rps: number; p50: number }>();
    const full1k = new Map<string, number>();
    const list = (name: string, all: number[]) => arg(name)?.split(',').map(Number) ?? all;
    for (const conns of list('--conns', [1, 10])) {
      for (const size of list('--sizes', [1024, 65536])) {
        for (const t of targets) {
          const s0 = t === fullTarget ? await fullStats() : undefined;
          const r = await load(t, upstream.port, conns, size, seconds);
          // The load's warm-up requests (one per connection) are counted too: a slight overestimate.
          const s1 = s0 && (await fullStats());
          const n = r.rps * seconds + conns;
          const cpu =
            s0 && s1
              ? `${((s1.cpuMicros - s0.cpuMicros) / n).toFixed(0)} (${((s1.sys - s0.sys) / n).toFixed(0)})`
              : '';
          const key = `${conns}/${size}`;
          if (t.name.startsWith('(a)')) base.set(key, r);
          if (t.name.startsWith('(c)')) full1k.set(key, r.p50);
          const ratio = r.rps / base.get(key)!.rps;
          console.log(
            `| ${t.name} | ${conns} | ${size / 1024} KiB | ${r.rps.toFixed(0)} | ${r.p50.toFixed(2)} | ${ratio.toFixed(2)}× | ${cpu} |`,
          );
        }
      }
    }
    if (process.argv.includes('--only-load')) return;
    console.log(
      `\nadded p50 latency of (c) over (a), 1 connection, 1 KiB: ${(full1k.get('1/1024')! - base.get('1/1024')!.p50).toFixed(2)} ms`,
    );

    // SSE time to first event, direct vs full pipeline, on warm keep-alive connections.
    const ttfe = async (t: Target) => {
      const s = await openTls(t, upstream.port);
      const agent = new OneSocketAgent(s);
      const xs: number[] = [];
      for (let i = 0; i < 30; i++)
        xs.push((await request(agent, '/sse', undefined, 'localhost', upstream.port)).ttfb);
      s.destroy();
      return p50(xs);
    };
    const [sseA, sseC] = [await ttfe(targets[0]!), await ttfe(fullTarget)];
    console.log(
      `SSE time to first event p50: direct ${sseA.toFixed(2)} ms, declaw full ${sseC.toFixed(2)} ms, added ${(sseC - sseA).toFixed(2)} ms`,
    );

    // First request to a new host name (mints a leaf) against a repeat to the same names.
    const firstReq = async (host: string) => {
      const t0 = performance.now();
      const s = await openTls(fullTarget, upstream.port, host);
      await request(new OneSocketAgent(s), '/?size=64', undefined, host, upstream.port);
      s.destroy();
      return performance.now() - t0;
    };
    const fresh: number[] = [];
    const repeat: number[] = [];
    for (const n of FRESH_NAMES) fresh.push(await firstReq(n));
    for (const n of FRESH_NAMES) repeat.push(await firstReq(n));
    console.log(
      `first request to a new host name p50: ${p50(fresh).toFixed(2)} ms; same names again (leaf cached): ${p50(repeat).toFixed(2)} ms; minting adds ${(p50(fresh) - p50(repeat)).toFixed(2)} ms`,
    );

    // RSS of the full-pipeline proxy per 1,000 idle intercepted keep-alive connections.
    const rss = async () => (await fullStats('rss')).rss;
    const before = await rss();
    const idle: TLSSocket[] = [];
    for (let i = 0; i < 1000; i++) {
      const s = await openTls(fullTarget, upstream.port);
      await request(new OneSocketAgent(s), '/?size=64', undefined, 'localhost', upstream.port);
      idle.push(s);
    }
    const afterRss = await rss();
    for (const s of idle) s.destroy();
    console.log(
      `proxy RSS per 1,000 idle intercepted keep-alive connections: ${((afterRss - before) / 1048576).toFixed(1)} MiB`,
    );
  } finally {
    // Waiting for the exits lets a profiled child finish writing its .cpuprofile.
    const exits = children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : null));
    for (const c of children) c.kill();
    await Promise.all(exits);
    rmSync(dir, { recursive: true, force: true });
  }
}

// Only as the entry point (or a child forked with a role): importing this file runs nothing.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const role = arg('--role');
  if (role === 'upstream') void upstreamRole(arg('--dir')!);
  else if (role === 'declaw') void declawRole(arg('--dir')!, arg('--mode')!);
  else await main();
}
