/**
 * Behaviour every audit backend must show through {@link AuditStore}, run against SQLite and against a
 * real PostgreSQL server by the two test files that import it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import fc from 'fast-check';
import { AuditStore, type AuditStoreOptions } from '../../../src/audit/audit-store.js';
import type { AuditBackend } from '../../../src/audit/backend.js';
import type { AuditEntry } from '../../../src/audit/entry.js';
import type { AuditSink } from '../../../src/audit/sink.js';
import type { StoredEvent } from '../../../src/audit/runtime-events.js';
import { at, everyKind, exchangeEvents, T0 } from './fixtures.js';

const DAY = 86_400_000;

export function storeContract(
  name: string,
  makeBackend: () => Promise<AuditBackend>,
  skip: string | false = false,
): void {
  async function withStore(
    fn: (store: AuditStore) => Promise<void>,
    options: Omit<AuditStoreOptions, 'backend'> = {},
  ): Promise<void> {
    const store = new AuditStore({ purgeIntervalMs: 0, ...options, backend: await makeBackend() });
    try {
      await fn(store);
    } finally {
      await store.close();
    }
  }

  const t = (title: string, fn: () => Promise<void>) => test(`${name}: ${title}`, { skip }, fn);

  t('recorded events are stored once flushed, oldest first, with the proxy sink interface', async () => {
    await withStore(async (store) => {
      const sink: AuditSink = store;
      for (const e of everyKind('sb1')) sink.record(e as Parameters<AuditSink['record']>[0]);
      await store.flush();
      const page = await store.query({ sandboxId: 'sb1' });
      assert.deepEqual(
        page.entries.map((e) => e.type),
        everyKind().map((e) => e.type),
      );
      const ids = page.entries.map((e) => e.id);
      assert.deepEqual(
        ids,
        [...ids].sort((a, b) => a - b),
      );
      const pii = page.entries.find((e) => e.type === 'pii');
      assert.equal(pii?.pii_redactions, 3);
      assert.deepEqual(pii?.details.types, [
        { type: 'ssn', count: 1 },
        { type: 'email', count: 2 },
      ]);
      assert.equal(pii?.timestamp, at(T0 + 3000));
      assert.equal(page.entries.find((e) => e.type === 'egress_blocked')?.status_code, 403);
      assert.equal(page.nextCursor, undefined);
    });
  });

  t('queries filter by sandbox, event type and time range', async () => {
    await withStore(async (store) => {
      for (const e of [...everyKind('sb1'), ...everyKind('sb2', T0 + 60_000)]) store.record(e);
      await store.flush();
      const sb2 = await store.query({ sandboxId: 'sb2' });
      assert.equal(sb2.entries.length, 10);
      assert.ok(sb2.entries.every((e) => e.sandbox_id === 'sb2'));
      const blocked = await store.query({ types: ['egress_blocked', 'tls_error'] });
      assert.deepEqual(
        blocked.entries.map((e) => `${e.sandbox_id}:${e.type}`),
        ['sb1:egress_blocked', 'sb1:tls_error', 'sb2:egress_blocked', 'sb2:tls_error'],
      );
      const window = await store.query({ since: at(T0 + 2000), until: new Date(T0 + 4000) });
      assert.deepEqual(
        window.entries.map((e) => e.type),
        ['egress_allowed', 'pii', 'transform_applied'],
      );
    });
  });

  t('cursor pagination returns every matching entry exactly once', async () => {
    await withStore(async (store) => {
      const events: StoredEvent[] = [];
      for (let i = 0; i < 257; i++) {
        events.push({
          type: 'vm_killed',
          time: at(T0 + i),
          sandboxId: i % 3 === 0 ? 'a' : 'b',
          reason: 'killed',
        });
      }
      for (const e of events) store.record(e);
      await store.flush();
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 1, max: 60 }),
          fc.constantFrom('a', 'b', undefined),
          async (limit, sb) => {
            const seen: number[] = [];
            let after: number | undefined;
            for (;;) {
              const page = await store.query({ sandboxId: sb, limit, after });
              assert.ok(page.entries.length <= limit);
              seen.push(...page.entries.map((e) => e.id));
              if (page.nextCursor === undefined) break;
              after = page.nextCursor;
            }
            const expected = events.filter((e) => sb === undefined || e.sandboxId === sb).length;
            assert.equal(seen.length, expected);
            assert.equal(new Set(seen).size, expected);
          },
        ),
        { numRuns: 15 },
      );
    });
  });

  t('a sandbox with audit disabled keeps only its lifecycle events', async () => {
    await withStore(async (store) => {
      store.configureSandbox('quiet', { enabled: false });
      store.configureSandbox('loud', true);
      for (const e of [...everyKind('quiet'), ...everyKind('loud')]) store.record(e);
      await store.flush();
      const quiet = await store.query({ sandboxId: 'quiet' });
      assert.deepEqual(
        quiet.entries.map((e) => e.type),
        ['vm_created', 'vm_killed'],
      );
      assert.equal((await store.query({ sandboxId: 'loud' })).entries.length, 10);
      assert.ok(store.stats().dropped >= 8);
    });
  });

  t(
    'completed requests and upstream timeouts come back with their details, and obey audit.enabled',
    async () => {
      await withStore(async (store) => {
        store.configureSandbox('quiet', { enabled: false });
        for (const e of [...exchangeEvents('sb1'), ...exchangeEvents('quiet')]) store.record(e);
        await store.flush();
        const timeouts = await store.query({ sandboxId: 'sb1', types: ['upstream_timeout'] });
        assert.deepEqual(
          timeouts.entries.map((e) => [e.status_code, e.reason, e.details.timeout_ms, e.category]),
          [
            [504, 'response_head', 600_000, 'network'],
            [0, 'body_idle', 300_000, 'network'],
          ],
        );
        const done = (await store.query({ sandboxId: 'sb1', types: ['request_completed'] })).entries;
        assert.equal(done.length, 2);
        assert.equal(done[0]?.status_code, 200);
        assert.equal(done[0]?.path, '/v1/chat/completions?api-key');
        assert.deepEqual(
          [done[0]?.details.request_bytes, done[0]?.details.response_bytes, done[0]?.details.duration_ms],
          [1234, 5678, 42.5],
        );
        assert.equal(done[0]?.details.mode, 'intercept');
        assert.equal(done[1]?.reason, 'incomplete');
        assert.equal((await store.query({ sandboxId: 'quiet' })).entries.length, 0);
      });
    },
  );

  t('a sandbox killed by its TTL gets a timeout entry before its vm_killed', async () => {
    await withStore(async (store) => {
      store.record({ type: 'vm_killed', time: at(T0), sandboxId: 'ttl', reason: 'timeout' });
      await store.flush();
      const page = await store.query({ sandboxId: 'ttl' });
      assert.deepEqual(
        page.entries.map((e) => [e.type, e.reason]),
        [
          ['timeout', 'sandbox'],
          ['vm_killed', 'timeout'],
        ],
      );
      assert.deepEqual(
        (await store.query({ types: ['timeout'] })).entries.map((e) => e.sandbox_id),
        ['ttl'],
      );
    });
  });

  t(
    'retention: entries older than 7 days by default, or the sandbox retention_days, are purged',
    async () => {
      let now = T0;
      await withStore(
        async (store) => {
          store.configureSandbox('long', { enabled: true, retention_days: 30 });
          store.record({ type: 'vm_created', time: at(T0), sandboxId: 'short' });
          store.record({ type: 'vm_created', time: at(T0), sandboxId: 'long' });
          await store.flush();
          now = T0 + 7 * DAY - 1;
          assert.equal(await store.purgeExpired(), 0);
          now = T0 + 7 * DAY;
          assert.equal(await store.purgeExpired(), 1);
          assert.deepEqual(
            (await store.query()).entries.map((e) => e.sandbox_id),
            ['long'],
          );
          now = T0 + 30 * DAY;
          assert.equal(await store.purgeExpired(), 1);
          assert.equal((await store.query()).entries.length, 0);
        },
        { now: () => now },
      );
    },
  );

  t('the periodic purge runs on its own timer', async () => {
    await withStore(
      async (store) => {
        store.record({ type: 'vm_created', time: at(T0 - 8 * DAY), sandboxId: 'old' });
        store.record({ type: 'vm_created', time: new Date().toISOString(), sandboxId: 'new' });
        await store.flush();
        for (let i = 0; i < 200 && store.stats().purged === 0; i++)
          await new Promise((r) => setTimeout(r, 20));
        assert.deepEqual(
          (await store.query()).entries.map((e) => e.sandbox_id),
          ['new'],
        );
      },
      { purgeIntervalMs: 20 },
    );
  });

  t('the live tail yields stored entries, then new ones as they are written, until aborted', async () => {
    await withStore(async (store) => {
      store.record({ type: 'vm_created', time: at(T0), sandboxId: 'x' });
      store.record({ type: 'vm_created', time: at(T0), sandboxId: 'y' });
      await store.flush();
      const stop = new AbortController();
      const got: AuditEntry[] = [];
      const reader = (async () => {
        for await (const e of store.tail({ sandboxId: 'x' }, { signal: stop.signal, pollMs: 5000 })) {
          got.push(e);
          if (got.length === 3) stop.abort();
        }
      })();
      setImmediate(() => {
        store.record({ type: 'vm_killed', time: at(T0 + 1), sandboxId: 'y', reason: 'killed' });
        store.record({
          type: 'egress_blocked',
          time: at(T0 + 2),
          sandboxId: 'x',
          flowId: 'f',
          host: 'a.example',
          reason: 'deny_rule',
          detail: 'd',
          frontDoor: 'explicit',
        });
        store.record({ type: 'vm_killed', time: at(T0 + 3), sandboxId: 'x', reason: 'killed' });
      });
      await reader;
      assert.deepEqual(
        got.map((e) => e.type),
        ['vm_created', 'egress_blocked', 'vm_killed'],
      );
    });
  });

  t('a tail from now skips what was stored before it started', async () => {
    await withStore(async (store) => {
      store.record({ type: 'vm_created', time: at(T0), sandboxId: 'old' });
      await store.flush();
      const stop = new AbortController();
      const it = store.tail({ after: await store.latestId() }, { signal: stop.signal });
      const next = it.next();
      store.record({ type: 'vm_created', time: at(T0), sandboxId: 'new' });
      const first = await next;
      stop.abort();
      assert.equal(first.done, false);
      assert.equal(first.value?.sandbox_id, 'new');
    });
  });

  t('JSON-lines export writes one parseable entry per line', async () => {
    await withStore(async (store) => {
      for (const e of everyKind('sb1')) store.record(e);
      await store.flush();
      const out = new PassThrough();
      const chunks: Buffer[] = [];
      out.on('data', (c: Buffer) => chunks.push(c));
      const n = await store.exportJsonLines({ types: ['pii', 'dns_query'], limit: 1 }, out);
      const lines = Buffer.concat(chunks).toString('utf8').trimEnd().split('\n');
      assert.equal(n, 2);
      assert.deepEqual(
        lines.map((l) => (JSON.parse(l) as AuditEntry).type),
        ['dns_query', 'pii'],
      );
    });
  });

  t('append resolves with the written entry; invalid events are dropped without throwing', async () => {
    await withStore(async (store) => {
      const e = await store.append({ type: 'vm_created', time: at(T0), sandboxId: 'a' });
      assert.ok(e && e.id > 0);
      assert.equal((await store.query({ after: e.id - 1 })).entries[0]?.id, e.id);
      store.record({ type: 'vm_created', time: 'not a time', sandboxId: 'a' });
      assert.equal(await store.append({ type: 'vm_created', time: at(T0), sandboxId: '' }), undefined);
      await store.flush();
      assert.equal(store.stats().dropped, 2);
    });
  });

  t('close writes what is still queued', async () => {
    const backend = await makeBackend();
    const store = new AuditStore({ backend, purgeIntervalMs: 0 });
    for (const e of everyKind('c')) store.record(e);
    await store.close();
    assert.equal(store.stats().written, 10);
  });
}
