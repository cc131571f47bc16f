/** Errors of the daemon's HTTP layer and of the audit store. */
import { DeclawError, ErrorCode } from './base.js';

/** Base class of errors raised by the daemon's HTTP layer itself. */
export class ApiError extends DeclawError {}

/** Missing or wrong API key. */
export class UnauthorizedError extends ApiError {
  constructor() {
    super(
      ErrorCode.UNAUTHORIZED,
      'missing or wrong API key: send "Authorization: Bearer <key>" (or X-API-Key) with the key in DECLAW_API_KEY or the daemon\'s key file',
    );
  }
}

/** Unknown route. */
export class RouteNotFoundError extends ApiError {
  constructor(method: string, path: string) {
    super(
      ErrorCode.ROUTE_NOT_FOUND,
      `no endpoint ${method} ${path}; see docs/api.md for the endpoints declaw serves`,
    );
  }
}

/** Known path, wrong method. */
export class MethodNotAllowedError extends ApiError {
  constructor(method: string, path: string) {
    super(ErrorCode.METHOD_NOT_ALLOWED, `${path} does not accept ${method}; see docs/api.md`);
  }
}

/** Body over the limit. `advice` says how to get under it (the daemon's advice by default). */
export class PayloadTooLargeError extends ApiError {
  readonly limit: number;

  constructor(
    limit: number,
    advice = "send large files with PUT /sandboxes/:id/files/raw or raise the daemon's limit",
  ) {
    super(ErrorCode.PAYLOAD_TOO_LARGE, `request body larger than ${limit} bytes; ${advice}`);
    this.limit = limit;
  }
}

/** A service cannot take the request now (still loading, or its queue is full); retry later. */
export class ServiceUnavailableError extends ApiError {
  /** Seconds the client should wait, sent as `Retry-After`. */
  readonly retryAfterSeconds: number;

  constructor(reason: string, retryAfterSeconds: number) {
    super(ErrorCode.SERVICE_UNAVAILABLE, `${reason}; retry after ${retryAfterSeconds} s`);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** A batch the audit database refused: the events of the `flush()`/`append()` that rejects are not stored. */
export class AuditWriteError extends DeclawError {
  constructor(cause: unknown) {
    super(
      ErrorCode.AUDIT_WRITE_FAILED,
      `audit entries could not be written: ${cause instanceof Error ? cause.message : String(cause)}; ` +
        'check that the audit database is reachable and its disk is not full',
      { cause },
    );
  }
}
