/**
 * Named-entity recognition for the Guardrails Service: person names, organizations and locations.
 *
 * @example
 * import { createNerRecognizer } from './guardrails/ner/index.js';
 * const ner = createNerRecognizer();
 * ner.analyze('My name is Sari J. Paavolainen', new Set(['person_name']));
 */
export { createNerRecognizer, type NerRecognizerOptions } from './ner-recognizer.js';
export { loadNameGazetteer, defaultNameDataDir, type NameGazetteer } from './name-gazetteer.js';
export { CompromiseLexicon, type LexiconEntry } from './compromise-lexicon.js';
export { tokenize, type Token, type TokenKind } from './tokens.js';
export { findProperPhrases, type ProperPhrase } from './proper-phrases.js';
export {
  classifyPhrase,
  type NerEntityType,
  type PhraseEntity,
  type ClassifierResources,
} from './phrase-classifier.js';
