/**
 * Turns the error of a failed upstream TLS connection into one sentence a user can act on. OpenSSL's
 * codes (UNABLE_TO_VERIFY_LEAF_SIGNATURE, ...) are precise but cryptic; the proxy sends this sentence
 * to the sandboxed client (HTTP 502) and records it in the audit `tls_error` event.
 */

/** What kind of failure it was, for audit queries and tests. */
export type TlsFailureCategory =
  | 'untrusted'
  | 'expired'
  | 'not-yet-valid'
  | 'name-mismatch'
  | 'revoked'
  | 'invalid-certificate'
  | 'handshake'
  | 'network'
  | 'other';

/** A described failure. */
export interface TlsFailure {
  category: TlsFailureCategory;
  /** Node's or OpenSSL's code, when the error had one. */
  nodeCode: string | undefined;
  /** One sentence: what is wrong with the connection to `name`, and what to do about it. */
  message: string;
}

const UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
]);
const INVALID = new Set([
  'CERT_SIGNATURE_FAILURE',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
  'INVALID_CA',
  'INVALID_PURPOSE',
  'PATH_LENGTH_EXCEEDED',
  'CERT_CHAIN_TOO_LONG',
  'ERROR_IN_CERT_NOT_BEFORE_FIELD',
  'ERROR_IN_CERT_NOT_AFTER_FIELD',
  'HOSTNAME_MISMATCH',
]);
const NETWORK = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH']);

const TRUST_HINT =
  'if this is a private or test server, add its CA to the proxy (extra CA file or NODE_EXTRA_CA_CERTS); otherwise the connection may be intercepted';

/**
 * Describes `error` from `tls.connect(...)` to `name` (the host the client asked for).
 *
 * @example
 * upstream.on('error', (e) => {
 *   const failure = describeTlsFailure(e, 'api.openai.com');
 *   audit.emit({ type: 'tls_error', host: 'api.openai.com', reason: failure.message });
 *   respond(502, { error: failure.message });
 * });
 */
export function describeTlsFailure(error: unknown, name: string): TlsFailure {
  const code = errorCode(error);
  const reason = error instanceof Error ? error.message : String(error);
  const fail = (category: TlsFailureCategory, message: string): TlsFailure => ({
    category,
    nodeCode: code,
    message: `${message} (${code ?? 'no code'})`,
  });

  if (code === undefined) return fail('other', `the TLS connection to ${name} failed: ${reason}`);
  if (UNTRUSTED.has(code)) {
    const what =
      code === 'DEPTH_ZERO_SELF_SIGNED_CERT'
        ? 'presented a self-signed certificate'
        : code === 'SELF_SIGNED_CERT_IN_CHAIN'
          ? 'presented a certificate chain ending in a CA this host does not trust'
          : 'presented a certificate that is not signed by any CA this host trusts';
    return fail('untrusted', `${name} ${what}; ${TRUST_HINT}`);
  }
  if (code === 'CERT_HAS_EXPIRED') {
    return fail(
      'expired',
      `the certificate of ${name} has expired; the server must renew it (or this host's clock is wrong)`,
    );
  }
  if (code === 'CERT_NOT_YET_VALID') {
    return fail('not-yet-valid', `the certificate of ${name} is not valid yet; check this host's clock`);
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    const detail = altNameReason(error);
    return fail(
      'name-mismatch',
      `the certificate presented for ${name} is issued for other names${detail ? ` (${detail})` : ''}; the server is misconfigured or the name points at the wrong host`,
    );
  }
  if (code === 'CERT_REVOKED')
    return fail('revoked', `the certificate of ${name} has been revoked by its CA`);
  if (INVALID.has(code))
    return fail('invalid-certificate', `the certificate of ${name} is not valid for a TLS server: ${reason}`);
  if (code.startsWith('ERR_SSL_') || code === 'EPROTO' || code === 'ERR_TLS_HANDSHAKE_TIMEOUT') {
    return fail(
      'handshake',
      `the TLS handshake with ${name} failed (${reason.replace(/\s+/g, ' ').trim()}); the server may not speak TLS on this port or supports no protocol version or cipher in common`,
    );
  }
  if (NETWORK.has(code))
    return fail('network', `the connection to ${name} broke during the TLS handshake: ${reason}`);
  return fail('other', `the TLS connection to ${name} failed: ${reason}`);
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/** Node's ERR_TLS_CERT_ALTNAME_INVALID carries `reason`, e.g. "Host: x. is not in the cert's altnames: DNS:y". */
function altNameReason(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const reason = (error as { reason?: unknown }).reason;
  return typeof reason === 'string' ? reason : undefined;
}
