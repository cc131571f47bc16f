/**
 * Audit ingest: how many events per second the store takes from `record()` to committed rows, into
 * SQLite (file in a temp dir, WAL, synchronous=NORMAL) and into PostgreSQL (DECLAW_AUDIT_URL or
 * DECLAW_TEST_POSTGRES_URL, skipped when neither is set). Baseline in the same run: normalising and
 * JSON.stringify-ing the same events into memory, i.e. the work without any database.
 *
 *   npx tsx bench/audit-ingest.ts [events]
 *
 * Goals (issue 6): >= 50,000 events/s into SQLite, >= 10,000 into PostgreSQL.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { AuditStore } from '../src/audit/audit-store.js';
import { toAuditRow } from '../src/audit/entry.js';
import { PostgresAuditBackend } from '../src/audit/postgres-backend.js';
import { SqliteAuditBackend } from '../src/audit/sqlite-backend.js';
import type { AuditBackend } from '../src/audit/backend.js';
import type { StoredEvent } from '../src/audit/runtime-events.js';
import { prng } from './lib/prng.js';

const N = Number(process.argv[2] ?? 200_000);

/** A realistic mix: mostly egress decisions, some content events and DNS, few lifecycle events. */
function makeEvents(n: number): StoredEvent[] {
  const rnd = prng(6);
  const hosts = ['api.openai.com', 'pypi.org', 'files.pythonhosted.org', 'evil.example', 'api.anthropic.com'];
  const out: StoredEvent[] = [];
  const base = Date.now();
  for (let i = 0; i < n; i++) {
    const sandboxId = `sb${Math.floor(rnd() * 50)}`;
    const host = hosts[Math.floor(rnd() * hosts.length)] ?? 'x.example';
    const time = new Date(base + i).toISOString();
    const flow = { sandboxId, flowId: String(i), host, port: 443, time };
    const r = rnd();
    if (r < 0.45)
      out.push({
        type: 'egress_allowed',
        ...flow,
        reason: 'allow_rule',
        rule: '*.openai.com',
        address: '10.0.0.9',
        mode: 'intercept',
        frontDoor: 'transparent',
      });
    else if (r < 0.65)
      out.push({
        type: 'egress_blocked',
        ...flow,
        reason: 'deny_rule',
        rule: '0.0.0.0/0',
        detail: `${host} is denied`,
        frontDoor: 'transparent',
      });
    else if (r < 0.8)
      out.push({
        type: 'pii',
        ...flow,
        method: 'POST',
        path: '/v1/chat/completions?stream',
        action: 'redact',
        types: [
          { type: 'email', count: 2 },
          { type: 'ssn', count: 1 },
        ],
      });
    else if (r < 0.9)
      out.push({
        type: 'dns_query',
        time,
        sandboxId,
        name: host,
        qtype: 'A',
        outcome: 'answered',
        decision: { action: 'allow', rule: '*.openai.com', reason: 'allow_rule' },
        rcode: 'NOERROR',
      });
    else if (r < 0.97)
      out.push({
        type: 'transform_applied',
        ...flow,
        method: 'POST',
        path: '/v1/x',
        direction: 'outbound',
        rules: [{ rule: 0, count: 1 }],
      });
    else
      out.push({
        type: 'vm_created',
        time,
        sandboxId,
        warm: true,
        address: '10.200.0.2',
        proxied: true,
        intercepted: true,
      });
  }
  return out;
}

/** Records in bursts of 1000 (one proxy turn's worth), flushing only at the end: the ack point. */
async function ingest(backend: AuditBackend, events: readonly StoredEvent[]): Promise<number> {
  const store = new AuditStore({ backend, purgeIntervalMs: 0 });
  const start = process.hrtime.bigint();
  for (let i = 0; i < events.length; i += 1000) {
    for (let j = i; j < Math.min(i + 1000, events.length); j++) store.record(events[j] as StoredEvent);
    // Let the batch writer run, as it would between network events.
    await new Promise((r) => setImmediate(r));
  }
  await store.flush();
  const s = Number(process.hrtime.bigint() - start) / 1e9;
  if (store.stats().written !== events.length)
    throw new Error(`wrote ${store.stats().written} of ${events.length}`);
  await store.close();
  return events.length / s;
}

function baseline(events: readonly StoredEvent[]): number {
  const start = process.hrtime.bigint();
  const out: string[] = [];
  for (const e of events) out.push(JSON.stringify(toAuditRow(e)));
  const s = Number(process.hrtime.bigint() - start) / 1e9;
  if (out.length !== events.length) throw new Error('baseline lost events');
  return events.length / s;
}

const events = makeEvents(N);
baseline(events.slice(0, 20_000)); // warm-up
const rows: Array<[string, number | undefined, string]> = [];
const base = baseline(events);
rows.push(['baseline: normalise + JSON.stringify into memory', base, '']);

const dir = mkdtempSync(join(tmpdir(), 'declaw-bench-audit-'));
try {
  const sqlite = await ingest(new SqliteAuditBackend({ file: join(dir, 'audit.sqlite') }), events);
  rows.push([
    'SQLite (WAL, synchronous=NORMAL)',
    sqlite,
    sqlite >= 50_000 ? 'goal 50,000/s met' : 'BELOW goal 50,000/s',
  ]);
  const full = await ingest(
    new SqliteAuditBackend({ file: join(dir, 'full.sqlite'), synchronous: 'full' }),
    events,
  );
  rows.push(['SQLite (WAL, synchronous=FULL)', full, '']);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const pgUrl = process.env.DECLAW_AUDIT_URL || process.env.DECLAW_TEST_POSTGRES_URL;
if (pgUrl) {
  const table = `audit_bench_${randomBytes(4).toString('hex')}`;
  const backend = await PostgresAuditBackend.open({ url: pgUrl, table });
  const dropper = await PostgresAuditBackend.open({ url: pgUrl, table });
  try {
    const pgRate = await ingest(backend, events);
    rows.push([
      'PostgreSQL 15 (unnest batches)',
      pgRate,
      pgRate >= 10_000 ? 'goal 10,000/s met' : 'BELOW goal 10,000/s',
    ]);
  } finally {
    await dropper.dropTable();
    await dropper.close();
  }
} else {
  rows.push(['PostgreSQL', undefined, 'skipped: set DECLAW_TEST_POSTGRES_URL']);
}

process.stdout.write(`audit ingest, ${N.toLocaleString('en')} events, node ${process.version}\n\n`);
process.stdout.write(`${'path'.padEnd(50)} ${'events/s'.padStart(12)} ${'vs baseline'.padStart(12)}  note\n`);
for (const [name, rate, note] of rows) {
  const r = rate === undefined ? '-' : Math.round(rate).toLocaleString('en');
  const ratio = rate === undefined ? '-' : `${(rate / base).toFixed(3)}x`;
  process.stdout.write(`${name.padEnd(50)} ${r.padStart(12)} ${ratio.padStart(12)}  ${note}\n`);
}
