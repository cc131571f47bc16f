/** The TypeScript SDK (docs/sdk.md): remote through `declaw serve` or embedded in this process. */
export {
  Sandbox,
  Commands,
  Files,
  CommandHandle,
  type CreateOptions,
  type ConnectOptions,
  type CommandOptions,
} from './sandbox.js';
export { RemoteBackend, RemoteApiError } from './remote-backend.js';
export { EmbeddedBackend, type EmbeddedOptions } from './embedded-backend.js';
export type {
  SandboxBackend,
  SandboxDescription,
  SdkEntryInfo,
  SdkAuditQuery,
  AuditPage,
  AuditEntryJSON,
} from './backend.js';
export {
  PIIConfig,
  InjectionDefenseConfig,
  NetworkPolicy,
  TransformationRule,
  AuditConfig,
  EnvSecurityConfig,
  SecureEnvVar,
  InvisibleTextConfig,
} from '../policy/constructors.js';
export { SecurityPolicy } from '../policy/security-policy.js';
export { PolicyInvalidError } from '../errors.js';
export {
  CommandExitError,
  CommandTimeoutError,
  SandboxNotFoundError,
  type CommandResult,
} from '../errors.js';
/** Every IPv4 destination (seed 000's ALL_TRAFFIC). */
export const ALL_TRAFFIC = '0.0.0.0/0';
