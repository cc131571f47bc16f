/** The security proxy (issue 4): see docs/proxy.md and docs/tls.md. */
export { ProxyServer, DEFAULT_SCAN_LIMIT, type ProxyServerOptions } from './proxy-server.js';
export { SessionRegistry } from './session-registry.js';
export { ProxySession, type SessionSpec } from './session.js';
export { EgressPolicy, type EgressDecision, type EgressPolicyOptions } from './egress/egress-policy.js';
export { systemResolver, mapResolver, type Resolver } from './egress/resolver.js';
export { canonicalIpLiteral, type CanonicalIp } from './egress/ip-literal.js';
export { parseClientHello, type ClientHelloResult, type ParsedClientHello } from './tls/client-hello.js';
export { peekClientHello } from './tls/peek-client-hello.js';
export { SandboxCa, type SandboxCaOptions } from './tls/sandbox-ca.js';
export { LeafCache, type LeafCacheOptions } from './tls/leaf-cache.js';
export { UpstreamTrust, type UpstreamTrustOptions } from './tls/upstream-trust.js';
export { describeTlsFailure, type TlsFailure } from './tls/tls-failure.js';
