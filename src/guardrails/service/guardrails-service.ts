import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { z } from 'zod';
import type { PiiScanner } from '../../content/pii/types.js';
import {
  DeclawError,
  ErrorCode,
  InternalError,
  InvalidArgumentError,
  PayloadTooLargeError,
  ServiceUnavailableError,
} from '../../errors.js';
import { silentLogger, type Logger } from '../../logger.js';
import type { PiiType } from '../../policy/pii-types.js';
import { statusFor } from '../../server/errors.js';
import { readJson, sendJson } from '../../server/http-io.js';
import { Router } from '../../server/router.js';
import {
  analyzeRequestSchema,
  GUARDRAILS_PATHS,
  injectionRequestSchema,
  type AnalyzeResponse,
  type InjectionResponse,
} from '../protocol.js';
import type { EntityRecognizer, InjectionModel } from '../types.js';
import { createAdmissionQueue } from './admission-queue.js';
import { createEntityAnalyzer, type EntityAnalyzer } from './entity-analyzer.js';

/** What the service runs: recognizers for `/v1/analyze` and the model for `/v1/injection`. */
export interface GuardrailsEngines {
  recognizers: readonly EntityRecognizer[];
  injectionModel: InjectionModel;
}

/** Options of {@link createGuardrailsService}. No environment variables are read. */
export interface GuardrailsServiceOptions {
  /**
   * The engines, or a function that loads them. While a loader runs, `/readyz` and the analysis
   * endpoints answer 503, and `/healthz` answers 200.
   */
  engines: GuardrailsEngines | (() => GuardrailsEngines | Promise<GuardrailsEngines>);
  /** Built-in structured detectors added to the recognizers. Default `createPiiScanner()`; `null`: none. */
  builtIn?: PiiScanner | null;
  /** Largest request body in bytes; larger ones get 413. Default 1 MiB (1048576). */
  maxBodyBytes?: number;
  /** Requests analysed at the same time. Default 4. */
  concurrency?: number;
  /** Requests waiting for a slot before new ones get 503 with Retry-After. Default 64. */
  maxQueued?: number;
  /** Seconds sent in Retry-After with a 503. Default 1. */
  retryAfterSeconds?: number;
  /**
   * Milliseconds of analysis after which a request yields to the event loop (between texts), so
   * `/healthz` and new connections are served while a large batch runs. Default 10.
   */
  sliceMs?: number;
  /** One line per request (path, status, texts, ms; never text), and load failures. */
  logger?: Logger;
}

/** A running (or ready to run) Guardrails Service. */
export interface GuardrailsService {
  /** Binds the HTTP server; port 0 picks a free port. Resolves with the bound address. */
  listen(host: string, port: number): Promise<{ host: string; port: number }>;
  /** Stops accepting connections and ends open ones. */
  close(): Promise<void>;
  /** The bound address, once listening. */
  readonly address: { host: string; port: number } | undefined;
  /** `http://host:port`, the value for GUARDRAILS_URL, once listening. */
  readonly url: string | undefined;
  /** Resolves when the engines are loaded; rejects with the load error. */
  whenReady(): Promise<void>;
}

/** Defaults of {@link GuardrailsServiceOptions}, shown by `declaw guardrails serve --help`. */
export const GUARDRAILS_SERVICE_DEFAULTS: Readonly<Record<Tunable, number>> = Object.freeze({
  maxBodyBytes: 1 << 20,
  concurrency: 4,
  maxQueued: 64,
  retryAfterSeconds: 1,
  sliceMs: 10,
});

type Tunable = 'maxBodyBytes' | 'concurrency' | 'maxQueued' | 'retryAfterSeconds' | 'sliceMs';

interface Loaded {
  analyzer: EntityAnalyzer;
  model: InjectionModel;
}

/** Per-request facts for the request log line. */
interface RequestFacts {
  texts: number;
}

/**
 * The Guardrails Service: serves the protocol of `src/guardrails/protocol.ts` over node:http.
 * `/v1/analyze` runs the recognizers plus the built-in structured detectors and keeps one type per
 * span; `/v1/injection` scores each text with the model. The work is synchronous and CPU-bound, so
 * admission is bounded (503 + Retry-After beyond `concurrency + maxQueued`) and each request yields
 * to the event loop between texts once it has worked `sliceMs`.
 *
 * @throws {InvalidArgumentError} when a numeric option is out of range.
 * @example
 * const service = createGuardrailsService({ engines: loadDefaultEngines, logger });
 * await service.listen('127.0.0.1', 8700);
 * // GUARDRAILS_URL=http://127.0.0.1:8700 declaw serve
 */
export function createGuardrailsService(options: GuardrailsServiceOptions): GuardrailsService {
  const logger = options.logger ?? silentLogger;
  const settings = { ...GUARDRAILS_SERVICE_DEFAULTS, ...definedOnly(options) };
  checkPositiveInteger('maxBodyBytes', settings.maxBodyBytes);
  checkPositiveInteger('concurrency', settings.concurrency);
  checkPositiveInteger('retryAfterSeconds', settings.retryAfterSeconds);
  if (!Number.isInteger(settings.maxQueued) || settings.maxQueued < 0)
    throw new InvalidArgumentError('options.maxQueued', 'must be an integer ≥ 0');
  if (!(settings.sliceMs >= 0)) throw new InvalidArgumentError('options.sliceMs', 'must be a number ≥ 0');

  const queue = createAdmissionQueue({
    concurrency: settings.concurrency,
    maxWaiting: settings.maxQueued,
    retryAfterSeconds: settings.retryAfterSeconds,
  });

  let loaded: Loaded | undefined;
  let loadError: Error | undefined;
  const loading = (async () => {
    // Loading reads data files synchronously: let listen() bind first, so /healthz answers meanwhile.
    await yieldToLoop();
    const engines = typeof options.engines === 'function' ? await options.engines() : options.engines;
    loaded = {
      analyzer: createEntityAnalyzer({ recognizers: engines.recognizers, builtIn: options.builtIn, logger }),
      model: engines.injectionModel,
    };
    logger.info('guardrails engines loaded', {
      recognizers: engines.recognizers.map((r) => r.name),
      model: engines.injectionModel.name,
    });
  })().catch((err: unknown) => {
    loadError = err instanceof Error ? err : new Error(String(err));
    logger.error('guardrails engines failed to load', { error: loadError.message });
    throw loadError;
  });
  loading.catch(() => undefined); // reported above; whenReady() hands it to callers who ask

  const notReady = (): ServiceUnavailableError =>
    new ServiceUnavailableError(
      loadError
        ? `the Guardrails Service could not load its engines (${loadError.message}); see its log`
        : 'the Guardrails Service is still loading its recognizers and models',
      settings.retryAfterSeconds,
    );
  const engines = (): Loaded => {
    if (loaded) return loaded;
    throw notReady();
  };

  /** Runs `work` on each item, yielding to the event loop whenever a slice's budget is spent. */
  async function sliced<I, O>(items: readonly I[], work: (item: I) => O): Promise<O[]> {
    const out: O[] = [];
    let sliceStart = performance.now();
    for (const item of items) {
      out.push(work(item));
      if (performance.now() - sliceStart >= settings.sliceMs) {
        await yieldToLoop();
        sliceStart = performance.now();
      }
    }
    return out;
  }

  async function readRequest<T extends z.ZodType>(
    req: http.IncomingMessage,
    schema: T,
  ): Promise<z.output<T>> {
    try {
      return await readJson(req, settings.maxBodyBytes, schema);
    } catch (err) {
      if (!(err instanceof PayloadTooLargeError)) throw err;
      throw new PayloadTooLargeError(
        settings.maxBodyBytes,
        'send fewer or shorter texts per request, or start the service with a larger --max-body',
      );
    }
  }

  const router = new Router();
  router.add('GET', GUARDRAILS_PATHS.health, ({ res }) => sendJson(res, 200, { status: 'ok' }));
  router.add('GET', GUARDRAILS_PATHS.ready, ({ res }) => {
    if (loaded) sendJson(res, 200, { status: 'ready' });
    else sendGuardrailsError(res, notReady(), logger);
  });
  router.add('POST', GUARDRAILS_PATHS.analyze, async ({ req, res }) => {
    const facts = factsOf(res);
    const body = await readRequest(req, analyzeRequestSchema);
    facts.texts = body.texts.length;
    const { analyzer } = engines();
    const types: ReadonlySet<PiiType> | undefined = body.types ? new Set(body.types) : undefined;
    const results = await queue.run(() =>
      sliced(body.texts, (text) => ({ entities: analyzer.analyze(text, types) })),
    );
    const reply: AnalyzeResponse = { results };
    sendJson(res, 200, reply);
  });
  router.add('POST', GUARDRAILS_PATHS.injection, async ({ req, res }) => {
    const facts = factsOf(res);
    const body = await readRequest(req, injectionRequestSchema);
    facts.texts = body.texts.length;
    const { model } = engines();
    const results = await queue.run(() => sliced(body.texts, (text) => checkedVerdict(model, text)));
    const reply: InjectionResponse = { results };
    sendJson(res, 200, reply);
  });

  const facts = new WeakMap<http.ServerResponse, RequestFacts>();
  const factsOf = (res: http.ServerResponse): RequestFacts => {
    let f = facts.get(res);
    if (!f) facts.set(res, (f = { texts: 0 }));
    return f;
  };

  const server = http.createServer((req, res) => {
    const started = performance.now();
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    res.on('finish', () => {
      logger.info('guardrails request', {
        method: req.method,
        path,
        status: res.statusCode,
        texts: facts.get(res)?.texts ?? 0,
        ms: Math.round((performance.now() - started) * 10) / 10,
      });
    });
    void (async () => {
      try {
        const { handler, params } = router.find(req.method ?? 'GET', path);
        await handler({ req, res, params, query: new URLSearchParams(), path });
      } catch (err) {
        // Drain what the client is still sending, so it reads the error instead of a reset.
        req.resume();
        sendGuardrailsError(res, err, logger);
      }
    })();
  });
  server.headersTimeout = 30_000;
  server.requestTimeout = 120_000;

  let bound: { host: string; port: number } | undefined;

  return {
    listen(host, port) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const a = server.address() as AddressInfo;
          bound = { host: a.address, port: a.port };
          resolve(bound);
        });
      });
    },
    close() {
      return new Promise<void>((resolve) => {
        if (!server.listening) return resolve();
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
    get address() {
      return bound;
    },
    get url() {
      if (!bound) return undefined;
      const host = bound.host.includes(':') ? `[${bound.host}]` : bound.host;
      return `http://${host}:${bound.port}`;
    },
    whenReady: () => loading,
  };
}

function checkPositiveInteger(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1)
    throw new InvalidArgumentError(`options.${name}`, 'must be an integer ≥ 1');
}

function definedOnly(o: GuardrailsServiceOptions): Partial<Record<Tunable, number>> {
  const out: Partial<Record<Tunable, number>> = {};
  for (const key of Object.keys(GUARDRAILS_SERVICE_DEFAULTS) as Tunable[]) {
    const v = o[key];
    if (v !== undefined) out[key] = v;
  }
  return out;
}

/** The model's verdict, checked at the boundary: a user's model may return anything. */
function checkedVerdict(model: InjectionModel, text: string): InjectionResponse['results'][number] {
  const v = model.score(text);
  if (!v || typeof v.score !== 'number' || !Number.isFinite(v.score))
    throw new InternalError(`injection model ${model.name} returned a score that is not a finite number`);
  return {
    score: Math.min(1, Math.max(0, v.score)),
    signals: Array.isArray(v.signals) ? v.signals.filter((s) => typeof s === 'string') : [],
    model: typeof v.model === 'string' && v.model ? v.model : model.name,
  };
}

/** Sends `{error: {code, message}}` with the status of its code (and Retry-After for 503). */
function sendGuardrailsError(res: http.ServerResponse, err: unknown, logger: Logger): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (err instanceof ServiceUnavailableError) res.setHeader('retry-after', String(err.retryAfterSeconds));
  if (err instanceof DeclawError && !(err instanceof InternalError)) {
    sendJson(res, statusFor(err), { error: { code: err.code, message: err.message } });
    return;
  }
  logger.error('guardrails request failed', { error: err instanceof Error ? err.message : String(err) });
  sendJson(res, 500, {
    error: {
      code: ErrorCode.INTERNAL,
      message: 'internal error in the Guardrails Service (see its log); please report it',
    },
  });
}
