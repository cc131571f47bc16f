import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { AuditStore, AuditWriteError } from '../../../src/audit/audit-store.js';
import { SqliteAuditBackend } from '../../../src/audit/sqlite-backend.js';
import { openAuditStore } from '../../../src/audit/open-store.js';
import type { AuditBackend } from '../../../src/audit/backend.js';
import { storeContract } from './store-contract.js';
import { at, T0 } from './fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'declaw-audit-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

storeContract('sqlite', () =>
  Promise.resolve(new SqliteAuditBackend({ file: join(dir, `t${n++}`, 'audit.sqlite') })),
);

test('sqlite: the store is one WAL file under the data directory, readable by a second reader', async () => {
  const dataDir = join(dir, 'data');
  const writer = await openAuditStore({ dataDir, env: {} });
  writer.record({ type: 'vm_created', time: at(T0), sandboxId: 'w' });
  await writer.flush();
  const reader = await openAuditStore({ dataDir, env: {}, readonly: true });
  assert.equal((await reader.query()).entries[0]?.sandbox_id, 'w');
  await assert.rejects(reader.append({ type: 'vm_created', time: at(T0), sandboxId: 'r' }), AuditWriteError);
  await reader.close();
  await writer.close();
});

test('a database refusing a batch makes flush and append reject, and the store keeps going', async () => {
  const real = new SqliteAuditBackend({ file: ':memory:' });
  let fail = true;
  const flaky: AuditBackend = {
    kind: 'sqlite',
    insert: (rows, exp) => (fail ? Promise.reject(new Error('disk I/O error')) : real.insert(rows, exp)),
    query: (f) => real.query(f),
    purge: (ms) => real.purge(ms),
    maxId: () => real.maxId(),
    close: () => real.close(),
  };
  const store = new AuditStore({ backend: flaky, purgeIntervalMs: 0 });
  store.record({ type: 'vm_created', time: at(T0), sandboxId: 'lost' });
  await assert.rejects(
    store.flush(),
    (err: unknown) => err instanceof AuditWriteError && /disk I\/O error/.test(err.message),
  );
  fail = false;
  store.record({ type: 'vm_created', time: at(T0), sandboxId: 'kept' });
  await store.flush();
  assert.deepEqual(
    (await store.query()).entries.map((e) => e.sandbox_id),
    ['kept'],
  );
  assert.equal(store.stats().failed, 1);
  await store.close();
});

test('DECLAW_AUDIT_URL that is not a postgres URL is refused with how to fix it', async () => {
  await assert.rejects(openAuditStore({ env: { DECLAW_AUDIT_URL: 'mysql://x' } }), /postgres:\/\/.*unset it/);
});
