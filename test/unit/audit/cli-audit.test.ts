import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openAuditStore } from '../../../src/audit/open-store.js';
import { toAuditRow, type AuditEntry } from '../../../src/audit/entry.js';
import { parseTimeArg, runAuditCommand } from '../../../src/cli/commands/audit.js';
import type { CliIO } from '../../../src/cli/io.js';
import { runCli } from '../../helpers/cli.js';
import { everyKind, exchangeEvents, T0, at } from './fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'declaw-audit-cli-'));
after(() => rmSync(root, { recursive: true, force: true }));

async function seeded(name: string): Promise<string> {
  const dataDir = join(root, name);
  const store = await openAuditStore({ dataDir, env: {}, purgeIntervalMs: 0 });
  for (const e of [...everyKind('sb1'), ...everyKind('sb2', T0 + 3_600_000)]) store.record(e);
  await store.close();
  return dataDir;
}

const lines = (s: string) => s.trimEnd().split('\n').filter(Boolean);

test('declaw audit prints a table of the last entries of the log, filtered by sandbox and type', async () => {
  const dataDir = await seeded('table');
  const all = await runCli(['audit', '--data-dir', dataDir]);
  assert.equal(all.code, 0, all.stderr);
  assert.equal(lines(all.stdout).length, 20);
  const blocked = await runCli([
    'audit',
    '--data-dir',
    dataDir,
    '--sandbox',
    'sb2',
    '--type',
    'egress_blocked,pii',
  ]);
  const rows = lines(blocked.stdout);
  assert.equal(rows.length, 2);
  assert.match(
    rows[0] ?? '',
    /sb2 .* pii .*POST https:\/\/api\.openai\.com\/v1\/chat\/completions .*redact ssn×1 email×2/,
  );
  assert.match(
    rows[1] ?? '',
    /egress_blocked .*https:\/\/evil\.example\/ .*deny_rule rule 0\.0\.0\.0\/0 403/,
  );
  const last = await runCli(['audit', '--data-dir', dataDir, '--limit', '3']);
  assert.deepEqual(
    lines(last.stdout).map((l) => /vm_killed|tls_error|egress_blocked/.exec(l)?.[0]),
    ['egress_blocked', 'tls_error', 'vm_killed'],
  );
});

test('declaw audit --json prints every matching entry as a JSON line, --since accepts ISO and durations', async () => {
  const dataDir = await seeded('json');
  const out = await runCli(['audit', '--data-dir', dataDir, '--json', '--since', at(T0 + 3_600_000)]);
  const entries = lines(out.stdout).map((l) => JSON.parse(l) as AuditEntry);
  assert.equal(entries.length, 10);
  assert.ok(entries.every((e) => e.sandbox_id === 'sb2'));
  assert.equal(parseTimeArg('--since', '1h', () => T0).getTime(), T0 - 3_600_000);
  assert.equal(parseTimeArg('--since', '7d', () => T0).getTime(), T0 - 7 * 86_400_000);
  const bad = await runCli(['audit', '--data-dir', dataDir, '--since', 'last tuesday']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /DECLAW_INVALID_ARGUMENT.*--since.*30m, 1h, 7d/);
});

test('declaw audit shows completed requests and upstream timeouts with status, sizes, duration and stage', async () => {
  const dataDir = join(root, 'exchanges');
  const store = await openAuditStore({ dataDir, env: {}, purgeIntervalMs: 0 });
  for (const e of exchangeEvents('sb1')) store.record(e);
  await store.close();
  const table = await runCli(['audit', '--data-dir', dataDir, '--type', 'upstream_timeout']);
  assert.equal(table.code, 0, table.stderr);
  const rows = lines(table.stdout);
  assert.equal(rows.length, 2);
  assert.match(
    rows[0] ?? '',
    /upstream_timeout .*GET https:\/\/api\.openai\.com\/v1\/models .*response_head 504/,
  );
  assert.match(rows[1] ?? '', /upstream_timeout .*\/v1\/files\/big .*body_idle$/);
  const done = lines((await runCli(['audit', '--data-dir', dataDir, '--type', 'request_completed'])).stdout);
  assert.match(
    done[0] ?? '',
    /request_completed .*POST .*\/v1\/chat\/completions.* 200 ↑1\.2 KiB ↓5\.5 KiB 43 ms intercept$/,
  );
  assert.match(done[1] ?? '', /request_completed .*incomplete 200 ↑0 B ↓64\.0 KiB 300010 ms intercept$/);
  const json = await runCli(['audit', '--data-dir', dataDir, '--json', '--type', 'request_completed']);
  const entries = lines(json.stdout).map((l) => JSON.parse(l) as AuditEntry);
  assert.deepEqual(
    entries.map((e) => e.status_code),
    [200, 200],
  );
  // The same details the row had when it was written (entry.test.ts checks what those are).
  assert.deepEqual(
    entries.map((e) => e.details),
    exchangeEvents('sb1')
      .filter((e) => e.type === 'request_completed')
      .map((e) => toAuditRow(e).details),
  );
  assert.equal(entries[0]?.details.duration_ms, 42.5);
  assert.equal(entries[1]?.details.completed, false);
  assert.equal(entries[1]?.reason, 'incomplete');
});

test('declaw audit without a log says where it looked and what to pass', async () => {
  const res = await runCli(['audit', '--data-dir', join(root, 'nothing-here')]);
  assert.equal(res.code, 1);
  assert.match(res.stderr, /no audit log at .*nothing-here.*--data-dir/);
});

test('declaw audit --follow prints entries another process writes, until stopped', async () => {
  const dataDir = await seeded('follow');
  const writer = await openAuditStore({ dataDir, env: {}, purgeIntervalMs: 0 });
  let stdout = '';
  const stop = new AbortController();
  const io: CliIO = {
    stdout: (t) => {
      stdout += t;
      if (stdout.includes('sb-new')) stop.abort();
    },
    stderr: () => {},
    readStdin: async () => Buffer.alloc(0),
    isTTY: false,
  };
  const code = await runAuditCommand({ dataDir, follow: true, json: true, sandbox: 'sb-new' }, io, {
    env: {},
    signal: stop.signal,
    onFollowing: () => {
      writer.record({ type: 'vm_created', time: new Date().toISOString(), sandboxId: 'sb-new' });
      void writer.flush();
    },
  });
  await writer.close();
  assert.equal(code, 0);
  assert.deepEqual(
    lines(stdout).map((l) => (JSON.parse(l) as AuditEntry).type),
    ['vm_created'],
  );
});
