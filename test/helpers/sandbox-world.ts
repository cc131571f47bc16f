/**
 * The world of a sandbox e2e test (root): a loopback "internet" on ports 443 and 80, a transparent
 * declaw proxy that trusts only the internet's test CA, resolves through its name map and may reach
 * loopback (a lab network), and a sandbox manager of the test file's own whose sandboxes are
 * redirected to that proxy. The sandboxes' DNS answers public-looking addresses; their firewalls send
 * TCP 443/80 to the proxy anyway, which dials the loopback servers. Nothing leaves the machine.
 *
 * @example
 * const world = await startSandboxWorld({
 *   tag: 'tes', subnet: 31, address: '127.78.31.1', dns: { 'api.openai.com': '198.51.100.7' },
 * });
 * const sbx = await world.manager.create({ policy });
 * // ... world.internet.requests, world.audit.ofType('pii') ...
 * await world.close();
 */
import { collectingAuditSink, type CollectingAuditSink } from '../../src/audit/sink.js';
import { ProxyServer, type ProxyServerOptions } from '../../src/proxy/proxy-server.js';
import type { SandboxManager } from '../../src/sandbox/sandbox-manager.js';
import { testManager } from '../unit/sandbox/helpers/manager.js';
import { LOOPBACK_LAB, startTestInternet, testUpstreamTrust, type TestInternet } from './test-internet.js';

/** A transparent proxy of a test world and where it listens. */
export interface TransparentTestProxy {
  proxy: ProxyServer;
  port: number;
  audit: CollectingAuditSink;
}

/**
 * A proxy for `internet` (its CA, its names, loopback reachable) with its transparent front door on
 * `host` (default 127.0.0.1), any free port. `options` adds to or replaces those settings.
 *
 * @example
 * const { proxy, port, audit } = await startTransparentTestProxy(internet, { host: hostIp });
 */
export async function startTransparentTestProxy(
  internet: TestInternet,
  options: Partial<ProxyServerOptions> & { host?: string } = {},
): Promise<TransparentTestProxy> {
  const { host = '127.0.0.1', ...proxyOptions } = options;
  const audit = collectingAuditSink();
  const proxy = new ProxyServer({
    upstreamTrust: await testUpstreamTrust(internet),
    auditSink: audit,
    resolver: internet.resolver,
    hostAddresses: [],
    labNetwork: LOOPBACK_LAB,
    ...proxyOptions,
  });
  try {
    const { port } = await proxy.listenTransparent({ host, port: 0 });
    return { proxy, port, audit };
  } catch (err) {
    await proxy.close();
    throw err;
  }
}

/** Options of {@link startSandboxWorld}. */
export interface SandboxWorldOptions {
  /** Sandbox manager tag and subnet (1-250), both unique per test file (see `testManager`). */
  tag: string;
  subnet: number;
  /** Loopback address the internet listens on (ports 443 and 80), unique per test file. */
  address: string;
  /**
   * Names the internet serves, with the public-looking address the sandboxes' DNS answers for each.
   * The proxy resolves them to the loopback servers itself.
   */
  dns: Readonly<Record<string, string>>;
  /** More proxy options (e.g. `guardrails`). */
  proxy?: Partial<ProxyServerOptions>;
}

/** A running sandbox world. */
export interface SandboxWorld extends TransparentTestProxy {
  internet: TestInternet;
  manager: SandboxManager;
  /** Removes every sandbox, then stops the proxy and the internet. */
  close(): Promise<void>;
}

/** Starts the internet, the proxy and the manager (root only). Close it with {@link SandboxWorld.close}. */
export async function startSandboxWorld(o: SandboxWorldOptions): Promise<SandboxWorld> {
  const internet = await startTestInternet({
    names: Object.keys(o.dns),
    address: o.address,
    ports: { https: 443, http: 80 },
  });
  let transparent: TransparentTestProxy | undefined;
  try {
    transparent = await startTransparentTestProxy(internet, o.proxy);
    const { proxy, port } = transparent;
    const { manager } = await testManager(o.tag, o.subnet, {
      proxy: { endpoint: { host: '127.0.0.1', port }, sessions: proxy.sessions },
      dnsMap: { ...o.dns },
    });
    return {
      ...transparent,
      internet,
      manager,
      async close() {
        await manager.close();
        await proxy.close();
        await internet.close();
      },
    };
  } catch (err) {
    await transparent?.proxy.close();
    await internet.close();
    throw err;
  }
}
