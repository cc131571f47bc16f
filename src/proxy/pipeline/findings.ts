/**
 * Audit events from what the content stages found. Findings carry types, counts, scores and rule
 * indexes only, so the events do too.
 */
import type { ContentFinding } from '../../content/content-pipeline.js';
import type { FiredRule } from '../../content/transform/types.js';
import type { EventBody } from '../audit-recorder.js';

/**
 * Sums the counts of rules fired in several places (path, head, body) by rule index.
 *
 * @example
 * mergeFired([{ rule: 0, count: 1 }], [{ rule: 0, count: 2 }, { rule: 3, count: 1 }]);
 * // [{ rule: 0, count: 3 }, { rule: 3, count: 1 }]
 */
export function mergeFired(
  ...lists: ReadonlyArray<readonly FiredRule[]>
): Array<{ rule: number; count: number }> {
  const counts = new Map<number, number>();
  for (const list of lists) for (const f of list) counts.set(f.rule, (counts.get(f.rule) ?? 0) + f.count);
  return [...counts.entries()].sort((a, b) => a[0] - b[0]).map(([rule, count]) => ({ rule, count }));
}

/**
 * Events for the findings of one direction, except transformations (the caller merges those with the
 * rules fired on the head into one `transform_applied` event).
 *
 * @example
 * findingEvents([{ stage: 'pii', action: 'redact', types: [{ type: 'ssn', count: 1 }] }], 'outbound');
 * // [{ type: 'pii', action: 'redact', types: [{ type: 'ssn', count: 1 }] }]
 */
export function findingEvents(
  findings: readonly ContentFinding[],
  direction: 'outbound' | 'inbound',
  streamed = false,
): EventBody[] {
  const out: EventBody[] = [];
  for (const f of findings) {
    if (f.stage === 'pii') out.push({ type: 'pii', action: f.action, types: f.types });
    else if (f.stage === 'pii_not_scanned') {
      out.push({ type: 'content_not_scanned', direction, reason: f.reason, refused: false });
    } else if (f.stage === 'injection') {
      out.push({
        type: 'injection_detected',
        score: f.score,
        threshold: f.threshold,
        action: f.action,
        signals: f.signals,
        streamed,
        ...(f.model !== undefined ? { model: f.model } : {}),
      });
    } else if (f.stage === 'invisible_text') {
      out.push({ type: 'invisible_text', action: f.action, count: f.count });
    } else if (f.stage === 'guardrails_fallback') {
      out.push({ type: 'guardrails_fallback', direction, operation: f.operation, reason: f.reason });
    } else if (f.stage === 'guardrails_recovered') {
      out.push({ type: 'guardrails_recovered', direction, operation: f.operation });
    }
  }
  return out;
}

/**
 * The rules fired according to `findings`.
 *
 * @example
 * firedRules(result.findings); // [{ rule: 0, count: 2 }]
 */
export function firedRules(findings: readonly ContentFinding[]): FiredRule[] {
  return findings.flatMap((f) => (f.stage === 'transform' ? [...f.rules] : []));
}
