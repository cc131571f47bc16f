import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { InvalidArgumentError } from '../../errors.js';
import type { AuditEntry } from '../../audit/entry.js';
import type { AuditStore } from '../../audit/audit-store.js';
import { AUDIT_DB_FILE, defaultDataDir, openAuditStore } from '../../audit/open-store.js';
import type { AuditFilter } from '../../audit/query.js';
import type { CliIO } from '../io.js';
import { reportError } from '../report-error.js';

/** Flags of `declaw audit`. */
export interface AuditCommandOptions {
  sandbox?: string;
  type?: string[];
  since?: string;
  until?: string;
  limit?: string;
  follow?: boolean;
  json?: boolean;
  dataDir?: string;
}

/** In-process hooks for tests: a stop signal for `--follow`, the environment, the clock. */
export interface AuditCommandHooks {
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
  now?: () => number;
  /** Called once `--follow` printed the stored entries and waits for new ones. */
  onFollowing?: () => void;
}

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * A `--since`/`--until` value: an ISO 8601 time, or a duration back from now (`90s`, `15m`, `1h`, `7d`).
 *
 * @example
 * parseTimeArg('--since', '1h', () => Date.parse('2025-01-01T01:00:00Z')); // 2025-01-01T00:00:00.000Z
 */
export function parseTimeArg(name: string, value: string, now: () => number = Date.now): Date {
  const rel = /^(\d+)\s*([smhd])$/i.exec(value.trim());
  if (rel) return new Date(now() - Number(rel[1]) * (UNIT_MS[(rel[2] ?? 's').toLowerCase()] ?? 1000));
  const ms = Date.parse(value);
  if (!Number.isFinite(ms)) {
    throw new InvalidArgumentError(
      name,
      `must be an ISO 8601 time (2025-01-31T12:00:00Z) or a duration such as 30m, 1h, 7d; got "${value}"`,
    );
  }
  return new Date(ms);
}

function colour(io: CliIO, code: number, text: string): string {
  return io.isTTY ? `\x1b[${code}m${text}\x1b[0m` : text;
}

/** What happened, in a few words: the reason, rule and counts of the entry. */
function decisionOf(e: AuditEntry): string {
  const parts: string[] = [];
  if (e.reason) parts.push(e.reason);
  if (e.rule) parts.push(`rule ${e.rule}`);
  if (e.type === 'pii' && Array.isArray(e.details.types)) {
    parts.push(
      (e.details.types as Array<{ type: string; count: number }>)
        .map((t) => `${t.type}×${t.count}`)
        .join(' '),
    );
  }
  if (e.type === 'injection_detected' && typeof e.details.score === 'number')
    parts.push(`score ${e.details.score.toFixed(2)}`);
  if (e.type === 'transform_applied') parts.push(`${e.transformations_applied} replacement(s)`);
  if (Array.isArray(e.details.keys)) parts.push((e.details.keys as string[]).join(','));
  if (e.status_code) parts.push(String(e.status_code));
  if (e.type === 'request_completed') parts.push(exchangeSummary(e.details));
  return parts.join(' ');
}

/** `↑1.2 KiB ↓64.0 KiB 12 ms intercept` for a completed exchange (sizes, duration, mode). */
function exchangeSummary(d: Record<string, unknown>): string {
  const size = (n: unknown) =>
    typeof n !== 'number'
      ? '?'
      : n < 1024
        ? `${n} B`
        : n < 1048576
          ? `${(n / 1024).toFixed(1)} KiB`
          : `${(n / 1048576).toFixed(1)} MiB`;
  const ms = typeof d.duration_ms === 'number' ? `${Math.round(d.duration_ms)} ms` : '';
  return [
    `↑${size(d.request_bytes)}`,
    `↓${size(d.response_bytes)}`,
    ms,
    typeof d.mode === 'string' ? d.mode : '',
  ]
    .filter(Boolean)
    .join(' ');
}

/** One table row: time, sandbox, type, destination, decision. */
function formatRow(io: CliIO, e: AuditEntry): string {
  const time = e.timestamp.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
  const where = e.url ? `${e.method ? `${e.method} ` : ''}${e.url}` : (e.host ?? '');
  // A completed exchange with an upstream 4xx/5xx is the upstream's answer, not a declaw refusal.
  const refused = (e.status_code >= 400 && e.type !== 'request_completed') || e.type === 'egress_blocked';
  const type = e.type.padEnd(18);
  const shownType = refused ? colour(io, 31, type) : e.category === 'content' ? colour(io, 33, type) : type;
  return `${time}  ${e.sandbox_id.padEnd(14)}  ${shownType}  ${where}${where ? '  ' : ''}${colour(io, 2, decisionOf(e))}\n`;
}

function print(io: CliIO, e: AuditEntry, json: boolean): void {
  io.stdout(json ? `${JSON.stringify(e)}\n` : formatRow(io, e));
}

/** The last `n` entries matching `filter`, oldest first (one pass over the matches, keeping a window). */
async function lastEntries(store: AuditStore, filter: AuditFilter, n: number): Promise<AuditEntry[]> {
  const window: AuditEntry[] = [];
  for await (const e of store.entries(filter)) {
    window.push(e);
    if (window.length > n) window.shift();
  }
  return window;
}

/**
 * Runs `declaw audit` and returns its exit code.
 *
 * @example
 * await runAuditCommand({ sandbox: 'sb1', type: ['egress_blocked'], since: '1h', json: true }, io);
 */
export async function runAuditCommand(
  o: AuditCommandOptions,
  io: CliIO,
  hooks: AuditCommandHooks = {},
): Promise<number> {
  const json = Boolean(o.json);
  const env = hooks.env ?? process.env;
  let store: AuditStore | undefined;
  try {
    const limit = o.limit === undefined ? undefined : Number(o.limit);
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) {
      throw new InvalidArgumentError(
        '--limit',
        `must be a whole number of entries, at least 1; got "${o.limit}"`,
      );
    }
    const filter: AuditFilter = {
      ...(o.sandbox ? { sandboxId: o.sandbox } : {}),
      ...(o.type?.length ? { types: o.type.flatMap((t) => t.split(',')).map((t) => t.trim()) } : {}),
      ...(o.since ? { since: parseTimeArg('--since', o.since, hooks.now) } : {}),
      ...(o.until ? { until: parseTimeArg('--until', o.until, hooks.now) } : {}),
    };
    const dataDir = o.dataDir ?? defaultDataDir(env);
    if (!env.DECLAW_AUDIT_URL && !existsSync(join(dataDir, AUDIT_DB_FILE))) {
      throw new InvalidArgumentError(
        '--data-dir',
        `no audit log at ${join(dataDir, AUDIT_DB_FILE)}; pass the --data-dir of \`declaw serve\`, or set DECLAW_AUDIT_URL for a PostgreSQL log`,
      );
    }
    store = await openAuditStore({ dataDir, env, readonly: true });
    // A table shows the last entries (default 50); JSON lines export everything unless --limit says.
    const shown = limit ?? (json ? undefined : 50);
    let last = 0;
    if (shown === undefined) {
      for await (const e of store.entries(filter)) {
        print(io, e, json);
        last = e.id;
      }
    } else {
      for (const e of await lastEntries(store, filter, shown)) {
        print(io, e, json);
        last = e.id;
      }
    }
    if (o.follow) {
      const signal = hooks.signal ?? interruptSignal();
      const after = Math.max(last, await store.latestId());
      hooks.onFollowing?.();
      for await (const e of store.tail({ ...filter, after }, { signal })) print(io, e, json);
    }
    return 0;
  } catch (err) {
    return reportError(io, err, json);
  } finally {
    await store?.close().catch(() => {});
  }
}

/** Aborts on Ctrl-C, so `--follow` ends cleanly with exit code 0. */
function interruptSignal(): AbortSignal {
  const stop = new AbortController();
  process.once('SIGINT', () => stop.abort());
  return stop.signal;
}

/**
 * `declaw audit [--sandbox ID] [--type T] [--since ISO|1h] [--until ..] [--limit N] [--follow] [--json]
 * [--data-dir DIR]`: reads the audit log of `declaw serve` (its SQLite file, or PostgreSQL when
 * DECLAW_AUDIT_URL is set) and prints a table or JSON lines; `--follow` keeps printing new entries.
 */
export function registerAuditCommand(
  program: Command,
  io: CliIO,
  setExit: (code: number) => void,
  hooks: AuditCommandHooks = {},
): void {
  program
    .command('audit')
    .description('show the audit log: lifecycle, network and content decisions (never bodies or values)')
    .option('--sandbox <id>', 'only this sandbox')
    .option('--type <type...>', 'only these event types (repeat or comma-separate), e.g. egress_blocked,pii')
    .option('--since <time>', 'from this ISO 8601 time, or this long ago (30m, 1h, 7d)')
    .option('--until <time>', 'up to this ISO 8601 time, or this long ago')
    .option('--limit <n>', 'show the last N entries (default 50 in a table; all with --json)')
    .option('--follow', 'keep printing new entries as they are written (Ctrl-C stops)')
    .option('--json', 'one JSON entry per line (the REST API format)')
    .option('--data-dir <dir>', `the daemon's data directory (default ${defaultDataDir()})`)
    .action(async (opts: AuditCommandOptions) => {
      setExit(await runAuditCommand(opts, io, hooks));
    });
}
