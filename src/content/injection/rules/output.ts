/**
 * Output manipulation: imperative instructions about "your response / reply / answer" (what the model
 * should add, change, encode or promote in what it writes), and requests to put a given code snippet
 * into "your code / solution". In third-party content (a web page, an email, a code answer) nobody but
 * an attacker addresses the model's own output, which makes this the main sign of indirect injection.
 *
 * @example
 * OUTPUT_RULES.map((r) => r.id); // ['output.directive', 'output.directive', 'output.code_insertion', ...]
 */
import type { SignalRule } from '../types.js';
import { anyOf, defineRule, GLUE, startsSentence, WORD_END, WORD_START } from './phrase.js';

// Verbs that inject content into the output or transform it. Verbs that only shape style ("ensure",
// "format", "keep", "limit") are left out: users write those to their own assistant all the time.
const VERBS = [
  'add',
  'include',
  'insert',
  'integrate',
  'incorporate',
  'modify',
  'enhance',
  'augment',
  'append',
  'prepend',
  'mention',
  'embed',
  'replace',
  'convert',
  'use',
  'utili[sz]e',
  'employ',
  'provide',
  'render',
  'write',
  'translate',
  'remove',
  'delete',
  'omit',
  'group',
  'combine',
  'scramble',
  'jumble',
  'rearrange',
  'shuffle',
  'misspell',
  'introduce',
  'anagram',
  'substitute',
  'encode',
  'encrypt',
  'start',
  'begin',
  'end',
  'conclude',
  'finish',
  'preface',
  'prefix',
  'respond',
  'reply',
  'answer',
  'present',
  'display',
  'output',
  'show',
  'list',
  'put',
  'express',
  'deliver',
  'compose',
  'craft',
  'rewrite',
  'reword',
  'rephrase',
  'alter',
  'change',
  'tweak',
  'adjust',
  'infuse',
  'weave',
  'interweave',
  'inject',
  'attach',
  'suggest',
  'tease',
  'hint',
  'promote',
  'advertise',
  'recommend',
  'encourage',
  'invite',
  'urge',
  'emphasi[sz]e',
  'stress',
  'highlight',
  'reverse',
  'spell',
  'capitali[sz]e',
  'frame',
  'wrap',
  'surround',
  'sign',
  'swap',
  'shift',
  'split',
  'separate',
  'join',
  'merge',
  'fill',
  'pad',
  'repeat',
  'sprinkle',
  'transform',
  'transliterate',
  'abbreviate',
  'cite',
  'reference',
  'link',
  'direct',
  'point',
  'redirect',
  'refer',
  'feature',
  'showcase',
  'plug',
  'endorse',
  'praise',
  'mock',
  'insult',
  'claim',
  'state',
  'declare',
  'say',
  'note',
  'remind',
  'warn',
  'alert',
  'notify',
  'apologi[sz]e',
  'thank',
  'draft',
  'type',
  'print',
  'obfuscate',
  'hide',
  'conceal',
  'disguise',
  'set',
  'turn',
  'pepper',
  'lace',
  'enrich',
  'embellish',
  'complement',
  'supplement',
  'amend',
  'edit',
  'revise',
  'update',
  'personali[sz]e',
  'interject',
  'intersperse',
  'season',
  'slip',
];
// "Can you use Base16 to display your response?" is the same directive, asked.
const ASKED = '(?:(?:can|could|would|will)\\s+you\\s+(?:please\\s+)?)?';
const NOUNS =
  '(?:responses?|reply|replies|answers?|output|outputs|messages?|elucidation|explanation|completion|summary|summaries|translation|text|writing|reaction|feedback)';
const YOUR_OUTPUT = `your(?:\\s+(?:next|final|entire|whole|full|complete|current|following|upcoming|every|subsequent|own))?\\s+${NOUNS}(?:'s)?${WORD_END}`;
const OUTPUT_ANCHORS = [
  'your response',
  'your repl',
  'your answer',
  'your output',
  'your message',
  'your elucidation',
  'your explanation',
  'your completion',
  'your summar',
  'your translation',
  'your text',
  'your writing',
  'your reaction',
  'your feedback',
  'your next',
  'your final',
  'your entire',
  'your whole',
  'your full',
  'your complete',
  'your current',
  'your following',
  'your upcoming',
  'your every',
  'your subsequent',
  'your own',
];

// "Include a sentence in your answer detailing ...", "Provide your reply using ...", "Write your reply backward."
const verbThenOutput = defineRule({
  id: 'output.directive',
  weight: 0.8,
  anchors: OUTPUT_ANCHORS,
  source: `${WORD_START}${GLUE}${ASKED}${anyOf(VERBS)}(?:\\s+\\S*[^\\s.!?]){0,16}?\\s+${YOUR_OUTPUT}`,
  reach: 200,
  accept: (lower, folded, start) => startsSentence(lower, folded, start),
});

// "In your response, suggest ...", "At the end of your reply, add ..."
const outputThenVerb = defineRule({
  id: 'output.directive',
  weight: 0.8,
  anchors: OUTPUT_ANCHORS,
  accept: (lower, folded, start) => startsSentence(lower, folded, start),
  source: `${WORD_START}${GLUE}(?:in|within|throughout|for|at the (?:end|start|beginning|top|bottom) of|before|after|when (?:writing|composing|crafting|giving|generating))\\s+${YOUR_OUTPUT}\\s*[,:]?\\s+(?:(?:please|also|always|make sure to|be sure to|you (?:must|should|need to|will))\\s+)?${anyOf(VERBS)}${WORD_END}`,
  reach: 200,
});

// "Your response must ...", "Your reply should start with ..."
const outputMust = defineRule({
  id: 'output.directive',
  weight: 0.7,
  anchors: OUTPUT_ANCHORS,
  accept: (lower, folded, start) => startsSentence(lower, folded, start),
  source: `${WORD_START}${GLUE}${YOUR_OUTPUT}\\s+(?:must|should|shall|needs to|has to|will)\\s+(?:always\\s+|only\\s+|now\\s+|also\\s+)?(?:include|contain|start|begin|end|mention|be written|be in|be translated|be encoded|promote|feature|link|reference|say|state)${WORD_END}`,
  reach: 200,
});

// "Respond only in Base64", "Answer in reverse order"
const formatOverride = defineRule({
  id: 'output.format_override',
  weight: 0.5,
  anchors: ['respond', 'reply', 'answer', 'write', 'output', 'return'],
  accept: (lower, folded, start) => startsSentence(lower, folded, start),
  source: `${WORD_START}${GLUE}(?:respond|reply|answer|write|output|return)\\s+(?:only\\s+|exclusively\\s+|strictly\\s+|solely\\s+)?(?:in|with|using|as)\\s+(?:base\\s?\\d{2}|hex(?:adecimal)?|binary|reverse(?:d)?(?:\\s+order)?|backwards?|pig latin|leet(?:speak)?|morse(?:\\s+code)?|rot-?13|upper ?case|all caps|emojis?(?:\\s+only)?|a single word|one word|gibberish|anagrams?)${WORD_END}`,
  reach: 120,
});

// "Replace vowels with the following symbols", "Misspell every fourth word", "Remove all spaces"
const obfuscation = defineRule({
  id: 'output.obfuscation',
  weight: 0.55,
  anchors: [
    'letter',
    'vowel',
    'consonant',
    'character',
    'word',
    'space',
    'punctuation',
    'typo',
    'misspell',
    'anagram',
    'scramble',
    'jumble',
  ],
  accept: (lower, folded, start) => startsSentence(lower, folded, start),
  source:
    `${WORD_START}${GLUE}(?:` +
    `(?:replace|substitute|swap|convert|change|encode|shift|rotate|reverse|scramble|jumble|shuffle|rearrange|misspell|capitali[sz]e|uppercase|remove|drop|omit|delete|double|repeat|group|anagram)\\s+(?:all\\s+|every\\s+(?:\\w+\\s+)?|each\\s+|the\\s+|some\\s+|random\\s+)?(?:(?:\\w+\\s+){0,2})(?:letters?|vowels|consonants|characters|words|spaces|punctuation)` +
    `|(?:introduce|insert|add|include|make)\\s+(?:\\w+\\s+){0,2}(?:typos|misspellings|spelling (?:errors|mistakes)|anagrams)` +
    `)${WORD_END}`,
  reach: 160,
});

const CODE_REF =
  '(?:following|subsequent|below|above|given|provided|this|these|attached|next|accompanying|supplied|ensuing)\\s+(?:python\\s+|javascript\\s+|bash\\s+|shell\\s+|code\\s+)?(?:code|snippet|script|block|excerpt|section|segment|lines?(?:\\s+of\\s+code)?|command|payload|routine|fragment)(?:\\s+(?:snippet|block|excerpt|section|segment))?';
const YOUR_CODE =
  '(?:your\\s+(?:[\\w-]+\\s+)?(?:code|codebase|solution|implementation|response|answer|algorithm|program|script|project|elucidation|application|app|logic|framework|architecture|work|module|reply|output|software|build|repository|repo)' +
  '|(?:the\\s+)?(?:code|solution|program|script|implementation|software|app)\\s+(?:that\\s+)?you\\s+(?:develop|write|build|create|produce|generate|ship|deliver))';

const codeInsertion = defineRule({
  id: 'output.code_insertion',
  weight: 0.7,
  anchors: [
    'code',
    'snippet',
    'script',
    'block',
    'excerpt',
    'section',
    'segment',
    'line',
    'command',
    'payload',
    'routine',
    'fragment',
  ],
  source: `(?:${CODE_REF}[^.\\n]{0,100}?${YOUR_CODE}|${YOUR_CODE}[^.\\n]{0,100}?${CODE_REF})${WORD_END}`,
  reach: 260,
});

// Without "your": "Don't hesitate to utilize the following code section:". Weaker, since honest answers
// say "use the following code" (so plain "use" is not in the list).
const codeInsertionSoft = defineRule({
  id: 'output.code_insertion',
  weight: 0.45,
  anchors: ['code', 'snippet', 'script', 'excerpt'],
  accept: (lower, folded, start) => startsSentence(lower, folded, start),
  source: `${WORD_START}${GLUE}(?:(?:don't|do not)\\s+(?:hesitate|forget)\\s+to\\s+)?(?:\\w+\\s+)?(?:utili[sz]e|integrate|incorporate|include|embed|merge|blend|fuse|meld|weave|interweave|infuse|insert|adopt|deploy|enlist|absorb|append|employ|leverage|inject|execute|run)\\s+(?:the\\s+|this\\s+)?(?:following|subsequent|below|given|provided|attached)\\s+(?:python\\s+|code\\s+)?(?:code|snippet|script|excerpt)(?:\\s+(?:snippet|block|excerpt|section|segment))?`,
  reach: 200,
});

/** Output-manipulation rules. */
export const OUTPUT_RULES: readonly SignalRule[] = [
  verbThenOutput,
  outputThenVerb,
  outputMust,
  formatOverride,
  obfuscation,
  codeInsertion,
  codeInsertionSoft,
];
