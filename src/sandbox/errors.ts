/**
 * The sandbox runtime's errors live in the one errors module (src/errors.ts); this file keeps the
 * import path the runtime's files use.
 */
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
  type SandboxErrorCodeValue,
  type PreflightProblem,
  type CommandResult,
} from '../errors.js';
