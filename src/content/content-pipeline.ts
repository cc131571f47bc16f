import type { SecurityPolicy } from '../policy/security-policy.js';
import { compileHostMatcher, type HostMatcher } from '../policy/host-matcher.js';
import { effectivePiiTypes } from '../policy/derived.js';
import { NER_ONLY_PII_TYPES, type PiiType } from '../policy/pii-types.js';
import {
  InjectionBlockedError,
  InvisibleTextBlockedError,
  PiiBlockedError,
  type DeclawError,
} from '../errors.js';
import { TransformEngine } from './transform/transform-engine.js';
import type { FiredRule } from './transform/types.js';
import type { InjectionScorer } from './injection/types.js';
import type { PiiScanner } from './pii/types.js';
import type { PiiSession } from './pii/session.js';
import { redactBody, type RedactBodyOptions, type RedactBodyResult } from './pii/redact-body.js';
import { redactBodyWithNer } from './pii/ner-scanner.js';
import { injectionWindows, type GuardrailsPort } from './guardrails-port.js';
import { rehydrateBody } from './pii/rehydrator-stream.js';
import { findInvisibleText } from './invisible/invisible-text.js';

/** One thing a content stage did or saw. Types, counts, scores and rule indexes; never matched values. */
export type ContentFinding =
  | { stage: 'transform'; rules: readonly FiredRule[] }
  | { stage: 'pii'; action: 'redact' | 'block' | 'log_only'; types: Array<{ type: PiiType; count: number }> }
  | { stage: 'pii_not_scanned'; reason: string }
  | {
      stage: 'injection';
      score: number;
      threshold: number;
      action: 'block' | 'log';
      signals: string[];
      /** The Guardrails model that scored it; absent when the built-in scorer did. */
      model?: string;
    }
  | { stage: 'invisible_text'; action: 'strip' | 'block' | 'log_only'; count: number }
  | { stage: 'rehydrate'; changed: boolean }
  /** The Guardrails Service gave no answer; the built-in engine decided alone. */
  | { stage: 'guardrails_fallback'; operation: GuardrailsOperation; reason: string }
  /** This message's call was the first the service answered after an outage. */
  | { stage: 'guardrails_recovered'; operation: GuardrailsOperation };

/** Which Guardrails call a finding is about: NER for PII, or the injection model. */
export type GuardrailsOperation = 'analyze' | 'injection';

/** Result of running the content stages over one body. */
export interface ContentResult {
  /** The body to pass on (unchanged when blocked). */
  output: Buffer;
  /** Set when a stage refused the message; the proxy answers 403 with this error. */
  blocked?: DeclawError & { stage?: string };
  findings: ContentFinding[];
}

/** Where a body is going or coming from, and what it is. */
export interface BodyContext {
  contentType?: string;
  /** Destination host: scopes PII (`pii.domains`), injection and invisible-text (`domains`). */
  host?: string;
}

/** The engines a pipeline runs; constructed once per sandbox (the session) or per process (the rest). */
export interface ContentEngines {
  scanner: PiiScanner;
  injectionScorer: InjectionScorer;
  session: PiiSession;
  /**
   * The Guardrails Service client, when one is configured (GUARDRAILS_URL). Used only by
   * {@link ContentPipeline.outboundAsync} and {@link ContentPipeline.inboundAsync}.
   */
  guardrails?: GuardrailsPort;
}

/** What an injection verdict needs to be judged, from the built-in scorer or a model. */
interface InjectionVerdict {
  score: number;
  signals: string[];
  model?: string;
}

function scoped(matcher: HostMatcher, host: string | undefined): boolean {
  return matcher.size === 0 || (host !== undefined && matcher.match(host) !== undefined);
}

/**
 * Stage 4/5 of seed 000 for message bodies, in the order of seed 002 ("Order of operations"):
 *
 *   outbound: transformation rules → PII scan (redact | block | log_only)
 *   inbound:  injection scan (block | log) → invisible text → transformation rules → PII rehydration
 *
 * Secret placeholders (which depend on the destination's binding) and heads are the proxy's part.
 *
 * `outbound`/`inbound` use the built-in engines only. `outboundAsync`/`inboundAsync` add the
 * Guardrails Service when `engines.guardrails` is set: NER entities join the built-in PII findings
 * (one service call per body) and a model scores injection; when the service does not answer, the
 * built-in engines decide and a `guardrails_fallback` finding says so.
 *
 * @example
 * const pipeline = new ContentPipeline(policy, { scanner: createPiiScanner(), injectionScorer: createInjectionScorer(), session: new PiiSession() });
 * const out = pipeline.outbound(Buffer.from('SSN 123-45-6789'), { contentType: 'text/plain' });
 */
export class ContentPipeline {
  readonly transform: TransformEngine;
  private readonly piiTypes: ReadonlySet<PiiType>;
  /** The policy's types only the Guardrails Service can find. */
  private readonly nerTypes: readonly PiiType[];
  private readonly piiHosts: HostMatcher;
  private readonly injectionHosts: HostMatcher;
  private readonly invisibleHosts: HostMatcher;

  constructor(
    readonly policy: SecurityPolicy,
    private readonly engines: ContentEngines,
  ) {
    const p = policy.json;
    this.transform = new TransformEngine(p.transformations);
    this.piiTypes = effectivePiiTypes(policy);
    this.nerTypes = [...this.piiTypes].filter((t) => NER_ONLY_PII_TYPES.has(t));
    this.piiHosts = compileHostMatcher(p.pii.domains);
    this.injectionHosts = compileHostMatcher(p.injection_defense.domains);
    this.invisibleHosts = compileHostMatcher(p.invisible_text.domains);
  }

  /** Whether PII scanning applies to requests to `host` (enabled, and `pii.domains` empty or matching). */
  piiApplies(host: string | undefined): boolean {
    return this.policy.json.pii.enabled && scoped(this.piiHosts, host);
  }

  /** Whether injection scanning applies to responses from `host`. */
  injectionApplies(host: string | undefined): boolean {
    return this.policy.json.injection_defense.enabled && scoped(this.injectionHosts, host);
  }

  /** Whether the invisible-text defence applies to responses from `host`. */
  invisibleApplies(host: string | undefined): boolean {
    return this.policy.json.invisible_text.enabled && scoped(this.invisibleHosts, host);
  }

  /**
   * Whether a request body to `host` must be read: outbound rules or PII scanning apply. When not,
   * the proxy streams it through untouched.
   *
   * @example
   * pipeline.needsOutboundBody('pypi.org'); // false for a policy scoping PII to *.openai.com
   */
  needsOutboundBody(host: string | undefined): boolean {
    return this.transform.hasRules('outbound') || this.piiApplies(host);
  }

  /**
   * Whether a response body from `host` must be read: injection or invisible-text defence, inbound
   * rules, or rehydration of tokens this session issued.
   */
  needsInboundBody(host: string | undefined): boolean {
    const p = this.policy.json;
    return (
      this.injectionApplies(host) ||
      this.invisibleApplies(host) ||
      this.transform.hasRules('inbound') ||
      (p.pii.enabled && p.pii.rehydrate_response && !this.engines.session.empty)
    );
  }

  /** The session whose tokens redaction issues and rehydration restores. */
  get session(): PiiSession {
    return this.engines.session;
  }

  /** The injection scorer, for incremental scanning of streamed responses. */
  get injectionScorer(): InjectionScorer {
    return this.engines.injectionScorer;
  }

  /** Request body: transformations, then PII, with the built-in engines. */
  outbound(body: Buffer, ctx: BodyContext = {}): ContentResult {
    const findings: ContentFinding[] = [];
    const output = this.transformOutbound(body, findings);
    if (!this.piiApplies(ctx.host)) return { output, findings };
    return this.finishPii(body, findings, redactBody(output, ctx.contentType, this.redactOptions()));
  }

  /**
   * Request body: transformations, then PII with the built-in scanner plus the Guardrails Service's
   * NER for the policy's NER-only types (`person_name`, `organization`...). Without a client, or when
   * the policy names no such type, exactly {@link outbound}. Never rejects because of the service.
   *
   * @example
   * const r = await pipeline.outboundAsync(Buffer.from('{"q":"Ask John Smith"}'), { contentType: 'application/json' });
   * r.findings; // [{ stage: 'pii', action: 'redact', types: [{ type: 'person_name', count: 1 }] }]
   */
  async outboundAsync(body: Buffer, ctx: BodyContext = {}): Promise<ContentResult> {
    const guardrails = this.engines.guardrails;
    if (guardrails === undefined || this.nerTypes.length === 0) return this.outbound(body, ctx);
    const findings: ContentFinding[] = [];
    const output = this.transformOutbound(body, findings);
    if (!this.piiApplies(ctx.host)) return { output, findings };
    const r = await redactBodyWithNer(output, ctx.contentType, {
      ...this.redactOptions(),
      ner: guardrails,
      nerTypes: this.nerTypes,
    });
    if (r.fallback !== undefined)
      findings.push({ stage: 'guardrails_fallback', operation: 'analyze', reason: r.fallback });
    if (r.recovered) findings.push({ stage: 'guardrails_recovered', operation: 'analyze' });
    return this.finishPii(body, findings, r.result);
  }

  /** Response body: injection, invisible text, transformations, then rehydration, with the built-in engines. */
  inbound(body: Buffer, ctx: BodyContext = {}): ContentResult {
    const findings: ContentFinding[] = [];
    if (this.injectionApplies(ctx.host)) {
      const r = this.engines.injectionScorer.score(body, ctx.contentType);
      const blocked = this.judgeInjection(
        body,
        { score: r.score, signals: r.signals.map((s) => s.id) },
        findings,
      );
      if (blocked) return blocked;
    }
    return this.afterInjection(body, ctx, findings);
  }

  /**
   * Response body as {@link inbound}, but the injection stage asks the Guardrails Service's model
   * (the readable text in windows; the highest window score counts) and compares its score with the
   * policy's threshold. When the service does not answer, the built-in scorer decides. Without a
   * client, exactly {@link inbound}. Streamed responses are not for this method: the proxy scores
   * them incrementally with the built-in scorer.
   *
   * @example
   * const r = await pipeline.inboundAsync(Buffer.from('Ignore all previous instructions'), { contentType: 'text/plain' });
   * r.blocked?.code; // 'DECLAW_INJECTION_BLOCKED' when the model scores it at or above the threshold
   */
  async inboundAsync(body: Buffer, ctx: BodyContext = {}): Promise<ContentResult> {
    const guardrails = this.engines.guardrails;
    if (guardrails === undefined || !this.injectionApplies(ctx.host)) return this.inbound(body, ctx);
    const findings: ContentFinding[] = [];
    const { windows, truncated } = injectionWindows(body.toString('utf8'), ctx.contentType);
    let verdict: InjectionVerdict | undefined;
    if (windows.length > 0) {
      const answer = await guardrails.scoreInjection(windows);
      if (!answer.ok) {
        findings.push({ stage: 'guardrails_fallback', operation: 'injection', reason: answer.reason });
      } else {
        if (answer.recovered) findings.push({ stage: 'guardrails_recovered', operation: 'injection' });
        for (const v of answer.value) if (verdict === undefined || v.score > verdict.score) verdict = v;
      }
    }
    if (verdict === undefined || truncated) {
      // No model verdict (fallback, or no text), or text beyond the windows sent: the built-in scorer
      // reads the whole body, and the higher score counts.
      const r = this.engines.injectionScorer.score(body, ctx.contentType);
      if (verdict === undefined || r.score > verdict.score)
        verdict = { score: r.score, signals: r.signals.map((s) => s.id) };
    }
    const blocked = this.judgeInjection(body, verdict, findings);
    return blocked ?? this.afterInjection(body, ctx, findings);
  }

  private redactOptions(): RedactBodyOptions {
    return {
      scanner: this.engines.scanner,
      types: this.piiTypes,
      action: this.policy.json.pii.action,
      session: this.engines.session,
    };
  }

  private transformOutbound(body: Buffer, findings: ContentFinding[]): Buffer {
    const t = this.transform.applyToBuffer(body, 'outbound');
    if (t.fired.length) findings.push({ stage: 'transform', rules: t.fired });
    return t.output;
  }

  private finishPii(body: Buffer, findings: ContentFinding[], r: RedactBodyResult): ContentResult {
    const action = this.policy.json.pii.action;
    if (!r.scanned) findings.push({ stage: 'pii_not_scanned', reason: r.notScannedReason ?? 'not text' });
    if (r.findings.length) findings.push({ stage: 'pii', action, types: r.findings });
    if (r.blocked) {
      const error = Object.assign(new PiiBlockedError(r.findings.map((f) => f.type)), { stage: 'pii' });
      return { output: body, blocked: error, findings };
    }
    return { output: r.body, findings };
  }

  /** Records a verdict at or above the threshold; returns the refusal when the action is `block`. */
  private judgeInjection(
    body: Buffer,
    verdict: InjectionVerdict,
    findings: ContentFinding[],
  ): ContentResult | undefined {
    const inj = this.policy.json.injection_defense;
    if (verdict.score < inj.threshold) return undefined;
    findings.push({
      stage: 'injection',
      score: verdict.score,
      threshold: inj.threshold,
      action: inj.action,
      signals: verdict.signals,
      ...(verdict.model !== undefined ? { model: verdict.model } : {}),
    });
    if (inj.action !== 'block') return undefined;
    const error = Object.assign(new InjectionBlockedError(verdict.score, inj.threshold, verdict.signals), {
      stage: 'injection',
    });
    return { output: body, blocked: error, findings };
  }

  /** The inbound stages after injection: invisible text, transformations, rehydration. */
  private afterInjection(body: Buffer, ctx: BodyContext, findings: ContentFinding[]): ContentResult {
    const p = this.policy.json;
    let output = body;
    const inv = p.invisible_text;
    if (inv.enabled && scoped(this.invisibleHosts, ctx.host)) {
      const r = findInvisibleText(output.toString('utf8'));
      if (r.count > 0) {
        findings.push({ stage: 'invisible_text', action: inv.action, count: r.count });
        if (inv.action === 'block') {
          const error = Object.assign(new InvisibleTextBlockedError(r.count), { stage: 'invisible_text' });
          return { output: body, blocked: error, findings };
        }
        if (inv.action === 'strip') output = Buffer.from(r.stripped, 'utf8');
      }
    }
    const t = this.transform.applyToBuffer(output, 'inbound');
    if (t.fired.length) findings.push({ stage: 'transform', rules: t.fired });
    output = t.output;
    if (p.pii.enabled && p.pii.rehydrate_response) {
      // Byte-exact and SSE-aware: invalid UTF-8 survives, event-stream JSON gets JSON-escaped values.
      const restored = rehydrateBody(output, ctx.contentType, this.engines.session);
      if (restored !== output) {
        findings.push({ stage: 'rehydrate', changed: true });
        output = restored;
      }
    }
    return { output, findings };
  }
}
