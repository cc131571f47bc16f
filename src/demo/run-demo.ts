/**
 * Runs the demo's world and agent and collects the evidence: what the fake LLM host received, what the
 * agent printed, and the audit entries of the run. Judging the evidence is claims.ts's job, showing it
 * report.ts's. Everything built here is removed in `finally`, also when `signal` aborts (Ctrl-C).
 */
import { randomBytes, randomInt } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { AuditStore } from '../audit/audit-store.js';
import type { AuditEntry } from '../audit/entry.js';
import { SqliteAuditBackend } from '../audit/sqlite-backend.js';
import { InvalidArgumentError, PreflightFailedError } from '../errors.js';
import { mapResolver } from '../proxy/egress/resolver.js';
import { ProxyServer } from '../proxy/proxy-server.js';
import { UpstreamTrust } from '../proxy/tls/upstream-trust.js';
import { mapDnsUpstream } from '../sandbox/dns/dns-upstream.js';
import { claimRunTag, sweepDeadRuns } from '../sandbox/run-owner.js';
import { SandboxManager } from '../sandbox/sandbox-manager.js';
import { AGENT_PATH, DENIED_DOMAIN, loadAgentScript } from './agent-script.js';
import { createDemoPki } from './demo-pki.js';
import { demoPolicy, LLM_HOST } from './demo-policy.js';
import { createDemoWorld, pickDemoSubnet } from './demo-world.js';
import type { UpstreamRequest } from './fake-llm.js';

/** Where demo runs keep their sandbox files and owner marks. */
export const DEMO_STATE_ROOT = '/var/lib/declaw/demo';

/** Public-looking addresses the sandbox's DNS gives out; its firewall sends 443 to the proxy anyway. */
const SANDBOX_DNS: Readonly<Record<string, string>> = {
  [LLM_HOST]: '198.51.100.7',
  [DENIED_DOMAIN]: '198.51.100.8',
};

/** One step the agent reported (a JSON line of its stdout). */
export interface AgentStep {
  step: string;
  [field: string]: unknown;
}

/** Everything the demo observed. */
export interface DemoEvidence {
  /** The run's secret value (the real key the proxy injects); shown only as a fingerprint. */
  realKey: string;
  sandboxId: string;
  agent: { exitCode: number; steps: AgentStep[]; stdout: string; stderr: string };
  upstream: UpstreamRequest[];
  audit: AuditEntry[];
}

/** Options of {@link runDemo}. */
export interface RunDemoOptions {
  /** Progress lines for the slow steps. */
  onProgress?: (message: string) => void;
  /** Aborting stops the agent and tears everything down. */
  signal?: AbortSignal;
  stateRoot?: string;
  /** Whether this process may build namespaces and sandboxes. Default: root on Linux. */
  privileged?: boolean;
}

async function startManager(
  tag: string,
  stateRoot: string,
  proxy: ProxyServer,
  endpointPort: number,
  store: AuditStore,
) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await SandboxManager.start({
        tag,
        stateRoot,
        ipv4Pool: `10.214.${randomInt(0, 256)}.${randomInt(0, 16) * 16}/28`,
        ipv6Pool: null,
        uidBase: 1_250_000_000 + randomInt(0, 1_000_000) * 64,
        proxy: { endpoint: { host: '127.0.0.1', port: endpointPort }, sessions: proxy.sessions },
        dnsUpstream: mapDnsUpstream(SANDBOX_DNS),
        warmPoolSize: 0,
        onEvent: (e) => store.record(e),
      });
    } catch (err) {
      const overlap = err instanceof InvalidArgumentError && /overlaps/.test(err.message);
      if (!overlap || attempt >= 8) throw err;
    }
  }
}

function parseSteps(stdout: string): AgentStep[] {
  const steps: AgentStep[] = [];
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const v = JSON.parse(line) as AgentStep;
      if (typeof v.step === 'string') steps.push(v);
    } catch {
      // Not a step line.
    }
  }
  return steps;
}

/**
 * Builds the world, runs the agent, collects the evidence, removes everything.
 *
 * @example
 * const evidence = await runDemo({ onProgress: (m) => io.stderr(`${m}\n`) });
 * const claims = judgeClaims(evidence);
 */
export async function runDemo(o: RunDemoOptions = {}): Promise<DemoEvidence> {
  const privileged = o.privileged ?? (process.platform === 'linux' && process.getuid?.() === 0);
  if (!privileged) {
    throw new PreflightFailedError([
      {
        check: 'root',
        message:
          'declaw demo builds network namespaces, firewall rules and a sandbox, which needs root on Linux',
        fix: 'run it as root, e.g. `sudo npx declaw demo` (nothing leaves the machine and everything is removed afterwards)',
      },
    ]);
  }
  const progress = o.onProgress ?? (() => {});
  const stateRoot = o.stateRoot ?? DEMO_STATE_ROOT;
  const tag = `d${randomBytes(2).toString('hex').slice(0, 3)}`;
  const realKey = `sk-demo-${randomBytes(18).toString('base64url')}`;
  const policy = demoPolicy(realKey);
  const cleanups: Array<() => Promise<unknown>> = [];
  const aborted = () => {
    if (o.signal?.aborted) throw new Error('declaw demo was interrupted');
  };
  try {
    await mkdir(stateRoot, { recursive: true, mode: 0o711 });
    await sweepDeadRuns(stateRoot);
    const ownerFile = await claimRunTag(stateRoot, tag);
    cleanups.push(() => rm(ownerFile, { force: true }));

    progress('creating the offline world: demo CA, network namespace, fake api.openai.com');
    const pki = await createDemoPki();
    const creds = await pki.issueServer([LLM_HOST, DENIED_DOMAIN]);
    const auditDir = await mkdtemp(join(stateRoot, `.audit-${tag}-`));
    cleanups.push(() => rm(auditDir, { recursive: true, force: true }));
    const store = new AuditStore({
      backend: new SqliteAuditBackend({ file: join(auditDir, 'audit.sqlite') }),
      purgeIntervalMs: 0,
    });
    cleanups.push(() => store.close());
    aborted();

    const subnet = await pickDemoSubnet();
    const proxy = new ProxyServer({
      upstreamTrust: await UpstreamTrust.load({
        includeSystemStore: false,
        extraCaPems: [pki.caPem],
        env: {},
      }),
      auditSink: store,
      // The proxy resolves both names to the fake host: only the policy keeps the denied one out.
      resolver: mapResolver({ [LLM_HOST]: subnet.host, [DENIED_DOMAIN]: subnet.host }),
      // The fake host has a private address; exactly that one address counts as reachable.
      labNetwork: { reachablePrivateRanges: [`${subnet.host}/32`] },
    });
    cleanups.push(() => proxy.close());
    const { port } = await proxy.listenTransparent({ host: '127.0.0.1', port: 0 });
    const manager = await startManager(tag, stateRoot, proxy, port, store);
    cleanups.push(() => manager.close());
    // Made after the manager: starting a manager reconciles its tag, which would remove the world.
    const world = await createDemoWorld(tag, creds, subnet);
    cleanups.push(() => world.close());
    aborted();

    progress('creating the sandbox with the demo policy');
    const sbx = await manager.create({ policy, timeoutMs: 120_000 });
    store.configureSandbox(sbx.id, { enabled: true });
    await sbx.files.write(AGENT_PATH, await loadAgentScript());
    aborted();

    progress('running the agent (python3) in the sandbox');
    const onAbort = () => void sbx.kill();
    o.signal?.addEventListener('abort', onAbort, { once: true });
    let result: { exitCode: number; stdout: string; stderr: string };
    try {
      result = await sbx.commands.run(`python3 ${AGENT_PATH}`, { timeoutMs: 60_000 });
    } catch (err) {
      const r = (err as { result?: { exitCode: number; stdout: string; stderr: string } }).result;
      if (!r) throw err;
      result = r;
    } finally {
      o.signal?.removeEventListener('abort', onAbort);
    }
    aborted();
    await sbx.kill();
    await store.flush();
    const audit: AuditEntry[] = [];
    for await (const e of store.entries({ sandboxId: sbx.id })) audit.push(e);
    return {
      realKey,
      sandboxId: sbx.id,
      agent: {
        exitCode: result.exitCode,
        steps: parseSteps(result.stdout),
        stdout: result.stdout,
        stderr: result.stderr,
      },
      upstream: [...world.requests],
      audit,
    };
  } finally {
    for (const undo of cleanups.reverse()) await undo().catch(() => undefined);
  }
}
