/**
 * Which session a request on the explicit front door belongs to: the one named by its
 * `Proxy-Authorization: Basic <session id>:<token>` header, or the session the listener is bound to.
 */
import type { IncomingMessage } from 'node:http';
import type { SessionRegistry } from '../session-registry.js';
import type { ProxySession } from '../session.js';

/**
 * Credentials of a `Proxy-Authorization: Basic` header, or undefined when absent or not Basic.
 *
 * @example
 * parseProxyAuthorization('Basic c2J4LTE6dG9r'); // { id: 'sbx-1', token: 'tok' }
 */
export function parseProxyAuthorization(
  value: string | undefined,
): { id: string; token: string } | undefined {
  if (value === undefined) return undefined;
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(value);
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return { id: decoded, token: '' };
  return { id: decoded.slice(0, colon), token: decoded.slice(colon + 1) };
}

/**
 * The session for `req`, or undefined (answer 407). Credentials, when sent, must match a session and
 * its token; without them the listener's bound session is used if it needs no token.
 *
 * @example
 * // HTTPS_PROXY=http://sbx-1:s3cret@127.0.0.1:8080 → Proxy-Authorization: Basic c2J4LTE6czNjcmV0
 */
export function sessionForRequest(
  req: IncomingMessage,
  sessions: SessionRegistry,
  boundSessionId: string | undefined,
): ProxySession | undefined {
  const header = req.headers['proxy-authorization'];
  const creds = parseProxyAuthorization(Array.isArray(header) ? header[0] : header);
  if (creds !== undefined) {
    const session = sessions.get(creds.id);
    if (session === undefined) return undefined;
    if (boundSessionId !== undefined && session.id !== boundSessionId) return undefined;
    return session.acceptsToken(session.requiresToken ? creds.token : undefined) ? session : undefined;
  }
  if (boundSessionId === undefined) return undefined;
  const bound = sessions.get(boundSessionId);
  return bound !== undefined && !bound.requiresToken ? bound : undefined;
}
