/**
 * The daemon's HTTP layer without sandboxes (no root): API keys, the error mapping, body limits,
 * hosted-only 501s, routing, and audit queries, against a runtime that knows no sandbox.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiKeys, keyFromHeaders } from '../../../src/server/api-keys.js';
import { ApiServer } from '../../../src/server/api-server.js';
import { MemoryAuditLog } from '../../../src/server/audit-log.js';
import { statusFor } from '../../../src/server/errors.js';
import { DaemonMetrics } from '../../../src/server/metrics.js';
import { SandboxNotFoundError, SandboxFileError, PathRefusedError } from '../../../src/errors.js';
import { PolicyInvalidError, NotSupportedError } from '../../../src/errors.js';
import type { SandboxRuntime } from '../../../src/server/server-state.js';

const KEY = 'unit-test-key-0123';
const emptyRuntime: SandboxRuntime = {
  create: () => Promise.reject(new Error('no sandboxes in unit tests')),
  get: (id) => {
    throw new SandboxNotFoundError('sandbox', id);
  },
  list: () => [],
  kill: () => Promise.resolve(false),
  setTimeout: (id) => {
    throw new SandboxNotFoundError('sandbox', id);
  },
};
const audit = new MemoryAuditLog();
const metrics = new DaemonMetrics(() => 0);
let api: ApiServer;
let base: string;

before(async () => {
  api = new ApiServer({
    runtime: emptyRuntime,
    keys: ApiKeys.of([KEY]),
    audit,
    metrics,
    limits: { jsonBytes: 1024 },
  });
  audit.subscribe((e) => metrics.observe(e));
  const { port } = await api.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${port}`;
});
after(() => api.close());

const call = (path: string, init: RequestInit = {}, key: string | null = KEY) =>
  fetch(base + path, {
    ...init,
    headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...init.headers },
  });

test('requests without a key or with a wrong key get 401 with a code; /health needs none', async () => {
  for (const key of [null, 'wrong-key-0000', `${KEY}x`]) {
    const r = await call('/sandboxes', {}, key);
    assert.equal(r.status, 401);
    assert.equal(((await r.json()) as { code: string }).code, 'DECLAW_UNAUTHORIZED');
  }
  assert.equal((await call('/health', {}, null)).status, 200);
  assert.equal((await call('/sandboxes', { headers: { 'x-api-key': KEY } }, null)).status, 200);
});

test('an unknown sandbox is 404 with the sandbox runtime code', async () => {
  const r = await call('/sandboxes/nope/files?path=/tmp/x');
  assert.equal(r.status, 404);
  assert.equal(((await r.json()) as { code: string }).code, 'DECLAW_SANDBOX_NOT_FOUND');
});

test('hosted-only endpoints answer 501 saying they are not part of declaw', async () => {
  for (const [method, path] of [
    ['POST', '/templates/build'],
    ['GET', '/volumes'],
    ['POST', '/sandboxes/abc/snapshot'],
    ['GET', '/teams/t1/vault/secrets'],
    ['GET', '/governance/packs'],
  ] as const) {
    const r = await call(path, { method });
    assert.equal(r.status, 501, `${method} ${path}`);
    const body = (await r.json()) as { code: string; message: string };
    assert.equal(body.code, 'DECLAW_NOT_SUPPORTED');
    assert.match(body.message, /is not part of declaw/);
  }
});

test('bodies over the limit are refused with 413 before the handler runs', async () => {
  const r = await call('/sandboxes', {
    method: 'POST',
    body: JSON.stringify({ metadata: { a: 'x'.repeat(4096) } }),
  });
  assert.equal(r.status, 413);
  assert.equal(((await r.json()) as { code: string }).code, 'DECLAW_PAYLOAD_TOO_LARGE');
});

test('malformed bodies are 400 naming the field; unknown routes 404; wrong methods 405', async () => {
  const bad = await call('/sandboxes', { method: 'POST', body: '{"timeout": "soon"}' });
  assert.equal(bad.status, 400);
  assert.match(((await bad.json()) as { message: string }).message, /timeout/);
  assert.equal((await call('/sandboxes', { method: 'POST', body: '{oops' })).status, 400);
  assert.equal((await call('/no/such/thing')).status, 404);
  assert.equal((await call('/sandboxes', { method: 'PUT' })).status, 405);
});

test('audit queries filter by sandbox and type and page with a cursor', async () => {
  const t = '2030-01-01T00:00:00.000Z';
  for (let i = 0; i < 5; i++)
    audit.record({ type: 'vm_killed', time: t, sandboxId: `s${i % 2}`, reason: 'killed' });
  audit.record({
    type: 'egress_blocked',
    time: t,
    sandboxId: 's0',
    flowId: 'f',
    host: 'evil.example',
    reason: 'deny_rule',
    detail: 'x',
    frontDoor: 'transparent',
  });
  const first = (await (await call('/sandboxes/s0/audit?limit=2')).json()) as {
    entries: Array<{ id: number; type: string }>;
    next_cursor: number;
  };
  assert.equal(first.entries.length, 2);
  const rest = (await (await call(`/sandboxes/s0/audit?cursor=${first.next_cursor}`)).json()) as {
    entries: Array<{ type: string; status_code: number; url: string }>;
  };
  assert.deepEqual(
    rest.entries.map((e) => e.type),
    ['vm_killed', 'egress_blocked'],
  );
  assert.equal(rest.entries[1]?.status_code, 403);
  assert.equal(rest.entries[1]?.url, 'https://evil.example/');
  const blocked = (await (await call('/audit?type=egress_blocked')).json()) as { entries: unknown[] };
  assert.equal(blocked.entries.length, 1);
  assert.equal((await call('/audit?since=yesterday')).status, 400);
});

test('/metrics exposes sandboxes and blocked requests in Prometheus format', async () => {
  const r = await call('/metrics');
  assert.equal(r.status, 200);
  const text = await r.text();
  assert.match(text, /^declaw_sandboxes 0$/m);
  assert.match(text, /declaw_proxy_requests_total\{decision="blocked",reason="deny_rule"\} 1/);
});

test('one mapping turns declaw errors into statuses', () => {
  assert.equal(statusFor(new PolicyInvalidError([{ path: '$.x', message: 'bad' }])), 400);
  assert.equal(statusFor(new NotSupportedError('x', 'y')), 501);
  assert.equal(statusFor(new PathRefusedError('../x', 'leaves the sandbox')), 400);
  assert.equal(statusFor(new SandboxFileError('/tmp/x', 'ENOENT', 'no such file')), 404);
  assert.equal(statusFor(new Error('surprise')), 500);
});

test('API keys: Bearer or X-API-Key; short keys and no keys are refused at start', () => {
  assert.equal(keyFromHeaders({ authorization: 'Bearer abc' }), 'abc');
  assert.equal(keyFromHeaders({ 'x-api-key': 'def' }), 'def');
  assert.equal(keyFromHeaders({}), undefined);
  assert.throws(() => ApiKeys.of([]), /at least one API key/);
  assert.throws(() => ApiKeys.of(['short']), /at least 8/);
  const keys = ApiKeys.of(['first-key-1', 'second-key-2']);
  assert.equal(keys.verify('second-key-2'), true);
  assert.equal(keys.verify('second-key-'), false);
  assert.equal(keys.verify(undefined), false);
});
