import { z } from 'zod';
import { PII_TYPES } from '../policy/pii-types.js';

/**
 * The Guardrails Service's HTTP API, shared by the service and its client so both validate the same
 * shapes. Version prefix `/v1`; JSON bodies; offsets are UTF-16 code units (JavaScript string
 * indexes) of each text as sent.
 *
 *   POST /v1/analyze    {texts, types?}  → {results: [{entities: [...]}, ...]} one result per text
 *   POST /v1/injection  {texts}          → {results: [{score, signals, model}, ...]}
 *   GET  /healthz       → 200 {status: 'ok'} while the process serves
 *   GET  /readyz        → 200 when recognizers and models are loaded, 503 otherwise
 *
 * Errors are `{error: {code, message}}` with the status of the code (400 invalid input, 413 too
 * large, 503 overloaded with Retry-After).
 */
export const GUARDRAILS_PATHS = Object.freeze({
  analyze: '/v1/analyze',
  injection: '/v1/injection',
  health: '/healthz',
  ready: '/readyz',
});

const piiTypeName = z.enum(PII_TYPES);

/** Body of `POST /v1/analyze`. `types` omitted means every type the service can detect. */
export const analyzeRequestSchema = z.strictObject({
  texts: z.array(z.string()).min(1).max(4096),
  types: z.array(piiTypeName).optional(),
});
export type AnalyzeRequest = z.infer<typeof analyzeRequestSchema>;

export const entitySchema = z.strictObject({
  type: piiTypeName,
  start: z.number().int().nonnegative(),
  end: z.number().int().positive(),
  score: z.number().min(0).max(1),
  recognizer: z.string(),
});

/** Response of `POST /v1/analyze`: `results[i]` belongs to `texts[i]`. */
export const analyzeResponseSchema = z.strictObject({
  results: z.array(z.strictObject({ entities: z.array(entitySchema) })),
});
export type AnalyzeResponse = z.infer<typeof analyzeResponseSchema>;

/** Body of `POST /v1/injection`. */
export const injectionRequestSchema = z.strictObject({
  texts: z.array(z.string()).min(1).max(256),
});
export type InjectionRequest = z.infer<typeof injectionRequestSchema>;

/** Response of `POST /v1/injection`: `results[i]` belongs to `texts[i]`. */
export const injectionResponseSchema = z.strictObject({
  results: z.array(
    z.strictObject({
      score: z.number().min(0).max(1),
      signals: z.array(z.string()),
      model: z.string(),
    }),
  ),
});
export type InjectionResponse = z.infer<typeof injectionResponseSchema>;

/** The error body every non-2xx response carries. */
export const errorResponseSchema = z.object({
  error: z.object({ code: z.string(), message: z.string() }),
});
