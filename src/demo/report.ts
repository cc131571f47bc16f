/**
 * How the demo shows its result: a concise coloured account for people (what the agent sent, what the
 * upstream got, what the agent got back; the denied domain; the blocked injection; the audit log; the
 * claims), or one JSON document for scripts. The real secret is never printed, only a fingerprint.
 */
import type { AuditEntry } from '../audit/entry.js';
import { DENIED_DOMAIN } from './agent-script.js';
import { fingerprint, type Claim } from './claims.js';
import type { AgentStep, DemoEvidence } from './run-demo.js';

/** Colours on or off (off when not a terminal, or when NO_COLOR is set). */
export interface Style {
  color: boolean;
}

const PII_VALUE = /\b\d{3}-\d{2}-\d{4}\b|[\w.+-]+@[\w-]+\.[\w.]+|\b(?:\d{4} ){3}\d{4}\b/g;
const TOKEN = /\[[A-Z_]+_[0-9a-f]{6}\]|\[CODENAME\]/g;

function painter(style: Style) {
  const wrap = (code: string) => (s: string) => (style.color ? `\x1b[${code}m${s}\x1b[0m` : s);
  return {
    bold: wrap('1'),
    dim: wrap('2'),
    red: wrap('31'),
    green: wrap('32'),
    yellow: wrap('33'),
    cyan: wrap('36'),
  };
}

/**
 * Whether to colour: a terminal, and NO_COLOR unset or empty (https://no-color.org).
 *
 * @example
 * wantColor(io.isTTY); // false when piped or with NO_COLOR=1
 */
export function wantColor(isTTY: boolean, env: NodeJS.ProcessEnv = process.env): boolean {
  return isTTY && !env.NO_COLOR;
}

/** The user message of a chat request, or undefined when the body is not one. */
function promptOf(body: string): string | undefined {
  try {
    const content = (JSON.parse(body) as { messages?: Array<{ content?: unknown }> }).messages?.[0]?.content;
    return typeof content === 'string' ? content : undefined;
  } catch {
    return undefined;
  }
}

function stepOf(e: DemoEvidence, name: string): AgentStep | undefined {
  return e.agent.steps.find((s) => s.step === name);
}

function hideKey(e: DemoEvidence, text: string): string {
  return text.split(e.realKey).join(fingerprint(e.realKey));
}

function auditLine(a: AuditEntry, p: ReturnType<typeof painter>): string {
  const time = a.timestamp.slice(11, 23);
  const what = [a.host, a.method && `${a.method} ${a.path}`].filter(Boolean).join(' ');
  const d = a.details;
  const extra =
    a.type === 'pii'
      ? (d.types as Array<{ type: string; count: number }>).map((t) => `${t.type}×${t.count}`).join(' ')
      : a.type === 'injection_detected'
        ? `score ${String(d.score)} signals ${(d.signals as string[]).join(',')}`
        : a.type === 'secret_injected'
          ? `keys ${(d.keys as string[]).join(',')}`
          : a.type === 'dns_query'
            ? `${String(d.action)} ${a.reason ?? ''}`
            : [a.reason, a.rule].filter(Boolean).join(' ');
  const blocked = a.status_code >= 400 || d.action === 'deny';
  const type = a.type.padEnd(18);
  return `   ${p.dim(time)}  ${blocked ? p.red(type) : p.cyan(type)} ${what.padEnd(48)} ${p.dim(extra)}`;
}

/**
 * The human-readable report.
 *
 * @example
 * io.stdout(renderText(evidence, judgeClaims(evidence), { color: wantColor(io.isTTY) }));
 */
export function renderText(e: DemoEvidence, claims: readonly Claim[], style: Style): string {
  const p = painter(style);
  const hlPii = (s: string) => s.replace(PII_VALUE, (m) => p.yellow(m));
  const hlTok = (s: string) => s.replace(TOKEN, (m) => p.green(m));
  const out: string[] = [];
  const row = (label: string, value: string) => out.push(`   ${p.dim(label.padEnd(16))} ${value}`);
  const chat = stepOf(e, 'chat');
  const upstream = e.upstream.find((r) => r.path === '/v1/chat/completions');
  out.push(p.bold('1. The agent sends a customer record and its API key to api.openai.com'));
  row('agent sent', hlPii(String(chat?.sent ?? '(no chat step)')));
  const sentContent = upstream ? (promptOf(upstream.body) ?? upstream.body) : '(nothing arrived)';
  row('upstream got', hlTok(hlPii(sentContent)));
  row('agent got back', hlPii(String(chat?.reply ?? '')));
  row(
    'API key',
    `agent held ${p.green('a placeholder')}${chat?.key_is_placeholder === true ? '' : p.red(' (NOT a placeholder)')}; upstream got ${upstream ? hideKey(e, upstream.authorization) : '-'} ${p.dim('(bound host only)')}`,
  );
  out.push('');
  out.push(p.bold(`2. The agent tries ${DENIED_DOMAIN}, which the policy does not allow`));
  const dnsDeny = e.audit.find((a) => a.type === 'dns_query' && a.host === DENIED_DOMAIN);
  const egress = e.audit.find((a) => a.type === 'egress_blocked' && a.host === DENIED_DOMAIN);
  row(
    'by name',
    `${p.red('refused')} ${p.dim(String(stepOf(e, 'denied_name')?.error ?? ''))} ${dnsDeny ? p.dim(`(DNS: ${dnsDeny.reason ?? ''})`) : ''}`,
  );
  row(
    'by address',
    `${p.red('refused')} ${p.dim(String(stepOf(e, 'denied_address')?.error ?? ''))} ${egress ? p.dim(`(proxy: ${egress.reason ?? ''} ${egress.rule ?? ''})`) : ''}`,
  );
  out.push('');
  out.push(p.bold('3. The agent fetches a document carrying a prompt injection'));
  const inj = e.audit.find((a) => a.type === 'injection_detected');
  const injStep = stepOf(e, 'injection');
  row(
    'agent got',
    `${injStep?.status === 403 ? p.red('403 blocked') : String(injStep?.status)} ${inj ? `score ${String(inj.details.score)} ≥ ${String(inj.details.threshold)}, signals ${(inj.details.signals as string[]).join(', ')}` : ''}`,
  );
  out.push('');
  out.push(p.bold(`4. The audit log of the run (${e.audit.length} entries, sandbox ${e.sandboxId})`));
  for (const a of e.audit) out.push(auditLine(a, p));
  out.push('');
  const ok = claims.every((c) => c.held);
  out.push(p.bold('Claims'));
  for (const c of claims) {
    out.push(
      `   ${c.held ? p.green('✓') : p.red('✗')} ${c.title}${c.failure ? `\n       ${p.red(c.failure)}` : ''}`,
    );
  }
  if (!ok && e.agent.exitCode !== 0) {
    out.push(`   ${p.dim(`the agent exited with ${e.agent.exitCode}; its last error output:`)}`);
    for (const l of e.agent.stderr.trimEnd().split('\n').slice(-8)) out.push(`     ${p.dim(hideKey(e, l))}`);
  }
  out.push('');
  out.push(
    ok
      ? p.green(p.bold('Every claim held.'))
      : p.red(p.bold(`${claims.filter((c) => !c.held).length} claim(s) failed.`)),
  );
  return `${out.join('\n')}\n`;
}

/**
 * The machine-readable report: `ok`, each claim with its evidence, and the raw evidence (the secret
 * replaced by its fingerprint).
 *
 * @example
 * const report = JSON.parse(renderJson(evidence, claims)); report.claims[0].held;
 */
export function renderJson(e: DemoEvidence, claims: readonly Claim[]): string {
  const report = {
    ok: claims.every((c) => c.held),
    claims,
    sandbox_id: e.sandboxId,
    secret_fingerprint: fingerprint(e.realKey),
    agent: { exit_code: e.agent.exitCode, steps: e.agent.steps, stderr: e.agent.stderr },
    upstream: e.upstream,
    audit: e.audit,
  };
  return `${hideKey(e, JSON.stringify(report, null, 2))}\n`;
}
