/** Errors of policies, arguments, files and the content stages. */
import { DeclawError, ErrorCode } from './base.js';

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
