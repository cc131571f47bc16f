import { SecurityPolicy } from '../../../../src/policy/index.js';
import { createPiiScanner } from '../../../../src/content/pii/scanner.js';
import { createInjectionScorer } from '../../../../src/content/injection/scorer.js';
import { SessionRegistry } from '../../../../src/proxy/session-registry.js';
import type { ProxySession } from '../../../../src/proxy/session.js';
import { UpstreamTrust } from '../../../../src/proxy/tls/upstream-trust.js';
import { silentLogger } from '../../../../src/logger.js';
import { createTestPki } from '../../../helpers/test-pki.js';

/** A proxy session for `policy`, outside any server, for pipeline unit tests. */
export async function sessionFor(policy: Record<string, unknown>): Promise<ProxySession> {
  const pki = await createTestPki();
  const trust = await UpstreamTrust.load({
    includeSystemStore: false,
    extraCaPems: [pki.rootCaPem],
    env: {},
  });
  const registry = new SessionRegistry({
    scanner: createPiiScanner(),
    injectionScorer: createInjectionScorer(),
    upstreamTrust: trust,
    egress: { hostAddresses: [] },
    logger: silentLogger,
  });
  return registry.add({ id: 'unit', policy: SecurityPolicy.fromJSON(policy) });
}
