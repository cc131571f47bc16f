/**
 * Options, defaults and argument checks of {@link SandboxManager}, kept apart from its logic.
 */
import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { InvalidArgumentError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { SecurityPolicy, SecurityPolicyInput } from '../policy/security-policy.js';
import type { ResourceLimits } from './cgroups.js';
import type { DnsUpstream } from './dns/dns-upstream.js';
import type { SandboxEvent } from './events.js';
import type { HostEndpoint } from './firewall-rules.js';
import type { PreflightReport } from './preflight.js';

/** Default limits: 512 MiB, 512 processes, one core. */
export const DEFAULT_LIMITS: ResourceLimits = {
  memoryBytes: 512 * 1024 * 1024,
  pids: 512,
  cpuMillicores: 1000,
};
/** Default TTL, as in the hosted product: five minutes. */
export const DEFAULT_SANDBOX_TIMEOUT_MS = 300_000;
export const MAX_TIMEOUT_MS = 24 * 3_600_000;

/** What a proxy session gives a sandbox (the proxy's `SessionRegistry.add` result fits). */
export interface ProxySessionLike {
  ca: { certificatePem: string };
  intercepts?: boolean;
  secrets: { envForSandbox(): Record<string, string> };
}

/** The proxy as the sandbox runtime uses it: where redirected 80/443 go, and its session registry. */
export interface SandboxProxy {
  /** The proxy's transparent listener. 0.0.0.0 means its loopback address is used. */
  endpoint: HostEndpoint;
  sessions: {
    add(spec: { id: string; policy: SecurityPolicy; sourceAddresses: string[] }): Promise<ProxySessionLike>;
    remove(id: string): boolean;
  };
}

/** Options of `SandboxManager.start`. */
export interface SandboxManagerOptions {
  /** Names every host object; 1-4 lowercase letters/digits. Default `dc`. */
  tag?: string;
  /** Where sandbox files live. Default /var/lib/declaw/sandboxes. */
  stateRoot?: string;
  ipv4Pool?: string;
  /** null: no IPv6 inside sandboxes. */
  ipv6Pool?: string | null;
  /** Host uid of the sandbox in slot 0 (each sandbox gets its own uid). Default 1,200,000,000. */
  uidBase?: number;
  /** Required for policies with domain rules or body inspection. */
  proxy?: SandboxProxy;
  /** Where the DNS responder forwards. Default: the host's resolvers. */
  dnsUpstream?: DnsUpstream;
  /** Where the DNS responder listens. Default 127.0.0.1, any free port. */
  dnsListen?: { host?: string; port?: number };
  /** CIDRs treated as public destinations although they are special (a test internet, an air-gapped network). */
  trustedRanges?: readonly string[];
  /** Masquerade forwarded traffic: production hosts giving sandboxes real internet access. */
  masquerade?: boolean;
  limits?: Partial<ResourceLimits>;
  warmPoolSize?: number;
  /** The policy whose rules pooled networks get in advance (default: the default policy). */
  warmPolicy?: SecurityPolicy | SecurityPolicyInput;
  onEvent?: (event: SandboxEvent) => void;
  logger?: Logger;
  /** Preflight to run (tests inject failures). Default: the real checks; a failure refuses to start. */
  preflight?: () => Promise<PreflightReport>;
}

/** Options of `SandboxManager.create`. */
export interface CreateSandboxOptions {
  policy?: SecurityPolicy | SecurityPolicyInput;
  /** Time to live from now. Default 300 000 ms. */
  timeoutMs?: number;
  envs?: Record<string, string>;
  metadata?: Record<string, string>;
  limits?: Partial<ResourceLimits>;
}

/** Whether two sets of limits are the same. */
export function sameLimits(a: ResourceLimits | undefined, b: ResourceLimits): boolean {
  return a?.memoryBytes === b.memoryBytes && a.pids === b.pids && a.cpuMillicores === b.cpuMillicores;
}

/** A TTL within bounds, or an InvalidArgumentError. */
export function checkTimeout(ms: number): number {
  if (!Number.isFinite(ms) || ms < 1000 || ms > MAX_TIMEOUT_MS) {
    throw new InvalidArgumentError('timeoutMs', `must be between 1000 and ${MAX_TIMEOUT_MS} ms, got ${ms}`);
  }
  return ms;
}

/** Every ancestor of the state root must let other users through, or sandbox uids cannot reach their files. */
export async function checkSearchable(dir: string): Promise<void> {
  for (let d = dirname(dir); ; d = dirname(d)) {
    if (((await stat(d)).mode & 0o001) === 0) {
      throw new InvalidArgumentError(
        'stateRoot',
        `${d} is not searchable by other users, so sandboxes cannot reach their files under ${dir}; ` +
          `run chmod o+x ${d} or choose another state root`,
      );
    }
    if (d === dirname(d)) return;
  }
}
