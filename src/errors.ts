/**
 * Every error declaw raises on purpose. Each class carries a stable `code` that scripts and the daemon
 * can rely on, and a message that says what was wrong and what to do about it.
 *
 * Add new codes to {@link ErrorCode} and to docs/errors.md (a test keeps the two in step).
 *
 * @example
 * try { SecurityPolicy.fromJSON(raw) } catch (e) {
 *   if (e instanceof PolicyInvalidError) for (const i of e.issues) console.error(i.path, i.message);
 * }
 */

/** Stable error codes. Never rename one: users match on them. */
export const ErrorCode = {
  /** A security policy (file, JSON, or TypeScript object) failed validation. */
  POLICY_INVALID: 'DECLAW_POLICY_INVALID',
  /** A command-line argument or API argument is malformed or missing. */
  INVALID_ARGUMENT: 'DECLAW_INVALID_ARGUMENT',
  /** A file the user named cannot be read. */
  FILE_UNREADABLE: 'DECLAW_FILE_UNREADABLE',
  /** A request body contained PII and the policy's action is `block`. */
  PII_BLOCKED: 'DECLAW_PII_BLOCKED',
  /** A response scored as prompt injection at or above the threshold and the action is `block`. */
  INJECTION_BLOCKED: 'DECLAW_INJECTION_BLOCKED',
  /** A response contained invisible characters and `invisible_text.action` is `block`. */
  INVISIBLE_TEXT_BLOCKED: 'DECLAW_INVISIBLE_TEXT_BLOCKED',
  /** A body is larger than the scan limit while scanning was required (fail closed). */
  BODY_TOO_LARGE: 'DECLAW_BODY_TOO_LARGE',
  /** An outbound connection was refused by the network policy. */
  EGRESS_BLOCKED: 'DECLAW_EGRESS_BLOCKED',
  /** The upstream server's TLS certificate could not be verified, or its handshake failed. */
  UPSTREAM_TLS: 'DECLAW_UPSTREAM_TLS',
  /** The upstream server could not be reached, or broke off its answer. */
  UPSTREAM_UNREACHABLE: 'DECLAW_UPSTREAM_UNREACHABLE',
  /** An intercepted request's Host disagrees with the TLS SNI it came in on (HTTP 421). */
  DOMAIN_FRONTING: 'DECLAW_DOMAIN_FRONTING',
  /** The explicit proxy needs a Proxy-Authorization naming a session. */
  PROXY_AUTH_REQUIRED: 'DECLAW_PROXY_AUTH_REQUIRED',
  /** A request the proxy cannot parse or route. */
  BAD_REQUEST: 'DECLAW_BAD_REQUEST',
  /** A body in a Content-Encoding the proxy cannot decode while the policy must read it. */
  UNSUPPORTED_ENCODING: 'DECLAW_UNSUPPORTED_ENCODING',
  /** The host cannot run sandboxes as declaw requires (never a quietly weaker sandbox). */
  SANDBOX_PREFLIGHT_FAILED: 'DECLAW_SANDBOX_PREFLIGHT_FAILED',
  /** A command in a sandbox exited with a non-zero status. */
  COMMAND_EXIT: 'DECLAW_COMMAND_EXIT',
  /** A command ran longer than its timeout and was killed with its whole process tree. */
  COMMAND_TIMEOUT: 'DECLAW_COMMAND_TIMEOUT',
  /** No sandbox (or command) with that id: it never existed, was killed, or its TTL expired. */
  SANDBOX_NOT_FOUND: 'DECLAW_SANDBOX_NOT_FOUND',
  /** A files API path is outside the sandbox (`..`, a host path, a symlink that points out). */
  SANDBOX_PATH_REFUSED: 'DECLAW_SANDBOX_PATH_REFUSED',
  /** A file operation failed inside the sandbox (missing file, not a directory, ...). */
  SANDBOX_FILE_ERROR: 'DECLAW_SANDBOX_FILE_ERROR',
  /** Building the sandbox's network, jail or limits failed; nothing of it is left behind. */
  SANDBOX_SETUP_FAILED: 'DECLAW_SANDBOX_SETUP_FAILED',
  /** The feature exists in the hosted Declaw product but not in declaw. */
  NOT_SUPPORTED: 'DECLAW_NOT_SUPPORTED',
  /** A bug in declaw: an invariant did not hold. Please report it. */
  INTERNAL: 'DECLAW_INTERNAL',
} as const;

/** One of the values of {@link ErrorCode}. */
export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Base class of every declaw error. */
export class DeclawError extends Error {
  /** Stable machine-readable code, e.g. `DECLAW_POLICY_INVALID`. */
  readonly code: ErrorCodeValue;

  constructor(code: ErrorCodeValue, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }

  /** A JSON-safe view for API responses and `--json` output. */
  toJSON(): Record<string, unknown> {
    return { code: this.code, message: this.message };
  }
}

/** One problem found in a policy: where it is, what is wrong, and how to fix it. */
export interface PolicyIssue {
  /** JSON path of the offending value, e.g. `$.pii.types[2]`. `$` is the whole policy. */
  path: string;
  /** What is wrong, in one sentence. */
  message: string;
  /** How to fix it, when there is something more specific to say than the message. */
  hint?: string;
}

/** A policy was refused. `issues` lists every problem found, not only the first. */
export class PolicyInvalidError extends DeclawError {
  readonly issues: readonly PolicyIssue[];

  constructor(issues: readonly PolicyIssue[], source?: string) {
    const where = source ? ` in ${source}` : '';
    const lines = issues.map((i) => `  ${i.path}: ${i.message}${i.hint ? ` (${i.hint})` : ''}`);
    super(
      ErrorCode.POLICY_INVALID,
      `invalid security policy${where}: ${issues.length} problem${issues.length === 1 ? '' : 's'}\n${lines.join('\n')}`,
    );
    this.issues = issues;
  }

  override toJSON(): Record<string, unknown> {
    return { code: this.code, message: this.message, issues: this.issues };
  }
}

/** An argument (CLI flag, API parameter) is malformed. The message names it and the accepted form. */
export class InvalidArgumentError extends DeclawError {
  /** Name of the argument, e.g. `--direction`. */
  readonly argument: string;

  constructor(argument: string, message: string) {
    super(ErrorCode.INVALID_ARGUMENT, `${argument}: ${message}`);
    this.argument = argument;
  }
}

/** A file named by the user could not be read. */
export class FileUnreadableError extends DeclawError {
  readonly path: string;

  constructor(path: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(ErrorCode.FILE_UNREADABLE, `cannot read ${path}: ${reason}; check the path and its permissions`, {
      cause,
    });
    this.path = path;
  }
}

/** A body was refused because it contains PII and the policy says `block`. Names types, never values. */
export class PiiBlockedError extends DeclawError {
  readonly types: readonly string[];

  constructor(types: readonly string[]) {
    super(
      ErrorCode.PII_BLOCKED,
      `request blocked: it contains PII of type ${types.join(', ')} and the policy's pii.action is "block"; ` +
        `remove the data or set pii.action to "redact"`,
    );
    this.types = types;
  }

  override toJSON(): Record<string, unknown> {
    return { code: this.code, message: this.message, types: this.types };
  }
}

/** A response was refused because it scored as prompt injection. */
export class InjectionBlockedError extends DeclawError {
  readonly score: number;
  readonly signals: readonly string[];

  constructor(score: number, threshold: number, signals: readonly string[]) {
    super(
      ErrorCode.INJECTION_BLOCKED,
      `response blocked: prompt-injection score ${score.toFixed(2)} is at or above the threshold ${threshold} ` +
        `(signals: ${signals.join(', ') || 'none'}); raise injection_defense.threshold or set its action to "log" if this is a false positive`,
    );
    this.score = score;
    this.signals = signals;
  }

  override toJSON(): Record<string, unknown> {
    return { code: this.code, message: this.message, score: this.score, signals: this.signals };
  }
}

/** A response was refused because it hides invisible characters. */
export class InvisibleTextBlockedError extends DeclawError {
  readonly count: number;

  constructor(count: number) {
    super(
      ErrorCode.INVISIBLE_TEXT_BLOCKED,
      `response blocked: it contains ${count} invisible character${count === 1 ? '' : 's'} (zero-width, bidi or tag ` +
        `characters) and invisible_text.action is "block"; use "strip" to remove them instead`,
    );
    this.count = count;
  }
}

/** A body exceeded the scan limit while the policy required scanning it (fail closed). */
export class BodyTooLargeError extends DeclawError {
  readonly limit: number;

  constructor(size: number, limit: number) {
    super(
      ErrorCode.BODY_TOO_LARGE,
      `body of ${size} bytes exceeds the scan limit of ${limit} bytes and the policy requires scanning it; ` +
        `send a smaller body or raise the scan limit`,
    );
    this.limit = limit;
  }
}

/** The feature belongs to the hosted product only. */
export class NotSupportedError extends DeclawError {
  constructor(feature: string, advice: string) {
    super(ErrorCode.NOT_SUPPORTED, `${feature} is not part of declaw: ${advice}`);
  }
}

/** A broken invariant inside declaw. */
export class InternalError extends DeclawError {
  constructor(message: string) {
    super(ErrorCode.INTERNAL, `${message} (this is a bug in declaw; please report it)`);
  }
}

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
