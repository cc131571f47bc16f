/**
 * The proxy's full-pipeline throughput with and without the Guardrails Service (issue 7). Keep-alive
 * HTTPS POSTs of a 1 KiB chat request naming a person (plus an SSN and an e-mail address) through the
 * explicit proxy, policy: PII (person_name, ssn, email) redact + rehydrate, injection defence, at 1
 * and 4 concurrent connections:
 *   (a) built-in only      no GUARDRAILS_URL: the baseline of every ratio
 *   (b) with the service   NER on every request body (one /v1/analyze call), the model on every response
 *   (c) service down       GUARDRAILS_URL set, service killed: breaker open, built-in engines decide
 *
 *   npx tsx bench/guardrails-pipeline.ts [--seconds 3]
 *
 * The service and each proxy run in child processes; the upstream and the load client run here.
 * Nothing leaves 127.0.0.1. Not a test: numbers depend on the machine and its load.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SecurityPolicy } from '../src/policy/index.js';
import { ProxyServer } from '../src/proxy/proxy-server.js';
import { mapResolver } from '../src/proxy/egress/resolver.js';
import { UpstreamTrust } from '../src/proxy/tls/upstream-trust.js';
import { guardrailsClientFromEnv } from '../src/guardrails/client/guardrails-client.js';
import { createGuardrailsService } from '../src/guardrails/service/index.js';
import { loadDefaultEngines } from '../src/guardrails/service/default-engines.js';
import { LOOPBACK_LAB, startTestInternet } from '../test/helpers/test-internet.js';
import { arg, loadLoop, request, startChild, type LoadResult } from './proxy-load.js';

const SELF = fileURLToPath(import.meta.url);
const HOST = 'api.openai.com';

// ---------------------------------------------------------------- child roles
async function serviceRole(): Promise<void> {
  const service = createGuardrailsService({ engines: () => loadDefaultEngines() });
  const { port } = await service.listen('127.0.0.1', 0);
  await service.whenReady();
  process.send?.({ port });
}

async function proxyRole(dir: string, guardrailsUrl: string | undefined): Promise<void> {
  const upstreamTrust = await UpstreamTrust.load({
    includeSystemStore: false,
    extraCaFiles: [join(dir, 'root.pem')],
    env: {},
  });
  const guardrails = guardrailsClientFromEnv(guardrailsUrl ? { GUARDRAILS_URL: guardrailsUrl } : {});
  const proxy = new ProxyServer({
    upstreamTrust,
    resolver: mapResolver({ [HOST]: '127.0.0.1' }),
    hostAddresses: [],
    labNetwork: LOOPBACK_LAB,
    ...(guardrails ? { guardrails } : {}),
  });
  const policy = SecurityPolicy.from({
    pii: { enabled: true, types: ['person_name', 'ssn', 'email'], action: 'redact', rehydrateResponse: true },
    injectionDefense: { enabled: true, action: 'block' },
  });
  const session = await proxy.sessions.add({ id: 'bench', policy });
  writeFileSync(join(dir, `ca-${process.pid}.pem`), session.ca.certificatePem);
  const { port } = await proxy.listenExplicit({ sessionId: 'bench' });
  process.send?.({ port, ca: join(dir, `ca-${process.pid}.pem`) });
}

// ---------------------------------------------------------------- client side
/** Starts one of this file's roles in a child; its first message says its port (and CA file). */
async function startRole(args: string[]): Promise<{ child: ChildProcess; port: number; ca?: string }> {
  const { child, message } = await startChild<{ port: number; ca?: string }>(SELF, args);
  return { child, ...message };
}

function chatBody(): Buffer {
  const intro = 'Summarize this customer record: John Smith, SSN 123-45-6789, email john@example.com. ';
  const filler = 'The customer asked about the delivery date of the order and the warranty terms. ';
  const content = (intro + filler.repeat(12)).slice(0, 1024 - 80);
  return Buffer.from(JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }] }));
}

function load(proxyPort: number, ca: string, upstreamPort: number, conns: number, seconds: number) {
  const body = chatBody();
  return loadLoop(
    { name: 'proxy', proxyPort, ca },
    {
      conns,
      seconds,
      upstreamPort,
      host: HOST,
      send: async (agent) => {
        const r = await request(agent, '/v1/chat/completions', body, HOST, upstreamPort, 'application/json');
        if (r.status !== 200) throw new Error(`status ${r.status} from the proxy`);
      },
    },
  );
}

async function main(): Promise<void> {
  const seconds = Number(arg('--seconds') ?? 3);
  const dir = mkdtempSync(join(tmpdir(), 'declaw-bench-guardrails-'));
  const internet = await startTestInternet({ names: [HOST] });
  writeFileSync(join(dir, 'root.pem'), internet.rootCaPem);
  const children: ChildProcess[] = [];
  try {
    const service = await startRole(['--role', 'service']);
    children.push(service.child);
    const serviceUrl = `http://127.0.0.1:${service.port}`;
    const port = internet.httpsPort;
    const builtIn = await startRole(['--role', 'proxy', '--dir', dir]);
    const withService = await startRole(['--role', 'proxy', '--dir', dir, '--guardrails', serviceUrl]);
    children.push(builtIn.child, withService.child);
    console.log(
      `guardrails-pipeline: node ${process.version}, ${cpus().length} CPUs, load ${loadavg()[0]!.toFixed(2)}, ${seconds}s per cell, 1 KiB chat bodies`,
    );
    console.log('\n| case | conns | req/s | p50 ms | p99 ms | req/s vs (a) |');
    console.log('|---|---:|---:|---:|---:|---:|');
    const rows: Array<[string, { port: number; ca?: string }]> = [
      ['(a) built-in only', builtIn],
      ['(b) with the service', withService],
    ];
    const base = new Map<number, number>();
    const print = (name: string, conns: number, r: LoadResult) => {
      if (!base.has(conns)) base.set(conns, r.rps);
      console.log(
        `| ${name} | ${conns} | ${r.rps.toFixed(0)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${(r.rps / base.get(conns)!).toFixed(2)}× |`,
      );
    };
    const ca = (c: { ca?: string }) => readFileSync(c.ca!, 'utf8');
    for (const conns of [1, 4]) {
      for (const [name, child] of rows)
        print(name, conns, await load(child.port, ca(child), port, conns, seconds));
    }
    // (c): the service goes away; the first calls fail, the breaker opens, the built-in engines decide.
    service.child.kill();
    await new Promise((r) => service.child.once('exit', r));
    for (const conns of [1, 4])
      print('(c) service down', conns, await load(withService.port, ca(withService), port, conns, seconds));
  } finally {
    for (const c of children) c.kill();
    await internet.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const role = arg('--role');
if (role === 'service') void serviceRole();
else if (role === 'proxy') void proxyRole(arg('--dir')!, arg('--guardrails'));
else await main();
