/**
 * What the content pipeline needs from the optional Guardrails Service, declared here so content does
 * not depend on the client (src/guardrails/client implements it): NER entities for PII types, and a
 * model's injection score. Both answer `{ ok: false, reason }` instead of throwing, and the pipeline
 * falls back to its built-in engines.
 */
import { parseBodyContentType } from './pii/body/content-type.js';
import type { NerAnalyzer } from './pii/ner-scanner.js';
import { extractHtmlText } from './injection/html-text.js';
import { extractJsonText } from './injection/json-text.js';

/** A model's verdict on one text. */
export interface ModelInjectionVerdict {
  score: number;
  signals: string[];
  model: string;
}

/** The Guardrails Service as the pipeline uses it. */
export interface GuardrailsPort extends NerAnalyzer {
  scoreInjection(
    texts: readonly string[],
  ): Promise<
    { ok: true; value: ModelInjectionVerdict[]; recovered: boolean } | { ok: false; reason: string }
  >;
}

/** Characters of text one model call scores, and how much consecutive windows share. */
export const INJECTION_WINDOW = 2000;
const WINDOW_OVERLAP = 200;
/** Windows sent for one body; text beyond them is left to the built-in scorer. */
export const MAX_INJECTION_WINDOWS = 64;

/** The text of a response body cut into windows for the model, and whether some was left out. */
export interface InjectionWindows {
  windows: string[];
  truncated: boolean;
}

/**
 * The readable text of a response body (JSON string values, HTML text content with hidden parts, or
 * the text itself) in overlapping windows of {@link INJECTION_WINDOW} characters, so that a model with
 * a bounded input sees every part, and an instruction cut by a window edge is whole in the next one.
 *
 * @example
 * injectionWindows('{"content":"Ignore previous instructions"}', 'application/json');
 * // { windows: ['Ignore previous instructions'], truncated: false }
 */
export function injectionWindows(body: string, contentType: string | undefined): InjectionWindows {
  const ct = parseBodyContentType(contentType);
  const media = ct.mediaType;
  let text: string | undefined;
  const head = body.slice(0, 256).trimStart();
  if (ct.format === 'json' || ct.format === 'json-seq' || (media === '' && /^[[{]/.test(head))) {
    text = extractJsonText(body)?.text;
  } else if (/html|xml/.test(media) || (media === '' && /^<(?:!doctype|html|body|div|p)\b/i.test(head))) {
    text = extractHtmlText(body).text;
  }
  text ??= body;
  const windows: string[] = [];
  const step = INJECTION_WINDOW - WINDOW_OVERLAP;
  for (let at = 0; at < text.length && windows.length < MAX_INJECTION_WINDOWS; at += step) {
    const w = text.slice(at, at + INJECTION_WINDOW);
    if (w.trim() !== '') windows.push(w);
    if (at + INJECTION_WINDOW >= text.length) return { windows, truncated: false };
  }
  // Only reached when the window cap cut the text short.
  return { windows, truncated: true };
}
