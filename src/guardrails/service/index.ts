export { createAdmissionQueue } from './admission-queue.js';
export type { AdmissionQueue, AdmissionQueueOptions } from './admission-queue.js';
export { createEntityAnalyzer } from './entity-analyzer.js';
export type { EntityAnalyzer, EntityAnalyzerOptions } from './entity-analyzer.js';
export { createGuardrailsService, GUARDRAILS_SERVICE_DEFAULTS } from './guardrails-service.js';
export type { GuardrailsEngines, GuardrailsService, GuardrailsServiceOptions } from './guardrails-service.js';
export { loadDefaultEngines, withPlugin } from './default-engines.js';
export type { DefaultEnginesOptions, GuardrailsPlugin } from './default-engines.js';
