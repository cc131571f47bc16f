/**
 * The sandbox runtime's entry point: creates, lists, times out and kills sandboxes on this host.
 * All state lives in the manager object (no module singletons); several managers with different
 * tags, pools and state roots can run side by side.
 */
import { chmod, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidArgumentError } from '../errors.js';
import { silentLogger, type Logger } from '../logger.js';
import { hasDomainRules, needsBodyInspection } from '../policy/derived.js';
import { SecurityPolicy } from '../policy/security-policy.js';
import { AddressPool } from './address-pool.js';
import { SandboxCgroup, type CgroupLayout, type ResourceLimits } from './cgroups.js';
import { DnsResponder } from './dns/dns-responder.js';
import { systemDnsUpstream } from './dns/dns-upstream.js';
import { PreflightFailedError, SandboxNotFoundError, SandboxSetupError } from '../errors.js';
import type { SandboxEvent } from './events.js';
import { Firewall } from './firewall.js';
import type { HostEndpoint } from './firewall-rules.js';
import { firewallKey, secureNetwork, type NetworkSettings } from './sandbox-network.js';
import { buildEtcTemplate, jailPaths, prepareJailFiles, SANDBOX_HOSTNAME, writeTrustBundle } from './jail.js';
import { netnsPath } from './netns.js';
import { startZygote, type Zygote } from './zygote.js';
import { checkTag, DEFAULT_TAG } from './names.js';
import { assertPreflight, preflightProblems, type PreflightReport } from './preflight.js';
import {
  checkSearchable,
  checkTimeout,
  DEFAULT_LIMITS,
  DEFAULT_SANDBOX_TIMEOUT_MS,
  sameLimits,
  type CreateSandboxOptions,
  type ProxySessionLike,
  type SandboxManagerOptions,
} from './manager-options.js';

export {
  DEFAULT_LIMITS,
  DEFAULT_SANDBOX_TIMEOUT_MS,
  type CreateSandboxOptions,
  type ProxySessionLike,
  type SandboxManagerOptions,
  type SandboxProxy,
} from './manager-options.js';
import { reconcileTag, type ReconcileReport } from './reconcile.js';
import { Sandbox, type SandboxInfo } from './sandbox.js';
import { buildNetwork, destroyNetwork, WarmPool, type PrebuiltNetwork } from './warm-pool.js';

interface Live {
  sandbox: Sandbox;
  timer?: NodeJS.Timeout;
  proxied: boolean;
  killing?: Promise<boolean>;
}

/**
 * @example
 * const manager = await SandboxManager.start({ proxy: { endpoint, sessions: proxy.sessions } });
 * const sbx = await manager.create({ policy: { network: { allowOut: ['pypi.org'], denyOut: [ALL_TRAFFIC] } } });
 * await sbx.commands.run('pip download requests');
 * await manager.close();
 */
export class SandboxManager {
  private readonly live = new Map<string, Live>();
  private readonly logger: Logger;
  private closed = false;

  private constructor(
    private readonly o: SandboxManagerOptions,
    readonly tag: string,
    readonly stateRoot: string,
    readonly preflight: PreflightReport,
    /** What start-up reconciliation removed. */
    readonly reconciled: ReconcileReport,
    private readonly pool: AddressPool,
    private readonly firewall: Firewall,
    private readonly dns: DnsResponder,
    private readonly dnsEndpoint: HostEndpoint,
    private readonly warm: WarmPool,
    private readonly etcTemplate: string,
  ) {
    this.logger = o.logger ?? silentLogger;
  }

  /**
   * Check the host, remove leftovers of a crashed run with the same tag, start the DNS responder and
   * the warm pool.
   * @throws {PreflightFailedError} when the host cannot run sandboxes safely.
   */
  static async start(o: SandboxManagerOptions = {}): Promise<SandboxManager> {
    const preflight = await (o.preflight ?? assertPreflight)();
    if (!preflight.ok) throw new PreflightFailedError(preflightProblems(preflight));
    const tag = checkTag(o.tag ?? DEFAULT_TAG);
    const stateRoot = o.stateRoot ?? '/var/lib/declaw/sandboxes';
    // Sandbox uids traverse (never list) the state root to reach their own directory.
    await mkdir(stateRoot, { recursive: true, mode: 0o711 });
    await chmod(stateRoot, 0o711);
    await checkSearchable(stateRoot);
    const firewall = new Firewall();
    const reconciled = await reconcileTag({ tag, stateRoot, cgroups: preflight.cgroups, firewall });
    const etcTemplate = join(stateRoot, `.etc-${tag}`);
    await buildEtcTemplate(etcTemplate);
    const pool = await AddressPool.create({ ipv4: o.ipv4Pool, ipv6: o.ipv6Pool });
    // The responder is built before the manager it reports to; the closure reads it once it exists.
    const ref: { manager?: SandboxManager } = {};
    const dns = new DnsResponder({
      host: o.dnsListen?.host,
      port: o.dnsListen?.port,
      upstream: o.dnsUpstream ?? systemDnsUpstream(),
      logger: o.logger,
      onQuery: (e) => {
        const s = ref.manager?.live.get(e.sandboxId)?.sandbox;
        if (s?.policy.json.audit.enabled) o.onEvent?.(e);
      },
    });
    const dnsEndpoint = await dns.start();
    // Pooled networks get the rules of the policy most sandboxes use (the default one) ahead of time.
    const warmPolicy = SecurityPolicy.from(o.warmPolicy ?? {});
    const warmProxied = hasDomainRules(warmPolicy) || needsBodyInspection(warmPolicy);
    const warm = new WarmPool({
      size: o.warmPoolSize ?? 0,
      tag,
      pool,
      logger: o.logger ?? silentLogger,
      hooks: {
        prepare: async (net) => {
          const m = ref.manager;
          if (!m) return;
          await m.prepareState(net);
          net.cgroup = await m.makeCgroup(net, m.defaultLimits);
          if (!warmProxied || o.proxy) {
            await secureNetwork(firewall, net, warmPolicy, warmProxied, m.networkSettings);
          }
          if (!warmProxied) net.zygote = m.startZygoteFor(net);
        },
        discard: async (net) => {
          net.zygote?.kill();
          await net.cgroup?.remove();
          await firewall.remove(net.names);
          await rm(join(stateRoot, net.names.stateDir), { recursive: true, force: true });
        },
      },
    });
    const manager = new SandboxManager(
      o,
      tag,
      stateRoot,
      preflight,
      reconciled,
      pool,
      firewall,
      dns,
      dnsEndpoint,
      warm,
      etcTemplate,
    );
    ref.manager = manager;
    void warm.fill();
    return manager;
  }

  /** The host's cgroup layout. */
  get cgroups(): CgroupLayout {
    return this.preflight.cgroups;
  }

  /** Wait until the warm pool is full (for benchmarks and tests). */
  async warmUp(): Promise<number> {
    await this.warm.fill();
    return this.warm.available;
  }

  /**
   * Create a sandbox.
   * @throws {InvalidArgumentError} for a bad TTL or a policy that needs a proxy when none is configured.
   * @throws {SandboxSetupError} when the host refuses a step; nothing of the sandbox is left.
   */
  async create(opts: CreateSandboxOptions = {}): Promise<Sandbox> {
    if (this.closed) throw new InvalidArgumentError('manager', 'this sandbox manager is closed');
    const policy =
      opts.policy instanceof SecurityPolicy ? opts.policy : SecurityPolicy.from(opts.policy ?? {});
    const timeoutMs = checkTimeout(opts.timeoutMs ?? DEFAULT_SANDBOX_TIMEOUT_MS);
    const proxied = hasDomainRules(policy) || needsBodyInspection(policy);
    if (proxied && !this.o.proxy) {
      throw new InvalidArgumentError(
        'policy',
        'this policy has domain rules or needs body inspection (PII, transformations, injection, secrets), so it ' +
          'needs the proxy; start the sandbox manager with a proxy, or use IP/CIDR rules only',
      );
    }
    const limits: ResourceLimits = { ...this.defaultLimits, ...opts.limits };
    const pooled = this.warm.take();
    let net: PrebuiltNetwork | undefined = pooled;
    const undo: Array<() => Promise<unknown>> = [];
    let step = 'network';
    try {
      net ??= await buildNetwork(this.tag, this.pool);
      const built = net;
      undo.push(() => destroyNetwork(built, this.pool));
      const { id, names, addresses } = built;
      const hostUid = this.hostUid(built);
      step = 'cgroups';
      const cgroup = built.cgroup ?? (await this.makeCgroup(built, limits));
      if (cgroup) undo.push(() => cgroup.remove());
      if (cgroup && !sameLimits(cgroup.limits, limits)) await cgroup.setLimits(limits);
      step = 'proxy session';
      let session: ProxySessionLike | undefined;
      if (proxied && this.o.proxy) {
        const proxy = this.o.proxy;
        session = await proxy.sessions.add({ id, policy, sourceAddresses: [addresses.sandboxV4] });
        undo.push(async () => proxy.sessions.remove(id));
      }
      step = 'files';
      const stateDir = join(this.stateRoot, names.stateDir);
      undo.push(() => rm(stateDir, { recursive: true, force: true }));
      if (!built.stateReady) await this.prepareState(built);
      if (session) await writeTrustBundle(jailPaths(stateDir), session.ca.certificatePem);
      step = 'firewall';
      undo.push(() => this.firewall.remove(names));
      if (built.firewallKey !== firewallKey(policy, proxied)) {
        if (built.firewallKey !== undefined) await this.firewall.remove(names);
        await secureNetwork(this.firewall, built, policy, proxied, this.networkSettings);
      }
      step = 'dns';
      this.dns.addSession(addresses.sandboxV4, { sandboxId: id, policy });
      undo.push(async () => this.dns.removeSession(addresses.sandboxV4));
      const envs = { ...(opts.envs ?? {}), ...(session?.secrets.envForSandbox() ?? {}) };
      const startedAt = new Date();
      const sandbox = new Sandbox({
        id,
        resources: { names, addresses, hostUid, stateDir, cgroup },
        policy,
        envs,
        metadata: { ...(opts.metadata ?? {}) },
        limits,
        proxied,
        intercepted: Boolean(session?.intercepts ?? (proxied && needsBodyInspection(policy))),
        startedAt,
        endAt: new Date(startedAt.getTime() + timeoutMs),
        etcTemplate: this.etcTemplate,
        ownTrustBundle: session !== undefined,
        caCertificatePem: session?.ca.certificatePem,
        // The pooled jail was started without a trust bundle of its own: only usable when none is needed.
        zygote: session === undefined ? built.zygote : (built.zygote?.kill(), undefined),
        control: { kill: (sid) => this.kill(sid), setTimeout: (sid, ms) => this.setTimeout(sid, ms) },
      });
      const live: Live = { sandbox, proxied };
      this.live.set(id, live);
      this.arm(live, timeoutMs);
      this.emit({
        type: 'vm_created',
        time: startedAt.toISOString(),
        sandboxId: id,
        warm: pooled !== undefined,
        address: addresses.sandboxV4,
        proxied,
        intercepted: sandbox.info().intercepted,
        endAt: sandbox.endAt.toISOString(),
      });
      return sandbox;
    } catch (err) {
      for (const u of undo.reverse()) await u().catch(() => undefined);
      if (err instanceof InvalidArgumentError) throw err;
      throw new SandboxSetupError(step, err);
    }
  }

  /** The state directory of a network's sandbox-to-be (its uid and nameserver are known already). */
  private async prepareState(net: PrebuiltNetwork): Promise<void> {
    await prepareJailFiles(jailPaths(join(this.stateRoot, net.names.stateDir)), {
      hostUid: this.hostUid(net),
      nameserver: net.addresses.gatewayV4,
    });
    net.stateReady = true;
  }

  private get defaultLimits(): ResourceLimits {
    return { ...DEFAULT_LIMITS, ...this.o.limits };
  }

  private makeCgroup(net: PrebuiltNetwork, limits: ResourceLimits): Promise<SandboxCgroup | undefined> {
    if (this.cgroups.version === 'none') return Promise.resolve(undefined);
    return SandboxCgroup.create(this.cgroups, net.names.cgroupParent, net.id, limits);
  }

  /** A jail for a pooled sandbox's first command, started now (see zygote.ts). */
  private startZygoteFor(net: PrebuiltNetwork): Zygote {
    return startZygote({
      paths: jailPaths(join(this.stateRoot, net.names.stateDir)),
      etcTemplate: this.etcTemplate,
      ownTrustBundle: false,
      hostUid: this.hostUid(net),
      hostname: SANDBOX_HOSTNAME,
      netnsPath: netnsPath(net.names),
      cgroupProcs: net.cgroup?.procsFiles ?? [],
    });
  }

  private hostUid(net: PrebuiltNetwork): number {
    return (this.o.uidBase ?? 1_200_000_000) + net.addresses.slot;
  }

  /** What every sandbox's rules depend on besides its policy. */
  private get networkSettings(): NetworkSettings {
    const p = this.o.proxy?.endpoint;
    return {
      dns: this.dnsEndpoint,
      proxy: p && { host: p.host === '0.0.0.0' || p.host === '::' ? '127.0.0.1' : p.host, port: p.port },
      trustedRanges: this.o.trustedRanges,
      masquerade: this.o.masquerade,
    };
  }

  private arm(live: Live, timeoutMs: number): void {
    if (live.timer) clearTimeout(live.timer);
    live.sandbox.endAt = new Date(Date.now() + timeoutMs);
    live.timer = setTimeout(() => void this.remove(live.sandbox.id, 'timeout'), timeoutMs);
    live.timer.unref();
  }

  private emit(e: SandboxEvent): void {
    try {
      this.o.onEvent?.(e);
    } catch (err) {
      this.logger.warn('sandbox event handler failed', { error: (err as Error).message });
    }
  }

  /** A live sandbox. @throws {SandboxNotFoundError} */
  get(id: string): Sandbox {
    const l = this.live.get(id);
    if (!l || l.killing) throw new SandboxNotFoundError('sandbox', id);
    return l.sandbox;
  }

  /** Info of every live sandbox. */
  list(): SandboxInfo[] {
    return [...this.live.values()].filter((l) => !l.killing).map((l) => l.sandbox.info());
  }

  /** Set a sandbox's time left to live, from now. @throws {SandboxNotFoundError} */
  setTimeout(id: string, timeoutMs: number): void {
    const l = this.live.get(id);
    if (!l || l.killing) throw new SandboxNotFoundError('sandbox', id);
    this.arm(l, checkTimeout(timeoutMs));
  }

  /** Kill a sandbox and remove every trace of it. Resolves false when it did not exist. */
  kill(id: string): Promise<boolean> {
    return this.remove(id, 'killed');
  }

  private remove(id: string, reason: 'killed' | 'timeout' | 'shutdown'): Promise<boolean> {
    const l = this.live.get(id);
    if (!l) return Promise.resolve(false);
    l.killing ??= (async () => {
      if (l.timer) clearTimeout(l.timer);
      const { names, addresses, cgroup, stateDir } = l.sandbox.resources;
      const steps: Array<() => Promise<unknown>> = [
        () => l.sandbox.commands.killAll(),
        async () => cgroup?.remove(),
        async () => this.dns.removeSession(addresses.sandboxV4),
        async () => (l.proxied ? this.o.proxy?.sessions.remove(id) : undefined),
        () => this.firewall.remove(names),
        () => destroyNetwork({ id, names, addresses }, this.pool),
        () => rm(stateDir, { recursive: true, force: true }),
      ];
      for (const s of steps) {
        try {
          await s();
        } catch (err) {
          this.logger.error('sandbox removal step failed; reconciliation will finish it', {
            sandboxId: id,
            error: (err as Error).message,
          });
        }
      }
      this.live.delete(id);
      this.emit({ type: 'vm_killed', time: new Date().toISOString(), sandboxId: id, reason });
      return true;
    })();
    return l.killing;
  }

  /** Kill every sandbox, empty the warm pool and stop the DNS responder. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.live.keys()].map((id) => this.remove(id, 'shutdown')));
    await this.warm.drain();
    await this.dns.close();
    await rm(this.etcTemplate, { recursive: true, force: true });
  }
}
