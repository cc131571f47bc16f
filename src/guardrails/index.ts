/**
 * The Guardrails Service (NER-grade PII, model-scored injection) and its client, the public face.
 * See docs/guardrails.md (service), docs/guardrails-client.md (client, fallback),
 * docs/guardrails-ner.md and docs/guardrails-injection.md (the bundled engines).
 */
export type { EntityFinding, EntityRecognizer, InjectionModel, InjectionVerdict } from './types.js';
export { GUARDRAILS_PATHS } from './protocol.js';
export type { AnalyzeRequest, AnalyzeResponse, InjectionRequest, InjectionResponse } from './protocol.js';
export {
  DEFAULT_GUARDRAILS_DEADLINE_MS,
  GuardrailsClient,
  guardrailsClientFromEnv,
  type FallbackReason,
  type GuardrailsClientEvent,
  type GuardrailsClientOptions,
  type GuardrailsClientStats,
  type GuardrailsOperation,
  type GuardrailsResult,
} from './client/guardrails-client.js';
export {
  createGuardrailsService,
  GUARDRAILS_SERVICE_DEFAULTS,
  loadDefaultEngines,
  withPlugin,
  type DefaultEnginesOptions,
  type GuardrailsEngines,
  type GuardrailsPlugin,
  type GuardrailsService,
  type GuardrailsServiceOptions,
} from './service/index.js';
export { createNerRecognizer, type NerRecognizerOptions } from './ner/index.js';
export { createPatternRecognizers } from './recognizers/index.js';
export { loadBundledInjectionModel, loadInjectionModelFile } from './injection/index.js';
