import type { SecurityPolicy } from '../policy/security-policy.js';
import { compileHostMatcher, type HostMatcher } from '../policy/host-matcher.js';
import { effectivePiiTypes } from '../policy/derived.js';
import type { PiiType } from '../policy/pii-types.js';
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
import { redactBody } from './pii/redact-body.js';
import { rehydrateBody } from './pii/rehydrator-stream.js';
import { findInvisibleText } from './invisible/invisible-text.js';

/** One thing a content stage did or saw. Types, counts, scores and rule indexes; never matched values. */
export type ContentFinding =
  | { stage: 'transform'; rules: readonly FiredRule[] }
  | { stage: 'pii'; action: 'redact' | 'block' | 'log_only'; types: Array<{ type: PiiType; count: number }> }
  | { stage: 'pii_not_scanned'; reason: string }
  | { stage: 'injection'; score: number; threshold: number; action: 'block' | 'log'; signals: string[] }
  | { stage: 'invisible_text'; action: 'strip' | 'block' | 'log_only'; count: number }
  | { stage: 'rehydrate'; changed: boolean };

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
 * @example
 * const pipeline = new ContentPipeline(policy, { scanner: createPiiScanner(), injectionScorer: createInjectionScorer(), session: new PiiSession() });
 * const out = pipeline.outbound(Buffer.from('SSN 123-45-6789'), { contentType: 'text/plain' });
 */
export class ContentPipeline {
  readonly transform: TransformEngine;
  private readonly piiTypes: ReadonlySet<PiiType>;
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

  /** Request body: transformations, then PII. */
  outbound(body: Buffer, ctx: BodyContext = {}): ContentResult {
    const p = this.policy.json;
    const findings: ContentFinding[] = [];
    let output = body;
    const t = this.transform.applyToBuffer(output, 'outbound');
    if (t.fired.length) findings.push({ stage: 'transform', rules: t.fired });
    output = t.output;
    if (p.pii.enabled && scoped(this.piiHosts, ctx.host)) {
      const r = redactBody(output, ctx.contentType, {
        scanner: this.engines.scanner,
        types: this.piiTypes,
        action: p.pii.action,
        session: this.engines.session,
      });
      if (!r.scanned) findings.push({ stage: 'pii_not_scanned', reason: r.notScannedReason ?? 'not text' });
      if (r.findings.length) findings.push({ stage: 'pii', action: p.pii.action, types: r.findings });
      if (r.blocked) {
        const error = Object.assign(new PiiBlockedError(r.findings.map((f) => f.type)), { stage: 'pii' });
        return { output: body, blocked: error, findings };
      }
      output = r.body;
    }
    return { output, findings };
  }

  /** Response body: injection, invisible text, transformations, then rehydration. */
  inbound(body: Buffer, ctx: BodyContext = {}): ContentResult {
    const p = this.policy.json;
    const findings: ContentFinding[] = [];
    let output = body;
    const inj = p.injection_defense;
    if (inj.enabled && scoped(this.injectionHosts, ctx.host)) {
      const r = this.engines.injectionScorer.score(output, ctx.contentType);
      if (r.score >= inj.threshold) {
        const signals = r.signals.map((s) => s.id);
        findings.push({
          stage: 'injection',
          score: r.score,
          threshold: inj.threshold,
          action: inj.action,
          signals,
        });
        if (inj.action === 'block') {
          const error = Object.assign(new InjectionBlockedError(r.score, inj.threshold, signals), {
            stage: 'injection',
          });
          return { output: body, blocked: error, findings };
        }
      }
    }
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
