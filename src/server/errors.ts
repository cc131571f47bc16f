/**
 * The ONE table that turns any declaw error into an HTTP status. The error classes and codes live in
 * src/errors.ts; the HTTP layer's own classes are re-exported here for its routes.
 *
 * @example
 * const { status, body } = errorResponse(new SandboxNotFoundError('sandbox', 'abc'));
 * // status 404, body { code: 'DECLAW_SANDBOX_NOT_FOUND', message: '...' }
 */
import { DeclawError, ErrorCode, SandboxErrorCode, SandboxFileError } from '../errors.js';

export {
  ApiError,
  UnauthorizedError,
  RouteNotFoundError,
  MethodNotAllowedError,
  PayloadTooLargeError,
} from '../errors.js';

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
  [ErrorCode.UNAUTHORIZED]: 401,
  [ErrorCode.ROUTE_NOT_FOUND]: 404,
  [ErrorCode.METHOD_NOT_ALLOWED]: 405,
  [ErrorCode.PAYLOAD_TOO_LARGE]: 413,
  [ErrorCode.SERVICE_UNAVAILABLE]: 503,
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
