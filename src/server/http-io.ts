/**
 * Request and response helpers of the daemon: bounded body reading, zod validation at the
 * boundary, JSON and error replies, and server-sent events.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import { InvalidArgumentError } from '../errors.js';
import { errorResponse, PayloadTooLargeError } from './errors.js';

/**
 * Read a request body, refusing more than `limit` bytes (as soon as the limit is passed, not after
 * buffering it all).
 * @example
 * const raw = await readBody(req, 1 << 20);
 */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw new PayloadTooLargeError(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    const chunk = c as Buffer;
    size += chunk.length;
    if (size > limit) throw new PayloadTooLargeError(limit);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/**
 * Read and validate a JSON body. An empty body is validated as `{}`.
 * @example
 * const body = await readJson(req, 1 << 20, z.object({ timeout: z.number() }));
 */
export async function readJson<T extends z.ZodType>(
  req: IncomingMessage,
  limit: number,
  schema: T,
): Promise<z.output<T>> {
  const raw = await readBody(req, limit);
  let value: unknown = {};
  if (raw.length > 0) {
    try {
      value = JSON.parse(raw.toString('utf8'));
    } catch (err) {
      throw new InvalidArgumentError('body', `not valid JSON: ${(err as Error).message}`);
    }
  }
  return validate(schema, value, 'body');
}

/** Validate a value against a schema, as an InvalidArgumentError naming the first problem's path. */
export function validate<T extends z.ZodType>(schema: T, value: unknown, what: string): z.output<T> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const where = issue && issue.path.length > 0 ? `${what}.${issue.path.join('.')}` : what;
  throw new InvalidArgumentError(where, issue?.message ?? 'invalid');
}

/** Send a JSON reply. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}

/** Send bytes. */
export function sendBytes(res: ServerResponse, status: number, data: Uint8Array, type: string): void {
  res.writeHead(status, {
    'content-type': type,
    'content-length': data.byteLength,
    'cache-control': 'no-store',
  });
  res.end(data);
}

/** Send an error as JSON with the status from the one mapping in errors.ts. */
export function sendError(res: ServerResponse, err: unknown): void {
  const { status, body } = errorResponse(err);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, status, body);
}

/**
 * A server-sent events writer. `event` names the SSE event type (omitted: the default "message").
 * @example
 * const sse = openSse(res);
 * sse.send({ type: 'stdout', data: 'hi\n' });
 * sse.end();
 */
export function openSse(res: ServerResponse): { send(data: unknown, event?: string): void; end(): void } {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  res.flushHeaders();
  return {
    send(data, event) {
      if (res.writableEnded) return;
      res.write(`${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(data)}\n\n`);
    },
    end() {
      if (!res.writableEnded) res.end();
    },
  };
}
