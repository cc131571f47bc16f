import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { PostgresAuditBackend } from '../../../src/audit/postgres-backend.js';
import { openAuditStore } from '../../../src/audit/open-store.js';
import { storeContract } from './store-contract.js';
import { at, T0 } from './fixtures.js';
import { postgresSkipReason, postgresUrl } from './postgres-env.js';

const skip = postgresSkipReason();
const url = postgresUrl();
const tables: string[] = [];

after(async () => {
  if (skip || tables.length === 0) return;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  for (const t of tables) await client.query(`DROP TABLE IF EXISTS ${t}`);
  await client.end();
});

async function freshBackend(): Promise<PostgresAuditBackend> {
  // One table per test keeps them independent in one database; dropped afterwards.
  const table = `audit_t_${randomBytes(6).toString('hex')}`;
  tables.push(table);
  return PostgresAuditBackend.open({ url: url ?? '', table });
}

storeContract('postgres', freshBackend, skip);

test(
  'postgres: DECLAW_AUDIT_URL selects PostgreSQL and two stores on one table share the log',
  { skip },
  async () => {
    const table = `audit_t_${randomBytes(6).toString('hex')}`;
    const env = { DECLAW_AUDIT_URL: url ?? '' };
    const a = await openAuditStore({ env, table, purgeIntervalMs: 0 });
    const b = await openAuditStore({ env, table, purgeIntervalMs: 0 });
    try {
      assert.equal(a.backend.kind, 'postgres');
      a.record({ type: 'vm_created', time: at(T0), sandboxId: 'host-a' });
      b.record({ type: 'vm_created', time: at(T0), sandboxId: 'host-b' });
      await Promise.all([a.flush(), b.flush()]);
      const seen = (await a.query()).entries.map((e) => e.sandbox_id).sort();
      assert.deepEqual(seen, ['host-a', 'host-b']);
    } finally {
      await (a.backend as PostgresAuditBackend).dropTable();
      await a.close();
      await b.close();
    }
  },
);

test('postgres: an unreachable server is reported when the store opens', { skip }, async () => {
  await assert.rejects(
    PostgresAuditBackend.open({ url: 'postgres://nobody:x@127.0.0.1:1/none' }),
    /ECONNREFUSED|connect/,
  );
});
