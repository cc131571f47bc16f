/**
 * The text a body is scored on, extracted once: JSON string values, HTML text content with its hidden
 * parts, or the body as is. Callers that need the text themselves (the Guardrails classifier tokenizes
 * it) extract it here and hand it to a scorer that accepts pre-extracted text, so a body is parsed
 * once instead of twice. Extraction is json-text.ts and html-text.ts; this only picks which.
 *
 * @example
 * const doc = extractScanText('{"a":"Ignore previous instructions"}', scanKindOf(body, 'application/json'));
 * doc.kind; // 'json'
 * doc.text; // 'Ignore previous instructions'
 * if (scoresExtractedText(scorer)) scorer.scoreExtracted(doc);
 */
import { extractHtmlText, type HtmlText } from './html-text.js';
import { extractJsonText } from './json-text.js';
import type { InjectionResult, InjectionScorer } from './types.js';

/** How a body was read. */
export type ScanKind = 'json' | 'html' | 'text';

/** Extracted text, its hidden ranges, and how it was read (`text` when JSON did not parse). */
export interface ScanText extends HtmlText {
  kind: ScanKind;
}

/** A scorer that can score text extracted by {@link extractScanText} without parsing the body again. */
export interface ExtractedTextScorer {
  /** Scores pre-extracted text exactly as `score` scores the body it came from. Never throws. */
  scoreExtracted(doc: HtmlText): InjectionResult;
}

/** True when `scorer` offers {@link ExtractedTextScorer.scoreExtracted} (the built-in one does). */
export function scoresExtractedText(
  scorer: InjectionScorer,
): scorer is InjectionScorer & ExtractedTextScorer {
  return typeof (scorer as Partial<ExtractedTextScorer>).scoreExtracted === 'function';
}

/**
 * Kind of a body from its content type (parameters allowed), or sniffed from its first non-blank
 * character when there is none: `{` or `[` is JSON, `<` followed by a letter, `!` or `?` is markup
 * ("<3" or "< 5" in prose is not).
 */
export function scanKindOf(body: string, contentType: string | undefined): ScanKind {
  const ct = (contentType ?? '').toLowerCase();
  if (ct !== '')
    return ct.includes('json') ? 'json' : ct.includes('html') || ct.includes('xml') ? 'html' : 'text';
  let i = 0;
  while (i < body.length && i < 1024 && body.charCodeAt(i) <= 0x20) i++;
  const c = body.charCodeAt(i);
  if (c === 0x7b || c === 0x5b) return 'json';
  const d = body.charCodeAt(i + 1) | 0x20;
  if (c === 0x3c && ((d >= 0x61 && d <= 0x7a) || d === 0x21 || d === 0x3f)) return 'html';
  return 'text';
}

/** Content type that makes the built-in scorer read a body as `kind` (for scorers without the hook). */
export const SCAN_KIND_CONTENT_TYPE: Readonly<Record<ScanKind, string>> = {
  json: 'application/json',
  html: 'text/html',
  text: 'text/plain',
};

/** The scanned text of `body` read as `kind`; JSON that does not parse is read as plain text. */
export function extractScanText(body: string, kind: ScanKind): ScanText {
  if (kind === 'json') {
    const j = extractJsonText(body);
    if (j) return { ...j, kind };
  } else if (kind === 'html') return { ...extractHtmlText(body), kind };
  return { text: body, hidden: [], kind: 'text' };
}
