/**
 * How `declaw run` shows its {@link RunSummary}: an aligned table for people (coloured on a terminal,
 * NO_COLOR respected by the caller's choice of `color`), or one JSON object for scripts.
 */
import type { RunSummary } from './run-summary.js';

/** Colours on or off. */
export interface SummaryStyle {
  color: boolean;
}

function painter(style: SummaryStyle) {
  const wrap = (code: string) => (s: string) => (style.color ? `\x1b[${code}m${s}\x1b[0m` : s);
  return { bold: wrap('1'), dim: wrap('2'), red: wrap('31'), green: wrap('32'), yellow: wrap('33') };
}

const times = (n: number) => (n === 1 ? '' : ` ×${n}`);

/**
 * The table printed on stderr after the command. One line per host or finding, labels in a column.
 *
 * @example
 * io.stderr(renderSummaryText(summarizeRun(events, { exitCode: 0, audited: true }), { color: false }));
 * // declaw run: exit 0, sandbox sbx-1a2b
 * //   allowed    api.openai.com  ×2
 * //   blocked    evil.example    dns deny_rule (0.0.0.0/0)
 */
export function renderSummaryText(s: RunSummary, style: SummaryStyle): string {
  const p = painter(style);
  const rows: Array<[string, string, string]> = [];
  for (const a of s.allowed) rows.push(['allowed', p.green(a.host), `${a.count} connection(s)/request(s)`]);
  for (const b of s.blocked) {
    rows.push([
      'blocked',
      p.red(b.host),
      `${b.by} ${b.reason}${b.rule ? ` (${b.rule})` : ''}${times(b.count)}`,
    ]);
  }
  for (const x of s.pii) rows.push(['PII', p.yellow(x.type), `${x.action}${times(x.count)}`]);
  for (const i of s.injections) {
    rows.push(['injection', p.red(i.host), `${i.action}, score ${i.max_score.toFixed(2)}${times(i.count)}`]);
  }
  for (const t of s.transformations) {
    rows.push(['transform', `rule #${t.rule}`, `${t.direction}${times(t.count)}`]);
  }
  for (const x of s.secrets) {
    const colour = x.outcome === 'injected' ? p.green : p.yellow;
    rows.push(['secret', x.key, `${colour(x.outcome)} → ${x.host}${times(x.count)}`]);
  }
  for (const n of s.not_scanned) {
    rows.push([
      'not scanned',
      n.host,
      `${n.direction} ${n.reason}${n.refused ? ' (refused)' : ''}${times(n.count)}`,
    ]);
  }
  for (const t of s.tls_errors)
    rows.push(['TLS error', p.red(t.host), `${t.side} ${t.category}${times(t.count)}`]);

  const head = `declaw run: exit ${s.exit_code}${s.sandbox_id ? `, sandbox ${s.sandbox_id}` : ''}`;
  const out = [p.bold(head)];
  if (!s.audited) {
    out.push(
      `  ${p.dim('the policy turned auditing off (audit.enabled: false): no traffic decisions to show')}`,
    );
  } else if (rows.length === 0) {
    out.push(`  ${p.dim('no network traffic went through declaw')}`);
  }
  // Align on the visible text: colour codes have no width.
  const visible = (t: string) =>
    t
      .split('\x1b[')
      .map((part, i) => (i === 0 ? part : part.replace(/^[0-9;]*m/, '')))
      .join('');
  const w1 = Math.max(0, ...rows.map((r) => r[0].length));
  const w2 = Math.max(0, ...rows.map((r) => visible(r[1]).length));
  for (const [label, what, detail] of rows) {
    const pad = ' '.repeat(w2 - visible(what).length);
    out.push(`  ${p.dim(label.padEnd(w1))}  ${what}${pad}  ${detail}`);
  }
  return `${out.join('\n')}\n`;
}

/**
 * The summary as one line of JSON, for scripts (`declaw run --json`).
 *
 * @example
 * JSON.parse(renderSummaryJson(summary)).blocked[0].host; // 'evil.example'
 */
export function renderSummaryJson(s: RunSummary): string {
  return `${JSON.stringify(s)}\n`;
}
