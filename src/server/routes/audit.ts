/**
 * Audit retrieval: GET /audit and GET /sandboxes/:id/audit, filtered by sandbox, event type and
 * time range, paged with a cursor (the last id of the previous page). Entries never hold bodies,
 * PII values or secret values.
 */
import { sendJson, validate } from '../http-io.js';
import type { RouteContext, Router } from '../router.js';
import { auditQuery } from '../schemas.js';
import type { ServerState } from '../server-state.js';

async function answer(state: ServerState, ctx: RouteContext, sandboxId: string | undefined): Promise<void> {
  const q = validate(auditQuery, Object.fromEntries(ctx.query), 'query');
  const page = await state.audit.query({
    sandboxId: sandboxId ?? q.sandbox_id,
    types: q.type
      ? q.type
          .split(',')
          .map((t) => t.trim())
          .filter(Boolean)
      : undefined,
    since: q.since,
    until: q.until,
    after: q.cursor,
    limit: q.limit,
  });
  sendJson(ctx.res, 200, { entries: page.entries, next_cursor: page.nextCursor ?? null });
}

/** Register the audit routes. A killed sandbox's entries stay readable by its id. */
export function auditRoutes(router: Router, state: ServerState): void {
  router.add('GET', '/audit', (ctx) => answer(state, ctx, undefined));
  router.add('GET', '/sandboxes/:id/audit', (ctx) => answer(state, ctx, ctx.params.id));
}
