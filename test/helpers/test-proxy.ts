/**
 * A declaw proxy wired to a {@link TestInternet}: upstream trust is the test CA only, names resolve
 * through the internet's map, and (test only) 127.0.0.0/8 counts as public so the loopback servers are
 * reachable. One session is registered and bound to the explicit listener.
 *
 * @example
 * const internet = await startTestInternet({ names: ['api.openai.com'] });
 * const t = await startTestProxy(internet, SecurityPolicy.from({ pii: { enabled: true } }));
 * // clients: proxy http://127.0.0.1:${t.port}, trust t.caPem
 */
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectingAuditSink, type CollectingAuditSink } from '../../src/audit/sink.js';
import type { SecurityPolicy } from '../../src/policy/security-policy.js';
import { ProxyServer, type ProxyServerOptions } from '../../src/proxy/proxy-server.js';
import type { ProxySession, SessionSpec } from '../../src/proxy/session.js';
import { LOOPBACK_LAB, testUpstreamTrust, type TestInternet } from './test-internet.js';

/** A running test proxy. */
export interface TestProxy {
  proxy: ProxyServer;
  session: ProxySession;
  audit: CollectingAuditSink;
  port: number;
  proxyUrl: string;
  /** The session CA certificate (PEM) and a file holding it, for curl/Python/Node. */
  caPem: string;
  caFile: string;
  close(): Promise<void>;
}

/** Options of {@link startTestProxy}. */
export interface TestProxyOptions {
  /** Leave out the test-only trusted loopback range (to test that loopback is refused). */
  untrustedLoopback?: boolean;
  proxy?: Partial<ProxyServerOptions>;
  session?: Partial<SessionSpec>;
}

export async function startTestProxy(
  internet: TestInternet,
  policy: SecurityPolicy,
  options: TestProxyOptions = {},
): Promise<TestProxy> {
  const audit = collectingAuditSink();
  const upstreamTrust = await testUpstreamTrust(internet);
  const proxy = new ProxyServer({
    upstreamTrust,
    auditSink: audit,
    resolver: internet.resolver,
    hostAddresses: [],
    peekTimeoutMs: 2000,
    ...(options.untrustedLoopback ? {} : { labNetwork: LOOPBACK_LAB }),
    ...options.proxy,
  });
  const session = await proxy.sessions.add({ id: 'sbx-test', policy, ...options.session });
  const { port } = await proxy.listenExplicit({ sessionId: session.id });
  const dir = mkdtempSync(join(tmpdir(), 'declaw-proxy-test-'));
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, session.ca.certificatePem);
  return {
    proxy,
    session,
    audit,
    port,
    proxyUrl: `http://127.0.0.1:${port}`,
    caPem: session.ca.certificatePem,
    caFile,
    async close() {
      await proxy.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
