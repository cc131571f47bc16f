/**
 * The `--guardrails-url` flag shared by the commands that can use the Guardrails Service (serve,
 * proxy, scan), spread into commander's `.option(...)`.
 *
 * @example
 * program.command('scan').option(...GUARDRAILS_URL_OPTION);
 */
export const GUARDRAILS_URL_OPTION = [
  '--guardrails-url <url>',
  'Guardrails Service for NER and the injection model (default: GUARDRAILS_URL; none: built-in engines only)',
] as const;
