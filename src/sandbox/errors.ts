/**
 * Errors of the sandbox runtime. They extend {@link DeclawError} like every declaw error and carry
 * stable codes; the codes live here until they are merged into `ErrorCode` and docs/errors.md (the
 * errors module is owned elsewhere), so they are cast at the one place they meet the base class.
 *
 * @example
 * try { await sandbox.commands.run('false') } catch (e) {
 *   if (e instanceof CommandExitError) console.log(e.result.exitCode, e.result.stderr);
 * }
 */
import { DeclawError, type ErrorCodeValue } from '../errors.js';

/** Stable codes of sandbox errors. Never rename one: users match on them. */
export const SandboxErrorCode = {
  /** The host cannot run sandboxes as declaw requires (never a quietly weaker sandbox). */
  PREFLIGHT_FAILED: 'DECLAW_SANDBOX_PREFLIGHT_FAILED',
  /** A command in a sandbox exited with a non-zero status. */
  COMMAND_EXIT: 'DECLAW_COMMAND_EXIT',
  /** A command ran longer than its timeout and was killed with its whole process tree. */
  COMMAND_TIMEOUT: 'DECLAW_COMMAND_TIMEOUT',
  /** No sandbox (or command) with that id: it never existed, was killed, or its TTL expired. */
  NOT_FOUND: 'DECLAW_SANDBOX_NOT_FOUND',
  /** A files API path is outside the sandbox (`..`, a host path, a symlink that points out). */
  PATH_REFUSED: 'DECLAW_SANDBOX_PATH_REFUSED',
  /** A file operation failed inside the sandbox (missing file, not a directory, ...). */
  FILE_ERROR: 'DECLAW_SANDBOX_FILE_ERROR',
  /** Building the sandbox's network, jail or limits failed; nothing of it is left behind. */
  SETUP_FAILED: 'DECLAW_SANDBOX_SETUP_FAILED',
} as const;

/** One of the values of {@link SandboxErrorCode}. */
export type SandboxErrorCodeValue = (typeof SandboxErrorCode)[keyof typeof SandboxErrorCode];

/** Base class of sandbox errors. */
export class SandboxError extends DeclawError {
  constructor(code: SandboxErrorCodeValue, message: string, options?: { cause?: unknown }) {
    // The base class types its codes as ErrorCode's; these are additions pending a merge there.
    super(code as unknown as ErrorCodeValue, message, options);
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
