/**
 * Everything the proxy holds for one sandbox: its policy compiled into the egress decision and the
 * content pipeline, its own CA and leaf cache, its PII token session, its secrets, and its pool of
 * upstream connections. Sessions never share any of these, so one sandbox's tokens, certificates or
 * secrets can never show up in another's traffic.
 */
import { timingSafeEqual } from 'node:crypto';
import type { SecurityPolicy } from '../policy/security-policy.js';
import { needsBodyInspection } from '../policy/derived.js';
import { ContentPipeline } from '../content/content-pipeline.js';
import type { PiiScanner } from '../content/pii/types.js';
import type { InjectionScorer } from '../content/injection/types.js';
import type { GuardrailsPort } from '../content/guardrails-port.js';
import { PiiSession } from '../content/pii/session.js';
import { SandboxSecrets } from '../content/secrets/sandbox-secrets.js';
import { InvalidArgumentError } from '../errors.js';
import type { Logger } from '../logger.js';
import { EgressPolicy, type EgressPolicyOptions } from './egress/egress-policy.js';
import { canonicalIpLiteral } from './egress/ip-literal.js';
import { SandboxCa } from './tls/sandbox-ca.js';
import { LeafCache } from './tls/leaf-cache.js';
import type { UpstreamTrust } from './tls/upstream-trust.js';
import { UpstreamPool } from './http/upstream-pool.js';

/** What the sandbox runtime (or `declaw proxy`) registers for one sandbox. */
export interface SessionSpec {
  /** The sandbox id: 1-64 letters, digits, `.`, `_` or `-`. */
  id: string;
  policy: SecurityPolicy;
  /**
   * Source addresses of the sandbox (its veth address): the transparent front door identifies the
   * sandbox by them. Not needed for the explicit front door.
   */
  sourceAddresses?: readonly string[];
  /**
   * Password for `Proxy-Authorization: Basic <id>:<token>` on the explicit front door. When set, a
   * request naming this session must carry it. Leave unset only on a listener bound to this session.
   */
  proxyToken?: string;
  /** The sandbox's CA, when the runtime already made one (it went into the sandbox trust store). */
  ca?: SandboxCa;
  /** Environment for `value_from_env` secrets; default the declaw process's. */
  secretEnv?: Readonly<Record<string, string | undefined>>;
}

/** What all sessions of one proxy share: stateless engines and process-wide settings. */
export interface SharedEngines {
  scanner: PiiScanner;
  injectionScorer: InjectionScorer;
  /** The Guardrails Service client, when configured: NER for PII and the injection model. */
  guardrails?: GuardrailsPort;
  upstreamTrust: UpstreamTrust;
  /** Limit on TCP connect plus TLS handshake of upstream connections, in ms. */
  connectTimeoutMs?: number;
  egress: EgressPolicyOptions;
  logger: Logger;
}

/**
 * One sandbox as the proxy sees it. Made by {@link SessionRegistry.add}.
 *
 * @example
 * const session = await proxy.sessions.add({ id: 'sbx-1', policy, sourceAddresses: ['10.200.0.2'] });
 * writeFileSync('/sandbox/etc/ca.pem', session.ca.certificatePem);
 * session.secrets.envForSandbox(); // placeholders for the sandbox's environment
 */
export class ProxySession {
  readonly id: string;
  readonly policy: SecurityPolicy;
  readonly sourceAddresses: readonly string[];
  readonly ca: SandboxCa;
  readonly leafCache: LeafCache;
  readonly egress: EgressPolicy;
  readonly content: ContentPipeline;
  readonly pii: PiiSession;
  readonly secrets: SandboxSecrets;
  readonly upstream: UpstreamPool;
  /** Whether TLS is intercepted (the policy needs bodies); otherwise connections are spliced. */
  readonly intercepts: boolean;
  /** Whether network and content events are audited (`audit.enabled`). */
  readonly audited: boolean;
  readonly #proxyToken: Buffer | undefined;

  private constructor(
    spec: SessionSpec,
    ca: SandboxCa,
    leafCache: LeafCache,
    shared: SharedEngines,
    secrets: SandboxSecrets,
  ) {
    this.id = spec.id;
    this.policy = spec.policy;
    this.sourceAddresses = (spec.sourceAddresses ?? []).map((a) => {
      const ip = canonicalIpLiteral(a);
      if (!ip) throw new InvalidArgumentError('sourceAddresses', `"${a}" is not an IP address`);
      return ip.address;
    });
    this.ca = ca;
    this.leafCache = leafCache;
    this.egress = new EgressPolicy(spec.policy, shared.egress);
    this.pii = new PiiSession();
    this.content = new ContentPipeline(spec.policy, {
      scanner: shared.scanner,
      injectionScorer: shared.injectionScorer,
      session: this.pii,
      ...(shared.guardrails ? { guardrails: shared.guardrails } : {}),
    });
    this.secrets = secrets;
    this.upstream = new UpstreamPool(
      shared.upstreamTrust,
      shared.connectTimeoutMs !== undefined ? { connectTimeoutMs: shared.connectTimeoutMs } : {},
    );
    this.intercepts = needsBodyInspection(spec.policy);
    this.audited = spec.policy.json.audit.enabled;
    this.#proxyToken = spec.proxyToken === undefined ? undefined : Buffer.from(spec.proxyToken);
  }

  /** Builds a session: a new CA (unless given), its leaf cache, and placeholders for its secrets. */
  static async create(spec: SessionSpec, shared: SharedEngines): Promise<ProxySession> {
    const secrets = SandboxSecrets.fromPolicy(spec.policy, spec.secretEnv ? { env: spec.secretEnv } : {});
    const ca = spec.ca ?? (await SandboxCa.create({ sandboxId: spec.id }));
    const leafCache = await LeafCache.create({ ca, logger: shared.logger });
    return new ProxySession(spec, ca, leafCache, shared, secrets);
  }

  /** Whether the explicit front door may serve this session to a client that sent `token`. */
  acceptsToken(token: string | undefined): boolean {
    if (this.#proxyToken === undefined) return true;
    if (token === undefined) return false;
    const given = Buffer.from(token);
    return given.length === this.#proxyToken.length && timingSafeEqual(given, this.#proxyToken);
  }

  /** Whether a request token was required at all. */
  get requiresToken(): boolean {
    return this.#proxyToken !== undefined;
  }

  /** Drops pooled connections and wipes the PII tokens. */
  close(): void {
    this.upstream.destroy();
    this.pii.destroy();
  }

  /** Never reveals keys, tokens or secrets. */
  toJSON(): Record<string, unknown> {
    return { id: this.id, sourceAddresses: this.sourceAddresses, intercepts: this.intercepts, ca: this.ca };
  }
}
