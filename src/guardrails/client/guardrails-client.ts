import type { z } from 'zod';
import { InvalidArgumentError } from '../../errors.js';
import { silentLogger, type Logger } from '../../logger.js';
import type { PiiType } from '../../policy/pii-types.js';
import {
  analyzeResponseSchema,
  GUARDRAILS_PATHS,
  injectionResponseSchema,
  type AnalyzeRequest,
  type InjectionRequest,
} from '../protocol.js';
import type { EntityFinding, InjectionVerdict } from '../types.js';
import { CircuitBreaker, type BreakerState } from './circuit-breaker.js';
import { JsonTransport, type FallbackReason } from './json-transport.js';

export type { FallbackReason } from './json-transport.js';

/** Default per-request deadline, in ms (GUARDRAILS_TIMEOUT_MS overrides it in {@link guardrailsClientFromEnv}). */
export const DEFAULT_GUARDRAILS_DEADLINE_MS = 150;

/** Which service operation a call was. */
export type GuardrailsOperation = 'analyze' | 'injection';

/**
 * What the client reports as it works: a call that fell back to the built-in engines, and the breaker
 * closing again. Reasons and endpoints only, never the texts.
 */
export type GuardrailsClientEvent =
  | {
      type: 'guardrails_fallback';
      reason: FallbackReason;
      operation: GuardrailsOperation;
      /** The service path that was (or would have been) called, e.g. `/v1/analyze`. */
      endpoint: string;
      /** A short technical cause (`ECONNREFUSED`, `HTTP 503`, `no answer within 150 ms`); never text. */
      detail: string;
      /** The breaker's state after this call. */
      breaker: BreakerState;
    }
  | { type: 'guardrails_recovered'; operation: GuardrailsOperation; endpoint: string };

/**
 * A call's outcome: the service's answer, or `undefined` with the reason the caller must fall back.
 * `recovered` is true on the one successful call that closed an open breaker.
 */
export type GuardrailsResult<T> =
  { ok: true; value: T; recovered: boolean } | { ok: false; value: undefined; reason: FallbackReason };

/** Options of {@link GuardrailsClient}. */
export interface GuardrailsClientOptions {
  /** Base URL of the Guardrails Service, e.g. `http://127.0.0.1:8700` (env GUARDRAILS_URL). */
  url: string | URL;
  /** Deadline of one call in ms, after which it is aborted and falls back. Default 150 (env GUARDRAILS_TIMEOUT_MS). */
  deadlineMs?: number;
  /** Consecutive failures or timeouts that open the circuit breaker. Default 5. */
  failureThreshold?: number;
  /** How long an open breaker refuses calls before one probe, in ms. Default 5000. */
  coolDownMs?: number;
  /** Keep-alive sockets to the service. Default 16. */
  maxSockets?: number;
  /** Largest answer accepted, in bytes. Default 16 MiB. */
  maxResponseBytes?: number;
  /**
   * Largest request body sent, in bytes: longer text lists are split into several requests, and a
   * single text above it falls back (`too_large`) without a call. Default 1 MiB, the service's
   * default `maxBodyBytes`.
   */
  maxRequestBytes?: number;
  logger?: Logger;
  /** Told about every fallback and recovery (audit, metrics). Must not throw; errors are logged. */
  onEvent?: (event: GuardrailsClientEvent) => void;
  /** Clock for the breaker, in ms. Tests move it instead of sleeping. */
  now?: () => number;
}

/** Counters of a client since it was made, for /metrics and `declaw doctor`. */
export interface GuardrailsClientStats {
  calls: number;
  succeeded: number;
  fallbacks: Record<FallbackReason, number>;
  recoveries: number;
  breaker: BreakerState;
}

/** The protocol's limits on texts per request; larger lists are split into several calls. */
const MAX_ANALYZE_TEXTS = 4096;
const MAX_INJECTION_TEXTS = 256;
/** Room in a request for everything but the texts (`{"texts":[...],"types":[...]}`). */
const ENVELOPE_BYTES = 1024;

/**
 * The proxy's client of the Guardrails Service: `analyze` (NER spans for PII types) and
 * `scoreInjection` (a model's injection score) over keep-alive HTTP, each with a deadline, behind a
 * circuit breaker. It never throws: any failure, timeout, invalid answer or open breaker gives the
 * caller `{ ok: false, reason }`, so the proxy falls back to its built-in engines, and an
 * `onEvent` callback hears a `guardrails_fallback` event (and `guardrails_recovered` when the breaker
 * closes again). Answers are validated with the protocol's zod schemas and against the texts sent.
 *
 * @example
 * const client = new GuardrailsClient({ url: 'http://127.0.0.1:8700', onEvent: (e) => log.info(e.type, e) });
 * const r = await client.analyze(['Email John Smith today'], ['person_name']);
 * if (r.ok) r.value[0]; // [{ type: 'person_name', start: 6, end: 16, score: 0.9, recognizer: 'person:...' }]
 * else r.reason;        // 'timeout' | 'unreachable' | 'http_status' | 'invalid_response' | 'breaker_open'
 * client.close();
 */
export class GuardrailsClient {
  readonly url: URL;
  readonly deadlineMs: number;
  readonly #breaker: CircuitBreaker;
  readonly #transport: JsonTransport;
  readonly #logger: Logger;
  readonly #onEvent: ((event: GuardrailsClientEvent) => void) | undefined;
  readonly #maxRequestBytes: number;
  readonly #stats: Omit<GuardrailsClientStats, 'breaker'> = {
    calls: 0,
    succeeded: 0,
    fallbacks: {
      timeout: 0,
      unreachable: 0,
      http_status: 0,
      invalid_response: 0,
      breaker_open: 0,
      too_large: 0,
    },
    recoveries: 0,
  };

  constructor(options: GuardrailsClientOptions) {
    this.url = parseServiceUrl(options.url);
    this.deadlineMs = options.deadlineMs ?? DEFAULT_GUARDRAILS_DEADLINE_MS;
    if (!Number.isInteger(this.deadlineMs) || this.deadlineMs < 1 || this.deadlineMs > 60_000) {
      throw new InvalidArgumentError(
        'deadlineMs',
        `the Guardrails deadline must be a whole number of milliseconds from 1 to 60000; got ${this.deadlineMs}`,
      );
    }
    this.#breaker = new CircuitBreaker({
      ...(options.failureThreshold !== undefined ? { failureThreshold: options.failureThreshold } : {}),
      ...(options.coolDownMs !== undefined ? { coolDownMs: options.coolDownMs } : {}),
      ...(options.now ? { now: options.now } : {}),
    });
    this.#transport = new JsonTransport({
      baseUrl: this.url,
      maxSockets: options.maxSockets ?? 16,
      maxResponseBytes: options.maxResponseBytes ?? 16 * 1024 * 1024,
    });
    this.#maxRequestBytes = options.maxRequestBytes ?? 1 << 20;
    if (!Number.isInteger(this.#maxRequestBytes) || this.#maxRequestBytes < 2 * ENVELOPE_BYTES) {
      throw new InvalidArgumentError(
        'maxRequestBytes',
        `must be a whole number of bytes, at least ${2 * ENVELOPE_BYTES}; got ${this.#maxRequestBytes}`,
      );
    }
    this.#logger = options.logger ?? silentLogger;
    this.#onEvent = options.onEvent;
  }

  /** The circuit breaker's state now. */
  get breakerState(): BreakerState {
    return this.#breaker.state;
  }

  /** Counters since construction. */
  stats(): GuardrailsClientStats {
    return {
      ...this.#stats,
      fallbacks: { ...this.#stats.fallbacks },
      breaker: this.#breaker.state,
    };
  }

  /**
   * Entities of `types` in each text: `value[i]` belongs to `texts[i]`, offsets in UTF-16 units of
   * that text. Entities of types not asked for are dropped; an entity outside its text makes the
   * whole answer invalid (it would mark the wrong characters).
   */
  async analyze(
    texts: readonly string[],
    types: readonly PiiType[],
  ): Promise<GuardrailsResult<EntityFinding[][]>> {
    if (texts.length === 0) return { ok: true, value: [], recovered: false };
    const wanted = new Set(types);
    return this.#batched('analyze', texts, MAX_ANALYZE_TEXTS, async (batch) => {
      const request: AnalyzeRequest = { texts: batch, types: [...wanted] };
      return this.#call('analyze', GUARDRAILS_PATHS.analyze, request, analyzeResponseSchema, (body) => {
        if (body.results.length !== batch.length) return undefined;
        const out: EntityFinding[][] = [];
        for (let i = 0; i < batch.length; i++) {
          const length = batch[i]!.length;
          const entities = body.results[i]!.entities;
          if (entities.some((e) => e.end > length || e.start >= e.end)) return undefined;
          out.push(entities.filter((e) => wanted.has(e.type)));
        }
        return out;
      });
    });
  }

  /** The service model's verdict on each text: `value[i]` belongs to `texts[i]`. */
  async scoreInjection(texts: readonly string[]): Promise<GuardrailsResult<InjectionVerdict[]>> {
    if (texts.length === 0) return { ok: true, value: [], recovered: false };
    return this.#batched('injection', texts, MAX_INJECTION_TEXTS, async (batch) => {
      const request: InjectionRequest = { texts: batch };
      return this.#call('injection', GUARDRAILS_PATHS.injection, request, injectionResponseSchema, (body) =>
        body.results.length === batch.length ? body.results : undefined,
      );
    });
  }

  /**
   * Asks the service's readiness endpoint, outside the breaker (for `declaw doctor`). Never throws.
   *
   * @example
   * const r = await client.checkReady(); // { ready: true, detail: 'HTTP 200' }
   */
  async checkReady(deadlineMs = 1000): Promise<{ ready: boolean; detail: string }> {
    const out = await this.#transport.request('GET', GUARDRAILS_PATHS.ready, undefined, deadlineMs);
    return out.ok
      ? { ready: true, detail: `HTTP ${out.status}` }
      : { ready: false, detail: `${out.reason}: ${out.detail}` };
  }

  /** Closes the keep-alive sockets; later calls open new ones. */
  close(): void {
    this.#transport.close();
  }

  /**
   * Splits `texts` into batches within the protocol's count and the request size limit, sent
   * together; one failed batch fails the call.
   */
  async #batched<T>(
    operation: GuardrailsOperation,
    texts: readonly string[],
    max: number,
    send: (batch: string[]) => Promise<GuardrailsResult<T[]>>,
  ): Promise<GuardrailsResult<T[]>> {
    const budget = this.#maxRequestBytes - ENVELOPE_BYTES;
    const batches: string[][] = [];
    let batch: string[] = [];
    let bytes = 0;
    for (const text of texts) {
      // As JSON: escapes (the \u0000 segment separators, quotes) and UTF-8 make it longer.
      const size = Buffer.byteLength(JSON.stringify(text)) + 1;
      if (size > budget) {
        const endpoint = operation === 'analyze' ? GUARDRAILS_PATHS.analyze : GUARDRAILS_PATHS.injection;
        this.#stats.calls++;
        return this.#fallback(
          operation,
          endpoint,
          'too_large',
          `a text of ${size} bytes as JSON exceeds the request limit`,
        );
      }
      if (batch.length > 0 && (batch.length >= max || bytes + size > budget)) {
        batches.push(batch);
        batch = [];
        bytes = 0;
      }
      batch.push(text);
      bytes += size;
    }
    batches.push(batch);
    if (batches.length === 1) return send(batches[0]!);
    const results = await Promise.all(batches.map(send));
    const failed = results.find((r) => !r.ok);
    if (failed) return failed;
    const value = results.flatMap((r) => r.value ?? []);
    this.#logger.debug('guardrails: call split into batches', { operation, batches: batches.length });
    return { ok: true, value, recovered: results.some((r) => r.ok && r.recovered) };
  }

  async #call<S extends z.ZodType, T>(
    operation: GuardrailsOperation,
    endpoint: string,
    request: unknown,
    schema: S,
    check: (body: z.infer<S>) => T | undefined,
  ): Promise<GuardrailsResult<T>> {
    this.#stats.calls++;
    const ticket = this.#breaker.acquire();
    if (ticket === undefined)
      return this.#fallback(operation, endpoint, 'breaker_open', 'circuit breaker open');
    const out = await this.#transport.request('POST', endpoint, request, this.deadlineMs);
    let value: T | undefined;
    let reason: FallbackReason | undefined;
    let detail = '';
    if (!out.ok) {
      reason = out.reason;
      detail = out.detail;
    } else {
      const parsed = schema.safeParse(out.body);
      value = parsed.success ? check(parsed.data) : undefined;
      if (value === undefined) {
        reason = 'invalid_response';
        detail = parsed.success
          ? 'answer does not match the texts sent'
          : 'answer does not match the protocol';
      }
    }
    if (
      !out.ok &&
      out.reason === 'http_status' &&
      out.status >= 400 &&
      out.status < 500 &&
      out.status !== 408 &&
      out.status !== 429
    ) {
      // The service is up and refused this request (400, 413): nothing to hold against it.
      this.#breaker.success(ticket);
      return this.#fallback(operation, endpoint, out.reason, out.detail);
    }
    if (reason !== undefined) {
      if (this.#breaker.failure(ticket)) {
        this.#logger.warn(
          'guardrails: circuit breaker open; the built-in engines decide until the service answers again',
          {
            reason,
            detail,
            coolDownMs: this.#breaker.coolDownMs,
          },
        );
      }
      return this.#fallback(operation, endpoint, reason, detail);
    }
    this.#stats.succeeded++;
    const recovered = this.#breaker.success(ticket);
    if (recovered) {
      this.#stats.recoveries++;
      this.#logger.info('guardrails: service answers again; circuit breaker closed', { operation });
      this.#emit({ type: 'guardrails_recovered', operation, endpoint });
    }
    return { ok: true, value: value as T, recovered };
  }

  #fallback(
    operation: GuardrailsOperation,
    endpoint: string,
    reason: FallbackReason,
    detail: string,
  ): GuardrailsResult<never> {
    this.#stats.fallbacks[reason]++;
    this.#logger.debug('guardrails: falling back to the built-in engines', { operation, reason, detail });
    this.#emit({
      type: 'guardrails_fallback',
      reason,
      operation,
      endpoint,
      detail,
      breaker: this.#breaker.state,
    });
    return { ok: false, value: undefined, reason };
  }

  #emit(event: GuardrailsClientEvent): void {
    if (!this.#onEvent) return;
    try {
      this.#onEvent(event);
    } catch (err) {
      this.#logger.warn('guardrails: event listener failed', { type: event.type, error: String(err) });
    }
  }
}

function parseServiceUrl(url: string | URL): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvalidArgumentError(
      'GUARDRAILS_URL',
      `"${String(url)}" is not a URL; use e.g. http://127.0.0.1:8700`,
    );
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new InvalidArgumentError(
      'GUARDRAILS_URL',
      `must be an http:// or https:// URL such as http://127.0.0.1:8700; got ${parsed.protocol}`,
    );
  }
  if (parsed.username || parsed.password) {
    throw new InvalidArgumentError(
      'GUARDRAILS_URL',
      'must not carry credentials; put the service on a private address',
    );
  }
  return parsed;
}

/**
 * The client the environment asks for: GUARDRAILS_URL enables it (undefined without it),
 * GUARDRAILS_TIMEOUT_MS sets its deadline (default 150 ms). Options passed win over the environment.
 *
 * @throws {InvalidArgumentError} when GUARDRAILS_URL is not an http(s) URL or the timeout is not a
 *   whole number of milliseconds.
 * @example
 * const guardrails = guardrailsClientFromEnv(process.env, { logger });
 * const proxy = new ProxyServer({ upstreamTrust, guardrails });
 */
export function guardrailsClientFromEnv(
  env: NodeJS.ProcessEnv,
  options: Partial<GuardrailsClientOptions> = {},
): GuardrailsClient | undefined {
  const url = options.url ?? (env.GUARDRAILS_URL?.trim() || undefined);
  if (url === undefined) return undefined;
  let deadlineMs = options.deadlineMs;
  const raw = env.GUARDRAILS_TIMEOUT_MS?.trim();
  if (deadlineMs === undefined && raw) {
    deadlineMs = Number(raw);
    if (!/^\d+$/.test(raw) || deadlineMs < 1 || deadlineMs > 60_000) {
      throw new InvalidArgumentError(
        'GUARDRAILS_TIMEOUT_MS',
        `expected a whole number of milliseconds from 1 to 60000, got "${raw}"`,
      );
    }
  }
  return new GuardrailsClient({ ...options, url, ...(deadlineMs !== undefined ? { deadlineMs } : {}) });
}
