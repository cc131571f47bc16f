/** The Linux sandbox runtime (issue 5): see docs/sandbox.md. */
export {
  SandboxManager,
  DEFAULT_LIMITS,
  DEFAULT_SANDBOX_TIMEOUT_MS,
  type SandboxManagerOptions,
  type CreateSandboxOptions,
  type SandboxProxy,
  type ProxySessionLike,
} from './sandbox-manager.js';
export { Sandbox, type SandboxInfo, type SandboxMetrics } from './sandbox.js';
export { Commands, type RunOptions, type CommandHandle, type ProcessInfo } from './commands.js';
export { SandboxFiles, type EntryInfo, type FilesystemEvent, type WatchHandle } from './files.js';
export {
  SandboxErrorCode,
  SandboxError,
  PreflightFailedError,
  CommandExitError,
  CommandTimeoutError,
  SandboxNotFoundError,
  PathRefusedError,
  SandboxFileError,
  SandboxSetupError,
  type CommandResult,
  type PreflightProblem,
} from '../errors.js';
export { runPreflight, assertPreflight, type PreflightReport, type PreflightCheck } from './preflight.js';
export { DnsResponder, type DnsQueryEvent, type DnsResponderOptions } from './dns/dns-responder.js';
export { DnsPolicy, type DnsDecision } from './dns/dns-policy.js';
export { systemDnsUpstream, mapDnsUpstream, type DnsUpstream } from './dns/dns-upstream.js';
export type { SandboxEvent, VmCreatedEvent, VmKilledEvent } from './events.js';
export { CA_ENV_VARS, SANDBOX_CA_BUNDLE, WRITABLE_ROOTS } from './jail.js';
export type { ResourceLimits, EnforcedLimits } from './cgroups.js';
