/** Error codes and the base class every declaw error extends. */
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
  /** The upstream server did not connect, answer or keep sending within the proxy's limits (HTTP 504). */
  UPSTREAM_TIMEOUT: 'DECLAW_UPSTREAM_TIMEOUT',
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
  /** The request carried no API key, or a key the daemon does not know (HTTP 401). */
  UNAUTHORIZED: 'DECLAW_UNAUTHORIZED',
  /** No daemon endpoint at that method and path (HTTP 404). */
  ROUTE_NOT_FOUND: 'DECLAW_ROUTE_NOT_FOUND',
  /** The path exists but not with that method (HTTP 405). */
  METHOD_NOT_ALLOWED: 'DECLAW_METHOD_NOT_ALLOWED',
  /** A request body larger than the daemon accepts (HTTP 413). */
  PAYLOAD_TOO_LARGE: 'DECLAW_PAYLOAD_TOO_LARGE',
  /** A service is loading or its queue is full; retry after the `Retry-After` it sent (HTTP 503). */
  SERVICE_UNAVAILABLE: 'DECLAW_SERVICE_UNAVAILABLE',
  /** The audit database refused a batch; the events of the flush that rejects are not stored. */
  AUDIT_WRITE_FAILED: 'DECLAW_AUDIT_WRITE_FAILED',
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
