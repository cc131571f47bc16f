/**
 * Errors of the daemon's HTTP layer, and the ONE table that turns any declaw error into an HTTP
 * status. The codes live here until they join `ErrorCode` in src/errors.ts (owned elsewhere), so
 * they are cast where they meet the base class, as the sandbox errors do.
 *
 * @example
 * const { status, body } = errorResponse(new SandboxNotFoundError('sandbox', 'abc'));
 * // status 404, body { code: 'DECLAW_SANDBOX_NOT_FOUND', message: '...' }
 */
import { DeclawError, ErrorCode, type ErrorCodeValue } from '../errors.js';
import { SandboxErrorCode, SandboxFileError } from '../sandbox/errors.js';

/** Stable codes of API errors. Never rename one: clients match on them. */
export const ApiErrorCode = {
  /** The request carried no API key, or a key the daemon does not know. */
  UNAUTHORIZED: 'DECLAW_UNAUTHORIZED',
  /** No endpoint at that method and path. */
  ROUTE_NOT_FOUND: 'DECLAW_ROUTE_NOT_FOUND',
  /** A request body larger than the daemon accepts. */
  PAYLOAD_TOO_LARGE: 'DECLAW_PAYLOAD_TOO_LARGE',
  /** The path exists but not with that method. */
  METHOD_NOT_ALLOWED: 'DECLAW_METHOD_NOT_ALLOWED',
} as const;

/** One of the values of {@link ApiErrorCode}. */
export type ApiErrorCodeValue = (typeof ApiErrorCode)[keyof typeof ApiErrorCode];

/** Base class of errors raised by the HTTP layer itself. */
export class ApiError extends DeclawError {
  constructor(code: ApiErrorCodeValue, message: string) {
    super(code as unknown as ErrorCodeValue, message);
  }
}

/** Missing or wrong API key. */
export class UnauthorizedError extends ApiError {
  constructor() {
    super(
      ApiErrorCode.UNAUTHORIZED,
      'missing or wrong API key: send "Authorization: Bearer <key>" (or X-API-Key) with the key in DECLAW_API_KEY or the daemon\'s key file',
    );
  }
}

/** Unknown route. */
export class RouteNotFoundError extends ApiError {
  constructor(method: string, path: string) {
    super(
      ApiErrorCode.ROUTE_NOT_FOUND,
      `no endpoint ${method} ${path}; see docs/api.md for the endpoints declaw serves`,
    );
  }
}

/** Known path, wrong method. */
export class MethodNotAllowedError extends ApiError {
  constructor(method: string, path: string) {
    super(ApiErrorCode.METHOD_NOT_ALLOWED, `${path} does not accept ${method}; see docs/api.md`);
  }
}

/** Body over the limit. */
export class PayloadTooLargeError extends ApiError {
  constructor(limit: number) {
    super(
      ApiErrorCode.PAYLOAD_TOO_LARGE,
      `request body larger than ${limit} bytes; send large files with PUT /sandboxes/:id/files/raw or raise the daemon's limit`,
    );
  }
}

const STATUS_BY_CODE: Record<string, number> = {
  [ErrorCode.POLICY_INVALID]: 400,
  [ErrorCode.INVALID_ARGUMENT]: 400,
  [ErrorCode.FILE_UNREADABLE]: 400,
  [ErrorCode.BAD_REQUEST]: 400,
  [ErrorCode.NOT_SUPPORTED]: 501,
  [ErrorCode.INTERNAL]: 500,
  [SandboxErrorCode.NOT_FOUND]: 404,
  [SandboxErrorCode.PATH_REFUSED]: 400,
  [SandboxErrorCode.FILE_ERROR]: 400,
  [SandboxErrorCode.PREFLIGHT_FAILED]: 503,
  [SandboxErrorCode.SETUP_FAILED]: 500,
  [SandboxErrorCode.COMMAND_TIMEOUT]: 408,
  [SandboxErrorCode.COMMAND_EXIT]: 500,
  [ApiErrorCode.UNAUTHORIZED]: 401,
  [ApiErrorCode.ROUTE_NOT_FOUND]: 404,
  [ApiErrorCode.METHOD_NOT_ALLOWED]: 405,
  [ApiErrorCode.PAYLOAD_TOO_LARGE]: 413,
};

const STATUS_BY_ERRNO: Record<string, number> = {
  ENOENT: 404,
  EEXIST: 409,
  ENOTDIR: 400,
  EISDIR: 400,
  ENOTEMPTY: 409,
};

/** The HTTP status for an error: the single mapping used by every route. Unknown errors are 500. */
export function statusFor(err: unknown): number {
  if (err instanceof SandboxFileError) return STATUS_BY_ERRNO[err.reason] ?? 400;
  if (err instanceof DeclawError) return STATUS_BY_CODE[err.code] ?? 500;
  return 500;
}

/** Status and JSON body for an error. Unexpected errors are not echoed (they may hold host details). */
export function errorResponse(err: unknown): { status: number; body: Record<string, unknown> } {
  const status = statusFor(err);
  if (err instanceof DeclawError) return { status, body: err.toJSON() };
  return {
    status,
    body: {
      code: ErrorCode.INTERNAL,
      message: 'internal error in the declaw daemon (see its log); please report it',
    },
  };
}
