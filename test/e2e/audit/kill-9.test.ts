import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { openAuditStore } from '../../../src/audit/open-store.js';
import { postgresSkipReason, postgresUrl } from '../../unit/audit/postgres-env.js';

const writer = join(import.meta.dirname, 'durability-writer.ts');

/** Runs the writer until it acknowledged at least `minAcked` events, kills it with SIGKILL, returns the last ack. */
async function killWriterAfter(minAcked: number, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const child = spawn(process.execPath, ['--import', 'tsx', writer, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
    child.on('exit', (code, signal) => resolve(signal ?? code)),
  );
  let acked = 0;
  for await (const line of createInterface({ input: child.stdout })) {
    const m = /^ack (\d+)$/.exec(line);
    if (m) acked = Number(m[1]);
    // Killed while it is in the middle of writing the next burst, not between runs.
    if (acked >= minAcked) {
      child.kill('SIGKILL');
      break;
    }
  }
  assert.equal(await exited, 'SIGKILL', `writer ended on its own: ${stderr}`);
  return acked;
}

function assertAllAcked(sandboxIds: Iterable<string>, acked: number): void {
  const seen = new Set(sandboxIds);
  const missing: number[] = [];
  for (let i = 0; i < acked; i++) if (!seen.has(`ack-${i}`)) missing.push(i);
  assert.deepEqual(missing.slice(0, 10), [], `${missing.length} acknowledged entries lost`);
}

test('kill -9 of a process writing to SQLite loses no acknowledged entry', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'declaw-audit-kill-'));
  try {
    const acked = await killWriterAfter(20_000, [dataDir], { DECLAW_AUDIT_URL: '' });
    const store = await openAuditStore({ dataDir, env: {}, purgeIntervalMs: 0 });
    const ids: string[] = [];
    for await (const e of store.entries({ types: ['egress_blocked'] })) ids.push(e.sandbox_id);
    await store.close();
    assert.ok(ids.length >= acked);
    assertAllAcked(ids, acked);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

const skip = postgresSkipReason();

test('kill -9 of a process writing to PostgreSQL loses no acknowledged entry', { skip }, async () => {
  const url = postgresUrl() ?? '';
  const table = `audit_kill_${randomBytes(6).toString('hex')}`;
  try {
    const acked = await killWriterAfter(5_000, ['unused', table], { DECLAW_AUDIT_URL: url });
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const res = await client.query<{ sandbox_id: string }>(`SELECT sandbox_id FROM ${table}`);
    await client.end();
    assertAllAcked(
      res.rows.map((r) => r.sandbox_id),
      acked,
    );
  } finally {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`DROP TABLE IF EXISTS ${table}`);
    await client.end();
  }
});
