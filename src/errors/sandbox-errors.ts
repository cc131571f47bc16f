/** Errors of the sandbox runtime. */
import { DeclawError, ErrorCode } from './base.js';

/** Codes of the sandbox runtime's errors, by their short names. */
export const SandboxErrorCode = {
  PREFLIGHT_FAILED: ErrorCode.SANDBOX_PREFLIGHT_FAILED,
  COMMAND_EXIT: ErrorCode.COMMAND_EXIT,
  COMMAND_TIMEOUT: ErrorCode.COMMAND_TIMEOUT,
  NOT_FOUND: ErrorCode.SANDBOX_NOT_FOUND,
  PATH_REFUSED: ErrorCode.SANDBOX_PATH_REFUSED,
  FILE_ERROR: ErrorCode.SANDBOX_FILE_ERROR,
  SETUP_FAILED: ErrorCode.SANDBOX_SETUP_FAILED,
} as const;

/** One of the values of {@link SandboxErrorCode}. */
export type SandboxErrorCodeValue = (typeof SandboxErrorCode)[keyof typeof SandboxErrorCode];

/** Base class of sandbox errors. */
export class SandboxError extends DeclawError {
  constructor(code: SandboxErrorCodeValue, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** One failed preflight check, with the fix. */
export interface PreflightProblem {
  check: string;
  message: string;
  fix: string;
}

/** The host failed preflight: `problems` says what is missing and how to install it. */
export class PreflightFailedError extends SandboxError {
  readonly problems: readonly PreflightProblem[];

  constructor(problems: readonly PreflightProblem[]) {
    const lines = problems.map((p) => `  ${p.check}: ${p.message} (fix: ${p.fix})`);
    super(
      SandboxErrorCode.PREFLIGHT_FAILED,
      `this host cannot run declaw sandboxes safely; run \`declaw doctor\` for details:\n${lines.join('\n')}`,
    );
    this.problems = problems;
  }

  override toJSON(): Record<string, unknown> {
    return { code: this.code, message: this.message, problems: this.problems };
  }
}

/** What a finished command produced. Output is masked (secret values appear as `****`). */
export interface CommandResult {
  stdout: string;
  stderr: string;
  exitCode: number;
  /** Set when the command was killed by a signal (timeout, kill, out of memory). */
  signal?: string;
  /** Set when the run did not complete normally, e.g. "timeout". */
  error?: string;
}

/** A command exited non-zero. `result` has its (masked) output and exit code. */
export class CommandExitError extends SandboxError {
  readonly result: CommandResult;

  constructor(result: CommandResult, command: string) {
    super(
      SandboxErrorCode.COMMAND_EXIT,
      `command exited with code ${result.exitCode}${result.signal ? ` (signal ${result.signal})` : ''}: ${command}; ` +
        `its stdout and stderr are in error.result`,
    );
    this.result = result;
  }

  override toJSON(): Record<string, unknown> {
    return { code: this.code, message: this.message, result: this.result };
  }
}

/** A command hit its timeout; its whole process tree was killed. */
export class CommandTimeoutError extends SandboxError {
  readonly result: CommandResult;

  constructor(result: CommandResult, timeoutMs: number, command: string) {
    super(
      SandboxErrorCode.COMMAND_TIMEOUT,
      `command ran longer than its timeout of ${timeoutMs} ms and was killed with all its processes: ${command}; ` +
        `raise timeoutMs or run it in the background`,
    );
    this.result = result;
  }

  override toJSON(): Record<string, unknown> {
    return { code: this.code, message: this.message, result: this.result };
  }
}

/** No sandbox or command with that id. */
export class SandboxNotFoundError extends SandboxError {
  constructor(what: string, id: string) {
    super(
      SandboxErrorCode.NOT_FOUND,
      `${what} ${id} does not exist: it was killed, its TTL expired, or the id is wrong; list them to see what runs`,
    );
  }
}

/** A path given to the files API leaves the sandbox. */
export class PathRefusedError extends SandboxError {
  readonly path: string;

  constructor(path: string, reason: string) {
    super(
      SandboxErrorCode.PATH_REFUSED,
      `refused path ${JSON.stringify(path)}: ${reason}; use a path under /home/user, /workspace or /tmp`,
    );
    this.path = path;
  }
}

/** A file operation failed for an ordinary reason (not found, not a directory, ...). */
export class SandboxFileError extends SandboxError {
  readonly path: string;
  /** The system error code, e.g. ENOENT. */
  readonly reason: string;

  constructor(path: string, reason: string, message: string) {
    super(SandboxErrorCode.FILE_ERROR, `${path}: ${message}`);
    this.path = path;
    this.reason = reason;
  }
}

/** Building a sandbox failed; whatever was built is removed again. */
export class SandboxSetupError extends SandboxError {
  constructor(step: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(
      SandboxErrorCode.SETUP_FAILED,
      `could not create the sandbox (${step}): ${reason}; run \`declaw doctor\` to check the host`,
      { cause },
    );
  }
}
