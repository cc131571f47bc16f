/**
 * What `declaw run` prints after the command: a short account of what the security layer allowed,
 * blocked and changed during the run, built from the audit events of the proxy, the sandbox's DNS
 * responder and the sandbox runtime. Events carry names, counts, rules and reasons only (never bodies,
 * PII or secret values), so the summary cannot leak what the audit log does not hold either.
 */
import type { StoredEvent } from '../audit/runtime-events.js';

/** Hosts the command reached, with how many connections or requests went through. */
export interface AllowedHost {
  host: string;
  count: number;
}

/** Something refused, grouped by host, where (proxy or DNS) and why. */
export interface BlockedHost {
  host: string;
  /** `proxy` refused a connection or request; `dns` answered the name NXDOMAIN. */
  by: 'proxy' | 'dns';
  reason: string;
  rule?: string;
  count: number;
}

/** The machine-readable summary (`--json`); the text table shows the same facts. */
export interface RunSummary {
  sandbox_id?: string;
  exit_code: number;
  /** False when the policy turned auditing off: only lifecycle events exist, the rest is unknown. */
  audited: boolean;
  allowed: AllowedHost[];
  blocked: BlockedHost[];
  pii: Array<{ type: string; action: string; count: number }>;
  injections: Array<{ host: string; action: string; max_score: number; count: number }>;
  transformations: Array<{ direction: string; rule: number; count: number }>;
  secrets: Array<{ key: string; host: string; outcome: 'injected' | 'withheld' | 'masked'; count: number }>;
  not_scanned: Array<{ host: string; direction: string; reason: string; refused: boolean; count: number }>;
  tls_errors: Array<{ host: string; side: string; category: string; count: number }>;
}

/** Counts rows by a key, keeping the first row seen for each key. */
class Tally<T extends { count: number }> {
  readonly #rows = new Map<string, T>();
  add(key: string, make: () => T, by = 1, update?: (row: T) => void): void {
    let row = this.#rows.get(key);
    if (!row) {
      row = make();
      row.count = 0;
      this.#rows.set(key, row);
    }
    row.count += by;
    update?.(row);
  }
  rows(): T[] {
    return [...this.#rows.values()];
  }
}

/**
 * Summarises the events of one run.
 *
 * @example
 * const s = summarizeRun(audit.events, { exitCode: 0, audited: true });
 * s.allowed; // [{ host: 'api.openai.com', count: 2 }]
 */
export function summarizeRun(
  events: readonly StoredEvent[],
  o: { exitCode: number; audited: boolean; sandboxId?: string },
): RunSummary {
  const allowed = new Tally<AllowedHost>();
  const blocked = new Tally<BlockedHost>();
  const pii = new Tally<RunSummary['pii'][number]>();
  const injections = new Tally<RunSummary['injections'][number]>();
  const transforms = new Tally<RunSummary['transformations'][number]>();
  const secrets = new Tally<RunSummary['secrets'][number]>();
  const notScanned = new Tally<RunSummary['not_scanned'][number]>();
  const tls = new Tally<RunSummary['tls_errors'][number]>();
  let sandboxId = o.sandboxId;
  for (const e of events) {
    sandboxId ??= e.sandboxId;
    const host = 'host' in e && e.host ? e.host : '(no host)';
    switch (e.type) {
      case 'egress_allowed':
        allowed.add(host, () => ({ host, count: 0 }));
        break;
      case 'egress_blocked':
        blocked.add(`proxy ${host} ${e.reason} ${e.rule ?? ''}`, () => ({
          host,
          by: 'proxy',
          reason: e.reason,
          ...(e.rule ? { rule: e.rule } : {}),
          count: 0,
        }));
        break;
      case 'dns_query':
        if (e.outcome === 'blocked' || e.decision.action === 'deny') {
          const name = e.name.toLowerCase().replace(/\.$/, '');
          // A and AAAA for one name are one refusal as far as the user is concerned.
          blocked.add(
            `dns ${name} ${e.decision.reason} ${e.decision.rule ?? ''}`,
            () => ({
              host: name,
              by: 'dns',
              reason: e.decision.reason,
              ...(e.decision.rule ? { rule: e.decision.rule } : {}),
              count: 0,
            }),
            e.qtype === 'AAAA' ? 0 : 1,
          );
        }
        break;
      case 'pii':
        for (const t of e.types) {
          pii.add(`${t.type} ${e.action}`, () => ({ type: t.type, action: e.action, count: 0 }), t.count);
        }
        break;
      case 'injection_detected':
        injections.add(
          `${host} ${e.action}`,
          () => ({ host, action: e.action, max_score: e.score, count: 0 }),
          1,
          (r) => (r.max_score = Math.max(r.max_score, e.score)),
        );
        break;
      case 'transform_applied':
        for (const r of e.rules) {
          transforms.add(
            `${e.direction} ${r.rule}`,
            () => ({ direction: e.direction, rule: r.rule, count: 0 }),
            r.count,
          );
        }
        break;
      case 'secret_injected':
      case 'secret_withheld':
      case 'secret_masked': {
        const outcome = e.type.slice('secret_'.length) as 'injected' | 'withheld' | 'masked';
        for (const key of e.keys) {
          secrets.add(`${key} ${host} ${outcome}`, () => ({ key, host, outcome, count: 0 }));
        }
        break;
      }
      case 'content_not_scanned':
        notScanned.add(`${host} ${e.direction} ${e.reason} ${e.refused}`, () => ({
          host,
          direction: e.direction,
          reason: e.reason,
          refused: e.refused,
          count: 0,
        }));
        break;
      case 'tls_error':
        tls.add(`${host} ${e.side} ${e.category}`, () => ({
          host,
          side: e.side,
          category: e.category,
          count: 0,
        }));
        break;
      default:
        // Lifecycle events and invisible-text stripping are not part of the summary.
        break;
    }
  }
  const byCount = <T extends { count: number }>(rows: T[]) => rows.sort((a, b) => b.count - a.count);
  return {
    ...(sandboxId ? { sandbox_id: sandboxId } : {}),
    exit_code: o.exitCode,
    audited: o.audited,
    allowed: byCount(allowed.rows()),
    blocked: byCount(blocked.rows()),
    pii: byCount(pii.rows()),
    injections: injections.rows(),
    transformations: transforms.rows(),
    secrets: secrets.rows(),
    not_scanned: notScanned.rows(),
    tls_errors: tls.rows(),
  };
}
