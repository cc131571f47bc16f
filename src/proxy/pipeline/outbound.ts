/**
 * Stage 4-5 on a request, in seed 002's order: transformation rules (request target, head and body)
 * → PII (redact | block | log_only, body only, as seed 001 says) → secret placeholders swapped for real
 * values, only toward the hosts each secret is bound to.
 */
import type { HeaderPair, FiredRule } from '../../content/transform/types.js';
import type { DeclawError } from '../../errors.js';
import type { EventBody } from '../audit-recorder.js';
import type { ProxyRefusal } from '../http/error-response.js';
import type { ProxySession } from '../session.js';
import { findingEvents, firedRules, mergeFired } from './findings.js';

/** A request as the pipeline sees it. */
export interface OutboundMessage {
  /** Destination host (what secrets' and PII's `domains` are matched against). */
  host: string;
  /** Origin-form request target. */
  target: string;
  /** End-to-end headers in wire order. */
  headers: HeaderPair[];
  /** Decoded body, when it had to be read; undefined when it streams through untouched. */
  body?: Buffer;
  contentType?: string;
}

/** The request to send on, or why it must not be sent. */
export interface OutboundResult {
  refusal?: ProxyRefusal;
  target: string;
  headers: HeaderPair[];
  body?: Buffer;
  /** Audit events (transformations, PII, secrets), in stage order. */
  events: EventBody[];
}

/** Whether a rewritten request target character must be percent-encoded (controls, space, non-ASCII). */
function unsafeInTarget(c: string): boolean {
  const code = c.charCodeAt(0);
  return code <= 0x20 || code >= 0x7f;
}

/**
 * Runs the outbound stages on one request. Pure apart from the PII session issuing tokens and the
 * optional Guardrails call (which never fails the request: the built-in engines decide instead).
 *
 * @example
 * const out = await processOutbound(session, { host: 'api.openai.com', target: '/v1/chat/completions', headers, body, contentType: 'application/json' });
 * if (out.refusal) sendRefusal(res, out.refusal);
 */
export async function processOutbound(session: ProxySession, msg: OutboundMessage): Promise<OutboundResult> {
  const { content, secrets } = session;
  const events: EventBody[] = [];
  let { target, headers, body } = msg;

  // 1. Transformation rules, on the request target and every header line, then (below) on the body.
  const fired: Array<readonly FiredRule[]> = [];
  let dropped: string[] = [];
  if (content.transform.hasRules('outbound')) {
    const t = content.transform.applyToText(target, 'outbound');
    if (t.fired.length > 0) {
      target = [...t.output].map((c) => (unsafeInTarget(c) ? encodeURIComponent(c) : c)).join('');
      fired.push(t.fired);
    }
    const h = content.transform.applyToHead(headers, 'outbound');
    if (h.fired.length > 0) fired.push(h.fired);
    headers = h.headers;
    dropped = [...h.dropped];
  }

  // 1-2. Body: transformations then PII, by the content pipeline.
  let blocked: (DeclawError & { stage?: string }) | undefined;
  if (body !== undefined) {
    // With a Guardrails client this awaits its NER (bounded by the client's deadline).
    const r = await content.outboundAsync(body, { contentType: msg.contentType, host: msg.host });
    fired.push(firedRules(r.findings));
    events.push(...findingEvents(r.findings, 'outbound'));
    body = r.output;
    blocked = r.blocked;
  }
  const rules = mergeFired(...fired);
  if (rules.length > 0) {
    events.unshift({
      type: 'transform_applied',
      direction: 'outbound',
      rules,
      ...(dropped.length > 0 ? { droppedHeaders: dropped } : {}),
    });
  }
  if (blocked) {
    const details: Record<string, unknown> = {};
    if ('types' in blocked) details.types = (blocked as { types: readonly string[] }).types;
    return {
      refusal: { status: 403, stage: 'pii', code: blocked.code, message: blocked.message, details },
      target,
      headers,
      body,
      events,
    };
  }

  // 3. Secrets: placeholders → values for bound hosts, anywhere in the request.
  if (!secrets.empty) {
    const injected = new Set<string>();
    const withheld = new Set<string>();
    const note = (r: { injected: string[]; withheld: string[] }): void => {
      for (const k of r.injected) injected.add(k);
      for (const k of r.withheld) withheld.add(k);
    };
    const t = secrets.outboundText(target, msg.host);
    note(t);
    target = t.output;
    headers = headers.map(([n, v]) => {
      const basic = swapInBasicAuth(n, v, (s) => {
        const r = secrets.outboundText(s, msg.host);
        note(r);
        return r.output;
      });
      if (basic !== undefined) return [n, basic];
      const r = secrets.outboundText(v, msg.host);
      note(r);
      return [n, r.output];
    });
    if (body !== undefined) {
      const r = secrets.outbound(body, msg.host);
      note(r);
      body = r.output;
    }
    if (injected.size > 0) events.push({ type: 'secret_injected', keys: [...injected] });
    if (withheld.size > 0) events.push({ type: 'secret_withheld', keys: [...withheld] });
  }
  return { target, headers, body, events };
}

/**
 * Basic credentials hide a placeholder in base64 (`user:declaw_secret_...`): decode, swap, encode.
 * Returns undefined when the header is not Basic authorization.
 */
function swapInBasicAuth(name: string, value: string, swap: (s: string) => string): string | undefined {
  const lower = name.toLowerCase();
  if (lower !== 'authorization' && lower !== 'proxy-authorization') return undefined;
  const m = /^(Basic\s+)([A-Za-z0-9+/=]+)\s*$/i.exec(value);
  if (!m) return undefined;
  const decoded = Buffer.from(m[2]!, 'base64').toString('latin1');
  const swapped = swap(decoded);
  return swapped === decoded ? value : `${m[1]}${Buffer.from(swapped, 'latin1').toString('base64')}`;
}
