/**
 * The work of `declaw run`: one fresh sandbox under a policy, its command's output streamed, every
 * audit event of the proxy, the DNS responder and the runtime collected in memory for the summary,
 * and everything removed afterwards. The command layer (commands/run.ts) parses flags and prints.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import type { StoredEvent } from '../audit/runtime-events.js';
import { CommandExitError, CommandTimeoutError, InvalidArgumentError } from '../errors.js';
import { hasDomainRules, needsBodyInspection } from '../policy/derived.js';
import type { SecurityPolicy } from '../policy/security-policy.js';
import type { Resolver } from '../proxy/egress/resolver.js';
import type { LabNetwork } from '../proxy/egress/lab-network.js';
import { ProxyServer } from '../proxy/proxy-server.js';
import { guardrailsClientFromEnv } from '../guardrails/client/guardrails-client.js';
import { UpstreamTrust } from '../proxy/tls/upstream-trust.js';
import type { DnsUpstream } from '../sandbox/dns/dns-upstream.js';
import { claimRunTag, sweepDeadRuns } from '../sandbox/run-owner.js';
import { SandboxManager, type SandboxProxy } from '../sandbox/sandbox-manager.js';
import { summarizeRun, type RunSummary } from './run-summary.js';

/** Exit status when the command hit its timeout (as timeout(1) does). */
export const EXIT_TIMEOUT = 124;
/** Where `declaw run` keeps its sandboxes (apart from the daemon's). */
export const RUN_STATE_ROOT = '/var/lib/declaw/run';

/**
 * TEST ONLY: a loopback "internet" for end-to-end tests. Never set these outside tests: a lab
 * network reopens SSRF to private addresses, and the resolvers replace real name resolution.
 */
export interface RunTestOnly {
  upstreamTrust?: UpstreamTrust;
  resolver?: Resolver;
  dnsUpstream?: DnsUpstream;
  labNetwork?: LabNetwork;
  hostAddresses?: Iterable<string>;
}

/** Options of {@link runInSandbox}. */
export interface RunInSandboxOptions {
  policy: SecurityPolicy;
  argv: readonly string[];
  envs?: Record<string, string>;
  cwd?: string;
  stdin?: Buffer;
  /** Seconds; 0 or absent: no limit. */
  timeoutS?: number;
  stdout: (chunk: string) => void;
  stderr: (chunk: string) => void;
  ipv4Pool?: string;
  stateRoot?: string;
  /** Aborting (Ctrl-C) kills the sandbox; the summary still covers what happened until then. */
  signal?: AbortSignal;
  /**
   * Base URL of the Guardrails Service (NER for person names and other NER-only PII types, the
   * injection model). Default: the GUARDRAILS_URL environment variable; unset means the built-in
   * engines alone. GUARDRAILS_TIMEOUT_MS sets the per-call deadline (default 150 ms).
   */
  guardrailsUrl?: string;
  /** Environment read for GUARDRAILS_URL and GUARDRAILS_TIMEOUT_MS; default the process's. */
  env?: NodeJS.ProcessEnv;
  testOnly?: RunTestOnly;
}

/** What a run ended with. */
export interface RunOutcome {
  exitCode: number;
  timedOut: boolean;
  summary: RunSummary;
}

async function startManager(
  o: RunInSandboxOptions,
  stateRoot: string,
  tag: string,
  proxy: SandboxProxy | undefined,
  onEvent: (e: StoredEvent) => void,
): Promise<SandboxManager> {
  // A private /28 for this run; another range is tried when the host (or another run) uses it.
  for (let attempt = 0; ; attempt++) {
    const pool = o.ipv4Pool ?? `10.214.${randomInt(0, 256)}.${randomInt(0, 16) * 16}/28`;
    try {
      return await SandboxManager.start({
        tag,
        stateRoot,
        ipv4Pool: pool,
        ipv6Pool: null,
        // Host uids apart from the daemon's (which start at 1,200,000,000) and, very likely, other runs'.
        uidBase: 1_250_000_000 + randomInt(0, 1_000_000) * 64,
        proxy,
        warmPoolSize: 0,
        onEvent,
        ...(o.testOnly?.dnsUpstream ? { dnsUpstream: o.testOnly.dnsUpstream } : {}),
      });
    } catch (err) {
      const overlap = err instanceof InvalidArgumentError && /overlaps/.test(err.message);
      if (!overlap || o.ipv4Pool || attempt >= 8) throw err;
    }
  }
}

/**
 * Runs `argv` in a fresh sandbox and returns its exit code with the summary of the run. Each run uses
 * its own tag and owner file, so concurrent runs never reconcile each other's sandboxes, and a later
 * run removes the leftovers of runs whose process is gone.
 *
 * @example
 * const { exitCode, summary } = await runInSandbox({
 *   policy, argv: ['curl', '-sS', 'https://pypi.org/simple/'],
 *   stdout: (d) => process.stdout.write(d), stderr: (d) => process.stderr.write(d),
 * });
 */
export async function runInSandbox(o: RunInSandboxOptions): Promise<RunOutcome> {
  const stateRoot = o.stateRoot ?? RUN_STATE_ROOT;
  const tag = `r${randomBytes(2).toString('hex').slice(0, 3)}`;
  const events: StoredEvent[] = [];
  const record = (e: StoredEvent) => void events.push(e);
  let manager: SandboxManager | undefined;
  let proxyServer: ProxyServer | undefined;
  const guardrails = guardrailsClientFromEnv(o.env ?? process.env, {
    ...(o.guardrailsUrl !== undefined ? { url: o.guardrailsUrl } : {}),
  });
  let ownerFile: string | undefined;
  const onAbort = () => void manager?.close();
  try {
    await mkdir(stateRoot, { recursive: true, mode: 0o711 });
    await sweepDeadRuns(stateRoot);
    ownerFile = await claimRunTag(stateRoot, tag);
    let proxy: SandboxProxy | undefined;
    if (hasDomainRules(o.policy) || needsBodyInspection(o.policy)) {
      const t = o.testOnly;
      proxyServer = new ProxyServer({
        upstreamTrust: t?.upstreamTrust ?? (await UpstreamTrust.load()),
        auditSink: { record },
        ...(guardrails ? { guardrails } : {}),
        ...(t?.resolver ? { resolver: t.resolver } : {}),
        ...(t?.hostAddresses ? { hostAddresses: t.hostAddresses } : {}),
        ...(t?.labNetwork ? { labNetwork: t.labNetwork } : {}),
      });
      const { port } = await proxyServer.listenTransparent({ host: '127.0.0.1', port: 0 });
      proxy = { endpoint: { host: '127.0.0.1', port }, sessions: proxyServer.sessions };
    }
    manager = await startManager(o, stateRoot, tag, proxy, record);
    o.signal?.addEventListener('abort', onAbort, { once: true });
    const timeoutS = o.timeoutS ?? 0;
    const lifetimeMs = Math.min(24 * 3_600_000, Math.max(60_000, (timeoutS + 60) * 1000));
    const sandbox = await manager.create({ policy: o.policy, envs: o.envs ?? {}, timeoutMs: lifetimeMs });
    let exitCode = 0;
    let timedOut = false;
    try {
      await sandbox.commands.exec([...o.argv], {
        ...(o.cwd !== undefined ? { cwd: o.cwd } : {}),
        ...(o.stdin !== undefined ? { stdin: o.stdin } : {}),
        timeoutMs: timeoutS * 1000,
        onStdout: o.stdout,
        onStderr: o.stderr,
      });
    } catch (err) {
      if (err instanceof CommandTimeoutError) {
        timedOut = true;
        exitCode = EXIT_TIMEOUT;
      } else if (err instanceof CommandExitError) exitCode = err.result.exitCode;
      else throw err;
    }
    const summary = summarizeRun(events, {
      exitCode,
      audited: o.policy.json.audit.enabled,
      sandboxId: sandbox.id,
    });
    return { exitCode, timedOut, summary };
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
    await manager?.close();
    await proxyServer?.close();
    guardrails?.close();
    if (ownerFile) await rm(ownerFile, { force: true });
  }
}
