/**
 * One live sandbox: its files, its commands, its info and metrics. Made by
 * {@link SandboxManager.create}; every host object it uses is listed in {@link SandboxResources} so
 * the manager can remove exactly those.
 */
import type { SecurityPolicy } from '../policy/security-policy.js';
import { maskEnv } from '../content/secrets/env-mask.js';
import type { SandboxAddresses } from './address-pool.js';
import type { EnforcedLimits, ResourceLimits, SandboxCgroup } from './cgroups.js';
import { Commands } from './commands.js';
import { SandboxFiles } from './files.js';
import { baseEnv, jailPaths, SANDBOX_HOSTNAME, type JailPaths } from './jail.js';
import type { SandboxNames } from './names.js';
import { netnsPath } from './netns.js';
import { SecretMasker } from './output-mask.js';
import type { Zygote } from './zygote.js';

/** Host objects of one sandbox. */
export interface SandboxResources {
  names: SandboxNames;
  addresses: SandboxAddresses;
  hostUid: number;
  stateDir: string;
  cgroup?: SandboxCgroup;
}

/** What {@link Sandbox.info} returns. Secret values are masked. */
export interface SandboxInfo {
  sandboxId: string;
  startedAt: Date;
  endAt: Date;
  metadata: Record<string, string>;
  /** The sandbox's env vars, with masked values as `****` and secure env vars as placeholders. */
  envs: Record<string, string>;
  /** The policy (secret values masked). */
  policy: ReturnType<SecurityPolicy['toDisplayJSON']>;
  network: { address: string; gateway: string; addressV6?: string };
  /** Whether TCP 80/443 go through the proxy, and whether TLS is intercepted. */
  proxied: boolean;
  intercepted: boolean;
  limits: ResourceLimits & {
    /** Which limits the kernel enforces; false means the host offers no writable cgroup for it. */
    enforced: EnforcedLimits;
  };
}

/** Usage figures of a sandbox. */
export interface SandboxMetrics {
  timestamp: Date;
  /** CPU used since the previous call (or since creation), in percent of one core. */
  cpuUsedPct?: number;
  /** CPU time used since creation, microseconds. */
  cpuMicros?: number;
  memUsedBytes?: number;
  memLimitBytes: number;
  /** Processes in the sandbox right now. */
  processes: number;
}

/** What a Sandbox needs from its manager. */
export interface SandboxControl {
  kill(id: string): Promise<boolean>;
  setTimeout(id: string, timeoutMs: number): void;
}

/** Construction parameters (internal: built by the manager). */
export interface SandboxParams {
  id: string;
  resources: SandboxResources;
  policy: SecurityPolicy;
  /** User env vars merged with secret placeholders (placeholders win). */
  envs: Record<string, string>;
  metadata: Record<string, string>;
  limits: ResourceLimits;
  proxied: boolean;
  intercepted: boolean;
  startedAt: Date;
  endAt: Date;
  /** The manager's shared /etc. */
  etcTemplate: string;
  /** Whether {@link writeTrustBundle} gave the sandbox its own bundle. */
  ownTrustBundle: boolean;
  /** The PEM certificate of the sandbox's own CA (never its key), when its TLS is intercepted. */
  caCertificatePem?: string;
  /** A jail already started for the first command (warm pool). */
  zygote?: Zygote;
  control: SandboxControl;
}

/**
 * @example
 * const sbx = await manager.create({ policy, timeoutMs: 60_000 });
 * await sbx.files.write('/workspace/a.py', 'print("hi")');
 * const r = await sbx.commands.run('python3 /workspace/a.py'); // r.stdout === 'hi\n'
 * await sbx.kill();
 */
export class Sandbox {
  readonly id: string;
  readonly files: SandboxFiles;
  readonly commands: Commands;
  readonly paths: JailPaths;
  endAt: Date;
  private lastCpu?: { at: number; micros: number };

  constructor(private readonly p: SandboxParams) {
    this.id = p.id;
    this.endAt = p.endAt;
    this.paths = jailPaths(p.resources.stateDir);
    this.files = new SandboxFiles(this.paths.fsRoot, p.resources.hostUid);
    const maskPatterns = p.policy.json.env_security.mask_patterns;
    const sandboxEnv = { ...baseEnv(), ...p.envs };
    let zygote = p.zygote;
    this.commands = new Commands({
      maskPatterns,
      takeZygote: () => {
        const z = zygote;
        zygote = undefined;
        return z;
      },
      env: () => ({ ...sandboxEnv }),
      masker: (extra) => SecretMasker.fromEnv({ ...p.envs, ...extra }, maskPatterns),
      jailSpec: (argv, cwd, env) => ({
        paths: this.paths,
        etcTemplate: p.etcTemplate,
        ownTrustBundle: p.ownTrustBundle,
        hostUid: p.resources.hostUid,
        hostname: SANDBOX_HOSTNAME,
        netnsPath: netnsPath(p.resources.names),
        cgroupProcs: p.resources.cgroup?.procsFiles ?? [],
        cwd,
        env,
        argv,
      }),
    });
  }

  /** The resources, for the manager. */
  get resources(): SandboxResources {
    return this.p.resources;
  }

  get policy(): SecurityPolicy {
    return this.p.policy;
  }

  /** The PEM certificate of this sandbox's CA (the key stays in the proxy), or undefined without a proxy session. */
  get caCertificatePem(): string | undefined {
    return this.p.caCertificatePem;
  }

  /** Description of the sandbox, with secrets masked. */
  info(): SandboxInfo {
    const a = this.p.resources.addresses;
    return {
      sandboxId: this.id,
      startedAt: this.p.startedAt,
      endAt: this.endAt,
      metadata: { ...this.p.metadata },
      envs: maskEnv(this.p.envs, this.p.policy.json.env_security.mask_patterns),
      policy: this.p.policy.toDisplayJSON(),
      network: {
        address: a.sandboxV4,
        gateway: a.gatewayV4,
        ...(a.sandboxV6 ? { addressV6: a.sandboxV6 } : {}),
      },
      proxied: this.p.proxied,
      intercepted: this.p.intercepted,
      limits: {
        ...this.p.limits,
        enforced: this.p.resources.cgroup?.enforced ?? { memory: false, pids: false, cpu: false },
      },
    };
  }

  /** CPU and memory use (from the sandbox's cgroups; undefined figures where none is available). */
  async metrics(): Promise<SandboxMetrics> {
    const cg = this.p.resources.cgroup;
    const usage = cg ? await cg.usage() : {};
    const now = Date.now();
    let cpuUsedPct: number | undefined;
    if (usage.cpuMicros !== undefined) {
      const prev = this.lastCpu ?? { at: this.p.startedAt.getTime(), micros: 0 };
      const wallMicros = Math.max(1, (now - prev.at) * 1000);
      cpuUsedPct = Math.round(((usage.cpuMicros - prev.micros) / wallMicros) * 1000) / 10;
      this.lastCpu = { at: now, micros: usage.cpuMicros };
    }
    return {
      timestamp: new Date(now),
      cpuUsedPct,
      cpuMicros: usage.cpuMicros,
      memUsedBytes: usage.memoryBytes,
      memLimitBytes: this.p.limits.memoryBytes,
      processes: cg ? (await cg.pids()).length : this.commands.list().length,
    };
  }

  /** Remove the sandbox and every trace of it. */
  kill(): Promise<boolean> {
    return this.p.control.kill(this.id);
  }

  /** Set the time left to live, from now (extends or shortens the TTL). */
  setTimeout(timeoutMs: number): void {
    this.p.control.setTimeout(this.id, timeoutMs);
  }
}
