/**
 * Prometheus metrics of the daemon (prom-client), in a registry of the daemon's own (no global
 * default registry): live sandboxes, proxy decisions, redactions by PII type, and the latency of
 * proxied requests when the proxy reports it.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { DaemonEvent } from './audit-log.js';

/**
 * @example
 * const metrics = new DaemonMetrics(() => manager.list().length);
 * log.subscribe((e) => metrics.observe(e));
 * res.end(await metrics.render());
 */
export class DaemonMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'decision' | 'reason'>;
  private readonly redactions: Counter<'type' | 'action'>;
  private readonly injections: Counter<'action'>;
  private readonly lifecycle: Counter<'event'>;
  private readonly latency: Histogram<'mode'>;
  private readonly responseBytes: Counter<'mode'>;
  private readonly upstreamTimeouts: Counter<'stage'>;
  private readonly guardrails: Counter<'event' | 'operation' | 'reason'>;
  readonly apiRequests: Counter<'method' | 'status'>;

  constructor(liveSandboxes: () => number, o: { processMetrics?: boolean } = {}) {
    const registers = [this.registry];
    new Gauge({
      name: 'declaw_sandboxes',
      help: 'Sandboxes alive now',
      registers,
      collect() {
        this.set(liveSandboxes());
      },
    });
    this.lifecycle = new Counter({
      name: 'declaw_sandbox_events_total',
      help: 'Sandboxes created and removed',
      labelNames: ['event'],
      registers,
    });
    this.requests = new Counter({
      name: 'declaw_proxy_requests_total',
      help: 'Proxy egress decisions: allowed or blocked, with the reason',
      labelNames: ['decision', 'reason'],
      registers,
    });
    this.redactions = new Counter({
      name: 'declaw_pii_findings_total',
      help: 'PII values found in request bodies, by type and the action taken (redact, block, log_only)',
      labelNames: ['type', 'action'],
      registers,
    });
    this.injections = new Counter({
      name: 'declaw_injections_detected_total',
      help: 'Responses scored as prompt injection, by action',
      labelNames: ['action'],
      registers,
    });
    this.latency = new Histogram({
      name: 'declaw_proxy_request_duration_seconds',
      help: 'Time the proxy took for a request, from events that carry durationMs',
      labelNames: ['mode'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.responseBytes = new Counter({
      name: 'declaw_proxy_response_bytes_total',
      help: 'Response body bytes the proxy delivered to sandboxes (after the inbound stages)',
      labelNames: ['mode'],
      registers,
    });
    this.upstreamTimeouts = new Counter({
      name: 'declaw_proxy_upstream_timeouts_total',
      help: 'Upstream servers the proxy stopped waiting for, by stage (connect, response_head, body_idle)',
      labelNames: ['stage'],
      registers,
    });
    this.guardrails = new Counter({
      name: 'declaw_guardrails_events_total',
      help: 'Guardrails Service calls that fell back to the built-in engines (event fallback, with the reason) and recoveries',
      labelNames: ['event', 'operation', 'reason'],
      registers,
    });
    this.apiRequests = new Counter({
      name: 'declaw_api_requests_total',
      help: 'REST API requests by method and status',
      labelNames: ['method', 'status'],
      registers,
    });
    if (o.processMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'declaw_' });
  }

  /** Count one event. */
  observe(e: DaemonEvent): void {
    switch (e.type) {
      case 'egress_allowed':
        this.requests.inc({ decision: 'allowed', reason: e.reason });
        break;
      case 'egress_blocked':
        this.requests.inc({ decision: 'blocked', reason: e.reason });
        break;
      case 'pii':
        for (const t of e.types) this.redactions.inc({ type: t.type, action: e.action }, t.count);
        if (e.action === 'block') this.requests.inc({ decision: 'blocked', reason: 'pii' });
        break;
      case 'injection_detected':
        this.injections.inc({ action: e.action });
        if (e.action === 'block') this.requests.inc({ decision: 'blocked', reason: 'injection' });
        break;
      case 'request_completed':
        this.responseBytes.inc({ mode: e.mode }, e.responseBytes);
        break;
      case 'upstream_timeout':
        this.upstreamTimeouts.inc({ stage: e.stage });
        break;
      case 'guardrails_fallback':
        this.guardrails.inc({ event: 'fallback', operation: e.operation, reason: e.reason });
        break;
      case 'guardrails_recovered':
        this.guardrails.inc({ event: 'recovered', operation: e.operation, reason: '' });
        break;
      case 'vm_created':
        this.lifecycle.inc({ event: 'created' });
        break;
      case 'vm_killed':
        this.lifecycle.inc({ event: e.reason });
        break;
      default:
        break;
    }
    // Events gain a duration when the proxy reports one (see docs/api.md); none is invented here.
    const d = (e as { durationMs?: unknown; mode?: unknown }).durationMs;
    if (typeof d === 'number' && Number.isFinite(d) && d >= 0) {
      const mode = (e as { mode?: unknown }).mode;
      this.latency.observe({ mode: typeof mode === 'string' ? mode : 'unknown' }, d / 1000);
    }
  }

  /** The exposition text and its content type. */
  async render(): Promise<{ text: string; contentType: string }> {
    return { text: await this.registry.metrics(), contentType: this.registry.contentType };
  }
}
