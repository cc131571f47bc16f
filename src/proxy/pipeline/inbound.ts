/**
 * Stage 4-5 on a whole response, in seed 002's order: injection scan (block | log) → invisible text →
 * transformation rules → PII rehydration (all by the content pipeline) → real secret values turned
 * back into placeholders, so a value the server echoes never reaches the sandbox.
 */
import type { DeclawError } from '../../errors.js';
import type { EventBody } from '../audit-recorder.js';
import type { ProxyRefusal, RefusingStage } from '../http/error-response.js';
import type { ProxySession } from '../session.js';
import { findingEvents, firedRules, mergeFired } from './findings.js';

/** A decoded response body and where it came from. */
export interface InboundMessage {
  host: string;
  body: Buffer;
  contentType?: string;
}

/** The body to deliver, or why not. */
export interface InboundResult {
  refusal?: ProxyRefusal;
  body: Buffer;
  events: EventBody[];
}

/**
 * Runs the inbound stages on one whole response body (injection scored by the Guardrails model when a
 * client is configured; streamed responses go through InboundStream and the built-in scorer instead).
 *
 * @example
 * const r = await processInbound(session, { host: 'api.openai.com', body, contentType: 'application/json' });
 * if (r.refusal) sendRefusal(res, r.refusal); else res.end(r.body);
 */
export async function processInbound(session: ProxySession, msg: InboundMessage): Promise<InboundResult> {
  const r = await session.content.inboundAsync(msg.body, { contentType: msg.contentType, host: msg.host });
  const events = findingEvents(r.findings, 'inbound');
  const rules = mergeFired(firedRules(r.findings));
  if (rules.length > 0) events.push({ type: 'transform_applied', direction: 'inbound', rules });
  if (r.blocked) return { refusal: refusalFor(r.blocked), body: msg.body, events };
  const masked = session.secrets.inbound(r.output);
  if (masked.masked.length > 0) events.push({ type: 'secret_masked', keys: masked.masked });
  return { body: masked.output, events };
}

/**
 * The 403 for a response a stage blocked: stage, code, and the error's own explanation.
 *
 * @example
 * refusalFor(Object.assign(new InjectionBlockedError(0.93, 0.8, ['override.ignore_previous']), { stage: 'injection' })).status; // 403
 */
export function refusalFor(error: DeclawError & { stage?: string }): ProxyRefusal {
  const details: Record<string, unknown> = {};
  const e = error as unknown as { score?: number; signals?: readonly string[] };
  if (typeof e.score === 'number') details.score = Number(e.score.toFixed(3));
  if (Array.isArray(e.signals)) details.signals = e.signals;
  return {
    status: 403,
    stage: (error.stage ?? 'injection') as RefusingStage,
    code: error.code,
    message: error.message,
    details,
  };
}
