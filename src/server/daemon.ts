/**
 * `declaw serve` as a library: the proxy (transparent front door on loopback), the sandbox manager
 * (which removes what a crashed daemon left behind when it starts), the audit log, metrics and the
 * REST API, wired together and closed together.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { silentLogger, type Logger } from '../logger.js';
import type { Resolver } from '../proxy/egress/resolver.js';
import type { LabNetwork } from '../proxy/egress/lab-network.js';
import { ProxyServer } from '../proxy/proxy-server.js';
import { guardrailsClientFromEnv } from '../guardrails/client/guardrails-client.js';
import { UpstreamTrust } from '../proxy/tls/upstream-trust.js';
import type { DnsUpstream } from '../sandbox/dns/dns-upstream.js';
import { SandboxManager } from '../sandbox/sandbox-manager.js';
import { ApiKeys } from './api-keys.js';
import { ApiServer } from './api-server.js';
import type { AuditQuery, DaemonEvent } from './audit-log.js';
import { openAuditStore, defaultDataDir } from '../audit/open-store.js';
import type { AuditStore } from '../audit/audit-store.js';
import { DaemonMetrics } from './metrics.js';

/** Default port of `declaw serve` (documented in docs/api.md). */
export const DEFAULT_API_PORT = 8735;
/** Default listen address: loopback only. */
export const DEFAULT_API_HOST = '127.0.0.1';
/** Where the daemon's sandboxes live (sandbox uids must be able to traverse every parent). */
export const DAEMON_STATE_ROOT = '/var/lib/declaw/sandboxes';

export { defaultDataDir };

/** Options of {@link Daemon.start}. */
export interface DaemonOptions {
  listen?: { host?: string; port?: number };
  /** Key file, audit data. Default {@link defaultDataDir}. */
  dataDir?: string;
  /** Keys; default: DECLAW_API_KEY and `<dataDir>/api-keys` (one is generated there when there is none). */
  keys?: ApiKeys;
  env?: NodeJS.ProcessEnv;
  /** Sandbox manager tag (several daemons can run side by side with different tags). Default `dd`. */
  tag?: string;
  stateRoot?: string;
  ipv4Pool?: string;
  ipv6Pool?: string | null;
  uidBase?: number;
  warmPoolSize?: number;
  /** Audit store; default {@link openAuditStore} in `dataDir` (or DECLAW_AUDIT_URL's PostgreSQL). */
  audit?: { sink: { record(e: DaemonEvent): void }; query: AuditQuery };
  logger?: Logger;
  /**
   * Base URL of the Guardrails Service, e.g. `http://127.0.0.1:8700`: NER for person names and the
   * other NER-only PII types, and the injection model, with automatic fallback to the built-in
   * engines. Default: the GUARDRAILS_URL environment variable (of `env`); unset means built-in only.
   * GUARDRAILS_TIMEOUT_MS sets the per-call deadline (default 150 ms).
   */
  guardrailsUrl?: string;
  /** Test worlds: upstream CAs, name resolution, DNS for sandboxes. */
  upstreamTrust?: UpstreamTrust;
  resolver?: Resolver;
  dnsUpstream?: DnsUpstream;
  /**
   * Offline and lab worlds only: private ranges the proxy may reach and the sandboxes' firewalls
   * treat as public (see {@link LabNetwork}; it reopens SSRF to them, so no flag or policy sets it).
   */
  labNetwork?: LabNetwork;
  hostAddresses?: Iterable<string>;
}

async function loadOrCreateKeys(
  dataDir: string,
  env: NodeJS.ProcessEnv,
): Promise<{ keys: ApiKeys; keyFile: string; created: boolean }> {
  const keyFile = join(dataDir, 'api-keys');
  let created = false;
  if (!env.DECLAW_API_KEY) {
    const existing = await readFile(keyFile, 'utf8').catch(() => '');
    if (!existing.split('\n').some((l) => l.trim() && !l.trim().startsWith('#'))) {
      await writeFile(
        keyFile,
        `# declaw API keys, one per line\n${randomBytes(24).toString('base64url')}\n`,
        { mode: 0o600 },
      );
      created = true;
    }
  }
  await chmod(keyFile, 0o600).catch(() => undefined);
  return { keys: await ApiKeys.load({ env, keyFile }), keyFile, created };
}

/**
 * @example
 * const daemon = await Daemon.start({ listen: { port: 8735 } });
 * daemon.url; // http://127.0.0.1:8735
 * await daemon.close();
 */
export class Daemon {
  private constructor(
    readonly url: string,
    readonly keyFile: string | undefined,
    /** True when this start generated the key file. */
    readonly createdKey: boolean,
    readonly manager: SandboxManager,
    readonly proxy: ProxyServer,
    readonly api: ApiServer,
    readonly auditLog: AuditQuery,
    readonly metrics: DaemonMetrics,
    private readonly closeAudit: () => Promise<void>,
  ) {}

  static async start(o: DaemonOptions = {}): Promise<Daemon> {
    const env = o.env ?? process.env;
    const logger = o.logger ?? silentLogger;
    const dataDir = o.dataDir ?? defaultDataDir(env);
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    const k = o.keys
      ? { keys: o.keys, keyFile: undefined, created: false }
      : await loadOrCreateKeys(dataDir, env);
    // The persistent store (SQLite in the data directory, or PostgreSQL with DECLAW_AUDIT_URL) unless
    // the caller brings its own.
    const store = o.audit ? undefined : await openAuditStore({ dataDir, env, logger });
    const audit = o.audit ?? { sink: store as AuditStore, query: store as AuditStore };
    const ref: { manager?: SandboxManager } = {};
    const metrics = new DaemonMetrics(() => ref.manager?.list().length ?? 0, { processMetrics: true });
    // The runtime's events (lifecycle, DNS) are counted and stored here; the proxy's reach the
    // metrics through its own hook, so sandboxes that turned auditing off are still measured.
    const recordRuntime = (e: DaemonEvent) => {
      // Tell the store the sandbox's AuditConfig before its first event, so its retention applies
      // and runtime events (DNS) are dropped when the policy turned audit off.
      if (e.type === 'vm_created' && store && ref.manager) {
        const sbx = ref.manager.get(e.sandboxId);
        store.configureSandbox(e.sandboxId, sbx.policy.json.audit);
      }
      metrics.observe(e);
      audit.sink.record(e);
    };
    const guardrails = guardrailsClientFromEnv(env, {
      logger,
      ...(o.guardrailsUrl !== undefined ? { url: o.guardrailsUrl } : {}),
    });
    if (guardrails)
      logger.info('Guardrails Service enabled', {
        url: guardrails.url.href,
        deadlineMs: guardrails.deadlineMs,
      });
    const proxy = new ProxyServer({
      ...(guardrails ? { guardrails } : {}),
      upstreamTrust: o.upstreamTrust ?? (await UpstreamTrust.load()),
      auditSink: audit.sink,
      metricsSink: { record: (e) => metrics.observe(e) },
      logger,
      resolver: o.resolver,
      hostAddresses: o.hostAddresses,
      labNetwork: o.labNetwork,
    });
    let manager: SandboxManager | undefined;
    try {
      const { port } = await proxy.listenTransparent({ host: '127.0.0.1', port: 0 });
      manager = await SandboxManager.start({
        tag: o.tag ?? 'dd',
        stateRoot: o.stateRoot ?? DAEMON_STATE_ROOT,
        ipv4Pool: o.ipv4Pool,
        ipv6Pool: o.ipv6Pool,
        uidBase: o.uidBase,
        proxy: { endpoint: { host: '127.0.0.1', port }, sessions: proxy.sessions },
        dnsUpstream: o.dnsUpstream,
        trustedRanges: o.labNetwork?.reachablePrivateRanges,
        warmPoolSize: o.warmPoolSize ?? 2,
        onEvent: recordRuntime,
        logger,
      });
      ref.manager = manager;
      const r = manager.reconciled;
      if (r.namespaces + r.links + r.cgroups + r.stateDirs > 0) {
        logger.info('removed sandboxes left by a previous daemon', { report: manager.reconciled });
      }
      const api = new ApiServer({ runtime: manager, keys: k.keys, audit: audit.query, metrics, logger });
      const bound = await api.listen({
        host: o.listen?.host ?? DEFAULT_API_HOST,
        port: o.listen?.port ?? DEFAULT_API_PORT,
      });
      const host = bound.host.includes(':') ? `[${bound.host}]` : bound.host;
      return new Daemon(
        `http://${host}:${bound.port}`,
        k.keyFile,
        k.created,
        manager,
        proxy,
        api,
        audit.query,
        metrics,
        async () => {
          guardrails?.close();
          await store?.close();
        },
      );
    } catch (err) {
      await manager?.close();
      await proxy.close();
      await store?.close();
      guardrails?.close();
      throw err;
    }
  }

  /** Stop the API, remove every sandbox, stop the proxy. */
  async close(): Promise<void> {
    await this.api.close();
    await this.manager.close();
    await this.proxy.close();
    // After the proxy and the sandboxes, so their last events are written.
    await this.closeAudit();
  }
}
