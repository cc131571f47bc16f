import { InvalidArgumentError } from '../../errors.js';
import type { PiiType } from '../../policy/pii-types.js';
import type { EntityFinding, EntityRecognizer } from '../types.js';
import { CompromiseLexicon } from './compromise-lexicon.js';
import { loadNameGazetteer, type NameGazetteer } from './name-gazetteer.js';
import { classifyPhrase, type ClassifierResources, type NerEntityType } from './phrase-classifier.js';
import { findProperPhrases } from './proper-phrases.js';
import { tokenize } from './tokens.js';
import { findLowercaseNames } from './lowercase-names.js';
import { applyLayoutRules } from './layout-rules.js';
import { emailNameParts } from './sentence-cues.js';
import { markRepeatedNames } from './name-repeats.js';

/** Options of {@link createNerRecognizer}. */
export interface NerRecognizerOptions {
  /** Recognizer name in findings and logs. Default `ner`. */
  name?: string;
  /** Directory holding given-names.txt and name-parts.txt. Default: the package's data/names. */
  nameDataDir?: string;
  /** A gazetteer to use instead of reading `nameDataDir` (tests, custom name lists). */
  names?: NameGazetteer;
  /** Findings scoring below this are dropped. Default 0.5. */
  minScore?: number;
}

const NER_TYPES: readonly NerEntityType[] = Object.freeze(['person_name', 'organization', 'location']);

/**
 * Lines written by programs: a timestamp or a log level first. Their capitalised words are messages
 * and component names ("ERROR Connection Refused"), so only a title like "Dr." makes a name there.
 */
const LOG_LINE =
  /^\s*(?:\[?\d{4}-\d{2}-\d{2}[T ]\d|\[?\d{1,2}:\d{2}:\d{2}|\[?\d{2}\/\w{3}\/\d{4}|\[?(?:TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|ERR|FATAL|CRITICAL|CRIT|PANIC)\b|[A-Z][a-z]{2} [ \d]\d \d{2}:)/u;

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/** Offsets [start, end) of the lines that look like log output. */
function logLineRanges(text: string): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  const starts = lineStarts(text);
  for (let i = 0; i < starts.length; i++) {
    const start = starts[i]!;
    const end = i + 1 < starts.length ? starts[i + 1]! - 1 : text.length;
    if (LOG_LINE.test(text.slice(start, Math.min(end, start + 40)))) ranges.push([start, end]);
  }
  return ranges;
}

/**
 * The Guardrails Service's recognizer for person names, organizations and locations: one synchronous
 * pass of tokenisation, capitalised-phrase detection and rules over a name gazetteer and compromise's
 * English lexicon. No model download, no I/O after construction.
 *
 * @example
 * const ner = createNerRecognizer();
 * ner.analyze('Please contact Dr. Anette Lahtela in Helsinki.');
 * // [{type: 'person_name', start: 19, end: 33, ...}, {type: 'location', start: 37, end: 45, ...}]
 */
export function createNerRecognizer(options: NerRecognizerOptions = {}): EntityRecognizer {
  const name = options.name ?? 'ner';
  const minScore = options.minScore ?? 0.5;
  if (!(minScore >= 0 && minScore <= 1)) {
    throw new InvalidArgumentError(
      'minScore',
      `must be a number within [0, 1], got ${String(options.minScore)}`,
    );
  }
  const res: ClassifierResources = {
    lexicon: new CompromiseLexicon(),
    names: options.names ?? loadNameGazetteer(options.nameDataDir),
  };

  function analyze(text: string, types?: ReadonlySet<PiiType>): EntityFinding[] {
    const wanted = NER_TYPES.filter((t) => !types || types.has(t));
    if (wanted.length === 0 || text.length === 0) return [];
    const tokens = tokenize(text);
    const logLines = LOG_LINE_PRECHECK.test(text) ? logLineRanges(text) : [];
    const inLogLine = (offset: number): boolean => logLines.some(([s, e]) => offset >= s && offset <= e);
    const findings: EntityFinding[] = [];
    const phrases = findProperPhrases(tokens);
    const context = { emailNames: emailNameParts(tokens) };
    const decided = markRepeatedNames(
      tokens,
      phrases,
      applyLayoutRules(
        tokens,
        phrases,
        phrases.map((p) => classifyPhrase(tokens, p, res, context)),
        res,
      ),
      res,
    );
    for (const found of decided) {
      if (!found || found.score < minScore || !wanted.includes(found.type)) continue;
      if (found.rule !== 'person:title' && inLogLine(found.start)) continue;
      findings.push({
        type: found.type,
        start: found.start,
        end: found.end,
        score: found.score,
        recognizer: `${name}:${found.rule}`,
      });
    }
    if (wanted.includes('person_name')) {
      for (const f of findLowercaseNames(tokens, res.names, res.lexicon)) {
        if (f.score < minScore || inLogLine(f.start)) continue;
        const recognizer = `${name}:${f.rule}`;
        findings.push({ type: 'person_name', start: f.start, end: f.end, score: f.score, recognizer });
      }
    }
    return findings;
  }

  return { name, types: NER_TYPES, analyze };
}

/** Cheap test before splitting lines: does any line start like a log line at all? */
const LOG_LINE_PRECHECK = /(?:^|\n)\s*(?:\[?\d|\[?[A-Z]{3,8}\b|[A-Z][a-z]{2} [ \d]\d )/u;
