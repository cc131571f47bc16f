/**
 * File endpoints as @declaw/sdk 1.3.0 calls them: read (text or bytes), write (JSON text, raw
 * bytes, batch), list, exists, info, remove, rename, mkdir, watch. Paths are sandbox paths; the
 * sandbox runtime confines them (see docs/sandbox.md, Files API).
 */
import { randomBytes } from 'node:crypto';
import { InvalidArgumentError, NotSupportedError } from '../../errors.js';
import type { EntryInfo } from '../../sandbox/files.js';
import { SandboxNotFoundError } from '../../errors.js';
import { readBody, readJson, sendBytes, sendJson } from '../http-io.js';
import type { RouteContext, Router } from '../router.js';
import { batchWriteBody, pathBody, renameBody, writeFileBody } from '../schemas.js';
import type { ServerState } from '../server-state.js';

/** An entry as the SDK's `parseEntryInfo` reads it, plus declaw's details. */
export function entryJson(e: EntryInfo): Record<string, unknown> {
  return {
    name: e.name,
    path: e.path,
    type: e.type,
    size: e.size,
    mode: e.mode,
    permissions: e.permissions,
    modified_time: e.modifiedTime.toISOString(),
    ...(e.symlinkTarget !== undefined ? { symlink_target: e.symlinkTarget } : {}),
  };
}

function queryPath(ctx: RouteContext): string {
  const path = ctx.query.get('path');
  if (!path) throw new InvalidArgumentError('path', 'add ?path=/absolute/path/in/the/sandbox');
  checkUser(ctx.query.get('username') ?? undefined);
  return path;
}

function checkUser(user: string | undefined): void {
  if (user !== undefined && user !== 'user') {
    throw new NotSupportedError(
      `file access as "${user}"`,
      'files belong to the sandbox user; omit username',
    );
  }
}

async function readFile(state: ServerState, ctx: RouteContext): Promise<void> {
  const sbx = state.runtime.get(ctx.params.id as string);
  const data = await sbx.files.read(queryPath(ctx), { format: 'bytes' });
  const wantsText = (ctx.req.headers.accept ?? '').includes('text/plain');
  sendBytes(ctx.res, 200, data, wantsText ? 'text/plain; charset=utf-8' : 'application/octet-stream');
}

/** Register the file routes. */
export function fileRoutes(router: Router, state: ServerState): void {
  router.add('GET', '/sandboxes/:id/files', (ctx) => readFile(state, ctx));
  router.add('GET', '/sandboxes/:id/files/raw', (ctx) => readFile(state, ctx));

  router.add('POST', '/sandboxes/:id/files', async ({ req, res, params }) => {
    const body = await readJson(req, state.limits.jsonBytes, writeFileBody);
    checkUser(body.username);
    const e = await state.runtime.get(params.id as string).files.write(body.path, body.data);
    sendJson(res, 200, { path: e.path, size: e.size, name: e.name, type: e.type });
  });

  router.add(['PUT', 'POST'], '/sandboxes/:id/files/raw', async (ctx) => {
    const path = queryPath(ctx);
    const sbx = state.runtime.get(ctx.params.id as string);
    const data = await readBody(ctx.req, state.limits.rawBytes);
    const e = await sbx.files.write(path, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    sendJson(ctx.res, 200, { path: e.path, size: e.size, name: e.name, type: e.type });
  });

  router.add('POST', '/sandboxes/:id/files/batch', async ({ req, res, params }) => {
    const body = await readJson(req, state.limits.jsonBytes, batchWriteBody);
    checkUser(body.username);
    const sbx = state.runtime.get(params.id as string);
    const out: Array<{ path: string; size: number }> = [];
    // In order: a later file may overwrite an earlier one, as in the request.
    for (const f of body.files) {
      const e = await sbx.files.write(f.path, f.data);
      out.push({ path: e.path, size: e.size });
    }
    sendJson(res, 200, out);
  });

  router.add('GET', '/sandboxes/:id/files/list', async (ctx) => {
    const depthRaw = ctx.query.get('depth');
    const depth = depthRaw === null ? 1 : Number(depthRaw);
    if (!Number.isInteger(depth) || depth < 1 || depth > 32) {
      throw new InvalidArgumentError('depth', 'must be an integer from 1 to 32');
    }
    const entries = await state.runtime.get(ctx.params.id as string).files.list(queryPath(ctx), { depth });
    sendJson(ctx.res, 200, entries.map(entryJson));
  });

  router.add('GET', '/sandboxes/:id/files/exists', async (ctx) => {
    const exists = await state.runtime.get(ctx.params.id as string).files.exists(queryPath(ctx));
    sendJson(ctx.res, 200, { exists });
  });

  router.add('GET', '/sandboxes/:id/files/info', async (ctx) => {
    const e = await state.runtime.get(ctx.params.id as string).files.getInfo(queryPath(ctx));
    sendJson(ctx.res, 200, entryJson(e));
  });

  router.add('DELETE', '/sandboxes/:id/files', async (ctx) => {
    await state.runtime.get(ctx.params.id as string).files.remove(queryPath(ctx));
    sendJson(ctx.res, 200, { removed: true });
  });

  router.add('PATCH', '/sandboxes/:id/files', async ({ req, res, params }) => {
    const body = await readJson(req, state.limits.jsonBytes, renameBody);
    checkUser(body.username);
    const e = await state.runtime.get(params.id as string).files.rename(body.old_path, body.new_path);
    sendJson(res, 200, entryJson(e));
  });

  router.add('POST', '/sandboxes/:id/files/mkdir', async ({ req, res, params }) => {
    const body = await readJson(req, state.limits.jsonBytes, pathBody);
    checkUser(body.username);
    const created = await state.runtime.get(params.id as string).files.makeDir(body.path);
    sendJson(res, 200, { created });
  });

  router.add('POST', '/sandboxes/:id/files/watch', async ({ req, res, params }) => {
    const id = params.id as string;
    const body = await readJson(req, state.limits.jsonBytes, pathBody);
    checkUser(body.username);
    if (body.recursive) throw new NotSupportedError('recursive watches', 'watch each directory you need');
    const events: Array<{
      type: 'create' | 'write' | 'remove';
      name: string;
      path: string;
      timestamp: string;
    }> = [];
    const dir = body.path.replace(/\/+$/, '');
    const handle = await state.runtime.get(id).files.watchDir(body.path, (e) => {
      events.push({
        type: e.type,
        name: e.name,
        path: `${dir}/${e.name}`,
        timestamp: new Date().toISOString(),
      });
      if (events.length > 10_000) events.shift();
    });
    const watchId = randomBytes(8).toString('hex');
    state.of(id).watches.set(watchId, { handle, events });
    sendJson(res, 200, { watch_id: watchId });
  });

  // declaw extension: the hosted SDK's WatchHandle is local only; these let a client collect events.
  router.add('GET', '/sandboxes/:id/files/watch/:watch', ({ res, params }) => {
    const w = state.of(params.id as string).watches.get(params.watch as string);
    if (!w) throw new SandboxNotFoundError('watch', String(params.watch));
    sendJson(res, 200, { events: w.events.splice(0, w.events.length) });
  });

  router.add('DELETE', '/sandboxes/:id/files/watch/:watch', async ({ res, params }) => {
    const per = state.of(params.id as string);
    const w = per.watches.get(params.watch as string);
    if (!w) throw new SandboxNotFoundError('watch', String(params.watch));
    per.watches.delete(params.watch as string);
    await w.handle.stop();
    sendJson(res, 200, { stopped: true });
  });
}
