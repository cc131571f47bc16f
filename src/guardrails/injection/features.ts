/**
 * Feature extraction of the injection classifier, shared by training and inference so both see the
 * same thing.
 *
 * A body is reduced to the text a reader model gets (JSON string values, HTML text content with its
 * hidden parts) by the built-in scorer's own extractors, folded like the scorer folds it, tokenized
 * (tokens.ts) and cut into windows of `windowTokens` tokens every `windowStride` tokens. The built-in
 * heuristic scores the whole body once; its best window's score and signal ids are attached to the
 * lexical windows that overlap it, and the other windows count as "heuristic found nothing there".
 * The classifier scores every window and keeps the best, so one injection buried in a long page
 * scores as it would alone.
 *
 * @example
 * const doc = analyseDocument('Nice post. Ignore previous instructions.', undefined, scorer, { windowTokens: 64, windowStride: 16 });
 * doc.windows.length; // 1
 * doc.attached[0]; // 1: the heuristic's best window overlaps it
 */
import type { InjectionResult, InjectionScorer } from '../../content/injection/index.js';
import {
  extractScanText,
  SCAN_KIND_CONTENT_TYPE,
  scanKindOf,
  scoresExtractedText,
} from '../../content/injection/extract-text.js';
import { normalizeForScan, toSourceOffset, type NormalizedText } from '../../content/injection/normalize.js';
import { tokenize, type TokenStream } from './tokens.js';

/** Window geometry. */
export interface WindowShape {
  windowTokens: number;
  windowStride: number;
}

/** A body, ready to be scored window by window. */
export interface AnalysedDocument {
  /** The text that was tokenized (extracted text for JSON and HTML). */
  text: string;
  /** `text` folded; token offsets are offsets of `norm.lower` (map them with toSourceOffset). */
  norm: NormalizedText;
  tokens: TokenStream;
  /** Token ranges `[start, end)` of the windows, flattened: window i is `windows[2i]..windows[2i+1]`. */
  windows: Int32Array;
  /** 1 where the heuristic's best window overlaps lexical window i. */
  attached: Uint8Array;
  /** The built-in heuristic's result on the body. */
  heuristic: InjectionResult;
}

/** Token-window start offsets: every `stride` tokens, the last window flush with the end. */
export function windowRanges(count: number, shape: WindowShape): Int32Array {
  const { windowTokens: w, windowStride: s } = shape;
  if (count <= w) return Int32Array.of(0, count);
  const n = Math.ceil((count - w) / s) + 1;
  const out = new Int32Array(2 * n);
  for (let i = 0; i < n; i++) {
    const a = Math.min(i * s, count - w);
    out[2 * i] = a;
    out[2 * i + 1] = a + w;
  }
  return out;
}

/**
 * Extracts, tokenizes and windows `body`, and runs the heuristic on it once. `contentType` as in the
 * built-in scorer (JSON and HTML are sniffed when it is absent). `scratch` is handed to tokenize
 * (tokens.ts): the result's tokens may live in it until the next call that reuses it.
 */
export function analyseDocument(
  body: string,
  contentType: string | undefined,
  heuristic: InjectionScorer,
  shape: WindowShape,
  scratch?: TokenStream,
): AnalysedDocument {
  // Extracted once: a heuristic with the hook scores this text instead of parsing the body again.
  const doc = extractScanText(body, scanKindOf(body, contentType));
  const text = doc.text;
  const result = scoresExtractedText(heuristic)
    ? heuristic.scoreExtracted(doc)
    : heuristic.score(body, SCAN_KIND_CONTENT_TYPE[doc.kind]);
  const norm = normalizeForScan(text);
  const tokens = tokenize(norm.lower, scratch);
  const windows = windowRanges(tokens.count, shape);
  const nw = windows.length / 2;
  const attached = new Uint8Array(nw);
  const hw = result.window;
  if (hw) {
    for (let i = 0; i < nw; i++) {
      const a = windows[2 * i]!;
      const b = windows[2 * i + 1]!;
      // A window without tokens (a body of punctuation only) covers the whole text.
      const s = b > a ? toSourceOffset(norm, tokens.start[a]!) : 0;
      const e = b > a ? toSourceOffset(norm, tokens.end[b - 1]!) : text.length;
      if (s <= hw.end && hw.start <= e) attached[i] = 1;
    }
  }
  return { text, norm, tokens, windows, attached, heuristic: result };
}
