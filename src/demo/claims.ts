/**
 * What the demo claims, judged from its evidence alone. Each claim says what should hold, whether it
 * did, and the evidence it was judged on, so a failed run says exactly which promise broke.
 */
import type { AuditEntry } from '../audit/entry.js';
import { CODENAME, DENIED_DOMAIN, RAW_PII } from './agent-script.js';
import { INJECTION_TEXT, POISONED_PATH } from './fake-llm.js';
import type { AgentStep, DemoEvidence } from './run-demo.js';

/** Stable ids of the claims, in the order they are shown. */
export type ClaimId =
  | 'upstream_saw_no_raw_pii'
  | 'agent_got_originals'
  | 'secret_only_upstream'
  | 'transformation_applied'
  | 'denied_domain_blocked'
  | 'injection_blocked'
  | 'audit_recorded';

/** One judged claim. */
export interface Claim {
  id: ClaimId;
  /** What should hold, in one sentence. */
  title: string;
  held: boolean;
  /** Why it failed, when it did. */
  failure?: string;
  evidence: Record<string, unknown>;
}

/** The audit event types a complete run records. */
export const EXPECTED_AUDIT_TYPES = [
  'vm_created',
  'dns_query',
  'egress_allowed',
  'transform_applied',
  'pii',
  'secret_injected',
  'egress_blocked',
  'injection_detected',
  'vm_killed',
] as const;

const TOKEN = /\[(SSN|EMAIL|CREDIT_CARD|PHONE_NUMBER)_[0-9a-f]{6}\]/g;

function step(e: DemoEvidence, name: string): AgentStep | undefined {
  return e.agent.steps.find((s) => s.step === name);
}

function claim(id: ClaimId, title: string, problems: string[], evidence: Record<string, unknown>): Claim {
  return problems.length === 0
    ? { id, title, held: true, evidence }
    : { id, title, held: false, failure: problems.join('; '), evidence };
}

/**
 * A short fingerprint of the secret: enough to recognise it, never the value.
 *
 * @example
 * fingerprint('sk-demo-0123456789abcdefghij'); // 'sk-demo-…ij'
 */
export function fingerprint(secret: string): string {
  return secret.length <= 12 ? '****' : `${secret.slice(0, 8)}…${secret.slice(-2)}`;
}

function chatRequest(e: DemoEvidence) {
  return e.upstream.find((r) => r.method === 'POST' && r.path === '/v1/chat/completions');
}

function upstreamClaim(e: DemoEvidence): Claim {
  const req = chatRequest(e);
  const problems: string[] = [];
  if (!req) problems.push('the fake api.openai.com never received the chat request');
  const leaked = Object.entries(RAW_PII).filter(([, v]) => e.upstream.some((r) => r.body.includes(v)));
  if (leaked.length > 0) problems.push(`raw ${leaked.map(([k]) => k).join(', ')} reached the upstream`);
  const tokens = req?.body.match(TOKEN) ?? [];
  if (req && tokens.length < Object.keys(RAW_PII).length)
    problems.push(`expected a token per PII value, saw ${tokens.length}`);
  return claim('upstream_saw_no_raw_pii', 'The LLM host saw tokens, never the raw PII', problems, {
    upstream_body: req?.body ?? null,
    tokens,
  });
}

function agentClaim(e: DemoEvidence): Claim {
  const chat = step(e, 'chat');
  const reply = typeof chat?.reply === 'string' ? chat.reply : '';
  const problems: string[] = [];
  if (!chat) problems.push('the agent did not report its chat call');
  else if (chat.status !== 200) problems.push(`the chat call answered ${String(chat.status)}`);
  const missing = Object.entries(RAW_PII).filter(([, v]) => !reply.includes(v));
  if (chat && missing.length > 0)
    problems.push(`the reply lacks the original ${missing.map(([k]) => k).join(', ')}`);
  if (new RegExp(TOKEN.source).test(reply)) problems.push('a redaction token reached the agent');
  return claim('agent_got_originals', 'The agent got its original values back (rehydrated)', problems, {
    agent_sent: chat?.sent ?? null,
    agent_got: reply,
  });
}

function secretClaim(e: DemoEvidence): Claim {
  const chat = step(e, 'chat');
  const auths = e.upstream.filter((r) => r.host === 'api.openai.com').map((r) => r.authorization);
  const problems: string[] = [];
  if (chat?.key_is_placeholder !== true) problems.push('the agent held something other than a placeholder');
  if (e.agent.stdout.includes(e.realKey) || e.agent.stderr.includes(e.realKey))
    problems.push('the real key reached the agent');
  if (auths.length === 0 || !auths.every((a) => a === `Bearer ${e.realKey}`)) {
    problems.push('the bound host did not get the real key on every request');
  }
  return claim(
    'secret_only_upstream',
    'OPENAI_API_KEY: the agent held a placeholder, only api.openai.com got the key',
    problems,
    {
      agent_key_is_placeholder: chat?.key_is_placeholder ?? null,
      upstream_authorization: auths.map((a) => a.replace(e.realKey, fingerprint(e.realKey))),
    },
  );
}

function transformClaim(e: DemoEvidence, audit: AuditEntry[]): Claim {
  const body = chatRequest(e)?.body ?? '';
  const problems: string[] = [];
  if (body.includes(CODENAME)) problems.push(`"${CODENAME}" reached the upstream`);
  if (!body.includes('Project [CODENAME]'))
    problems.push('the rewritten code name is not in the upstream body');
  const fired = audit.filter((a) => a.type === 'transform_applied');
  if (fired.length === 0) problems.push('no transform_applied audit entry');
  return claim(
    'transformation_applied',
    `The transformation rule rewrote "${CODENAME}" on the way out`,
    problems,
    {
      audit: fired.map((a) => ({ direction: a.direction, rules: a.details.rules })),
    },
  );
}

function deniedClaim(e: DemoEvidence, audit: AuditEntry[]): Claim {
  const byName = step(e, 'denied_name');
  const byAddress = step(e, 'denied_address');
  const problems: string[] = [];
  if (!byName || byName.reached !== false) problems.push(`the agent reached ${DENIED_DOMAIN} by name`);
  if (!byAddress || byAddress.reached !== false)
    problems.push(`the agent reached ${DENIED_DOMAIN} by address`);
  if (e.upstream.some((r) => r.host === DENIED_DOMAIN))
    problems.push(`a request to ${DENIED_DOMAIN} arrived upstream`);
  const dns = audit.filter(
    (a) => a.type === 'dns_query' && a.host === DENIED_DOMAIN && a.details.action === 'deny',
  );
  const blocked = audit.filter((a) => a.type === 'egress_blocked' && a.host === DENIED_DOMAIN);
  if (dns.length === 0) problems.push(`no dns_query deny for ${DENIED_DOMAIN} in the audit`);
  if (blocked.length === 0) problems.push(`no egress_blocked for ${DENIED_DOMAIN} in the audit`);
  return claim(
    'denied_domain_blocked',
    `${DENIED_DOMAIN} (not in allow_out) was unreachable, by name and by address`,
    problems,
    {
      by_name: byName?.error ?? null,
      by_address: byAddress?.error ?? null,
      audit: [...dns, ...blocked].map((a) => ({ type: a.type, reason: a.reason, rule: a.rule })),
    },
  );
}

function injectionClaim(e: DemoEvidence, audit: AuditEntry[]): Claim {
  const inj = step(e, 'injection');
  const body = typeof inj?.body === 'string' ? inj.body : '';
  let refusal: { stage?: string; score?: number; signals?: string[] } = {};
  try {
    refusal = (JSON.parse(body) as { error?: typeof refusal }).error ?? {};
  } catch {
    refusal = {};
  }
  const problems: string[] = [];
  if (!e.upstream.some((r) => r.path === POISONED_PATH))
    problems.push('the poisoned document was never fetched upstream');
  if (inj?.status !== 403 || refusal.stage !== 'injection')
    problems.push(`the agent got status ${String(inj?.status)}, not the injection refusal`);
  if (body.includes(INJECTION_TEXT.slice(0, 40)) || e.agent.stdout.includes(INJECTION_TEXT.slice(0, 40))) {
    problems.push('the injected text reached the agent');
  }
  const detected = audit.filter((a) => a.type === 'injection_detected' && a.details.action === 'block');
  if (detected.length === 0) problems.push('no injection_detected (block) audit entry');
  return claim(
    'injection_blocked',
    'The response carrying a prompt injection was blocked before the agent saw it',
    problems,
    {
      status: inj?.status ?? null,
      score: refusal.score ?? detected[0]?.details.score ?? null,
      threshold: detected[0]?.details.threshold ?? null,
      signals: refusal.signals ?? detected[0]?.details.signals ?? [],
    },
  );
}

function auditClaim(audit: AuditEntry[]): Claim {
  const types = new Set(audit.map((a) => a.type));
  const missing = EXPECTED_AUDIT_TYPES.filter((t) => !types.has(t));
  const problems = missing.length > 0 ? [`missing audit events: ${missing.join(', ')}`] : [];
  return claim('audit_recorded', 'The audit log recorded every decision of the run', problems, {
    entries: audit.length,
    types: [...types],
  });
}

/**
 * Judges every claim.
 *
 * @example
 * const claims = judgeClaims(await runDemo());
 * const ok = claims.every((c) => c.held);
 */
export function judgeClaims(e: DemoEvidence): Claim[] {
  return [
    upstreamClaim(e),
    agentClaim(e),
    secretClaim(e),
    transformClaim(e, e.audit),
    deniedClaim(e, e.audit),
    injectionClaim(e, e.audit),
    auditClaim(e.audit),
  ];
}
