/**
 * A small method + path router: patterns like `/sandboxes/:id/files`, matched segment by segment.
 * Routes are tried in the order they were added.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MethodNotAllowedError, RouteNotFoundError } from './errors.js';

/** What a handler gets. */
export interface RouteContext {
  req: IncomingMessage;
  res: ServerResponse;
  params: Record<string, string>;
  query: URLSearchParams;
  path: string;
}

/** A route handler. It writes the response itself. */
export type Handler = (ctx: RouteContext) => Promise<void> | void;

interface Route {
  method: string;
  parts: string[];
  handler: Handler;
}

function matchParts(parts: readonly string[], segs: readonly string[]): Record<string, string> | undefined {
  const last = parts[parts.length - 1];
  const rest = last === '*';
  if (rest ? segs.length < parts.length - 1 : segs.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i] as string;
    if (p === '*') return params;
    const s = segs[i] as string;
    if (p.startsWith(':')) params[p.slice(1)] = s;
    else if (p !== s) return undefined;
  }
  return params;
}

/**
 * @example
 * const r = new Router();
 * r.add('GET', '/sandboxes/:id', ({ params, res }) => sendJson(res, 200, { id: params.id }));
 * const found = r.find('GET', '/sandboxes/abc'); // { handler, params: { id: 'abc' } }
 */
export class Router {
  private readonly routes: Route[] = [];

  /** Add a route; `*` as the last segment matches any rest of the path. */
  add(method: string | readonly string[], pattern: string, handler: Handler): this {
    const parts = pattern.split('/').filter(Boolean);
    for (const m of typeof method === 'string' ? [method] : method)
      this.routes.push({ method: m, parts, handler });
    return this;
  }

  /**
   * The handler for a request.
   * @throws {RouteNotFoundError} when no pattern matches, {@link MethodNotAllowedError} when only the method is wrong.
   */
  find(method: string, path: string): { handler: Handler; params: Record<string, string> } {
    let segs: string[];
    try {
      segs = path.split('/').filter(Boolean).map(decodeURIComponent);
    } catch {
      throw new RouteNotFoundError(method, path);
    }
    let pathMatched = false;
    for (const r of this.routes) {
      const params = matchParts(r.parts, segs);
      if (!params) continue;
      if (r.method === method || r.method === '*') return { handler: r.handler, params };
      pathMatched = true;
    }
    if (pathMatched) throw new MethodNotAllowedError(method, path);
    throw new RouteNotFoundError(method, path);
  }
}
