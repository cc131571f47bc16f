/**
 * Turns decisions into audit events with their common fields filled in, respects the policy's
 * `audit.enabled`, mirrors each event as one concise log line, and hands every event (audited or
 * not) to the metrics sink.
 */
import type { AuditEvent, AuditEventBase } from '../audit/events.js';
import { redactedPath } from '../audit/events.js';
import type { AuditSink } from '../audit/sink.js';
import type { Logger } from '../logger.js';
import type { FlowContext } from './flow/flow-context.js';

/** An event without the fields the recorder fills in. */
export type EventBody = AuditEvent extends infer E
  ? E extends AuditEvent
    ? Omit<E, keyof AuditEventBase> & Partial<Pick<AuditEventBase, 'host' | 'port' | 'method' | 'path'>>
    : never
  : never;

/** Request details events about one HTTP message carry. */
export interface RequestInfo {
  host?: string;
  port?: number;
  method?: string;
  /** The request target as the client sent it; query values are removed before recording. */
  target?: string;
}

/** Options of {@link AuditRecorder}. */
export interface AuditRecorderOptions {
  /** Gets every event, whatever the session's `audit.enabled` says (aggregate metrics only). */
  metrics?: AuditSink;
  now?: () => Date;
}

/**
 * Records the events of a proxy.
 *
 * @example
 * const recorder = new AuditRecorder(sink, logger, { metrics: { record: (e) => metrics.observe(e) } });
 * recorder.record(flow, { type: 'secret_masked', keys: ['OPENAI_API_KEY'] }, { method: 'GET', target: '/v1/models' });
 */
export class AuditRecorder {
  private readonly metrics: AuditSink | undefined;
  private readonly now: () => Date;
  #lastTarget: string | undefined;
  #lastPath = '';

  constructor(
    private readonly sink: AuditSink,
    private readonly logger: Logger,
    options: AuditRecorderOptions = {},
  ) {
    this.metrics = options.metrics;
    this.now = options.now ?? (() => new Date());
  }

  /**
   * Records `body` for `flow`. Kept from the audit sink (but still logged, and still counted by the
   * metrics sink) when the session's policy turned auditing off.
   */
  record(flow: FlowContext, body: EventBody, request: RequestInfo = {}): void {
    const host = request.host ?? flow.host;
    const event = {
      time: this.now().toISOString(),
      sandboxId: flow.session.id,
      flowId: flow.flowId,
      ...(host !== undefined ? { host } : {}),
      port: request.port ?? flow.port,
      ...(request.method !== undefined ? { method: request.method } : {}),
      ...(request.target !== undefined ? { path: this.#path(request.target) } : {}),
      ...body,
    } as AuditEvent;
    if (event.host === undefined) delete event.host; // only when a body sets it so
    this.log(event);
    if (this.metrics) {
      try {
        this.metrics.record(event);
      } catch (err) {
        this.logger.warn('metrics sink failed; event not counted', { type: event.type, error: String(err) });
      }
    }
    if (!flow.session.audited) return;
    try {
      this.sink.record(event);
    } catch (err) {
      this.logger.warn('audit sink failed; event not stored', { type: event.type, error: String(err) });
    }
  }

  /** The recorded form of a request target; an exchange's events share one target, so the last is kept. */
  #path(target: string): string {
    if (target !== this.#lastTarget) {
      this.#lastTarget = target;
      this.#lastPath = redactedPath(target);
    }
    return this.#lastPath;
  }

  private log(e: AuditEvent): void {
    // "sbx-1 POST api.openai.com/v1/chat/completions", leaving out what the event lacks.
    let where = e.sandboxId;
    if (e.method !== undefined && e.method !== '') where += ` ${e.method}`;
    const target = `${e.host ?? ''}${e.path ?? ''}`;
    if (target !== '') where += ` ${target}`;
    const {
      time: _t,
      sandboxId: _s,
      flowId: _f,
      host: _h,
      port: _p,
      method: _m,
      path: _pa,
      type,
      ...rest
    } = e;
    const level = type === 'egress_allowed' ? 'debug' : type === 'tls_error' ? 'warn' : 'info';
    this.logger[level](`${type} ${where}`, rest);
  }
}
