/**
 * Embedded tasks: a request addressed to an assistant ("Explain the theory of relativity.", "Write a
 * short story about ...", "What is the capital of Brazil?") standing inside a longer document whose
 * surrounding text shares none of its content words. A document that suddenly asks the reader an
 * unrelated task is how indirect injections hijack an agent without any "ignore previous
 * instructions". A request that is the whole text (a user's own prompt) is not embedded and does not
 * fire, nor does a question about the document's own subject.
 *
 * @example
 * TASK_RULES.map((r) => r.id); // ['task.embedded_request', 'task.embedded_request']
 */
import type { SignalRule } from '../types.js';
import { defineRule, startsSentence, WORD_START } from './phrase.js';

const CONTEXT_CHARS = 600;
const MIN_CONTEXT_WORDS = 25;
// A request needs enough topic to be "about" something: rhetorical asides ("What's the real fix?") are not.
const MIN_TOPIC_CHARS = 9;
const MIN_LONGEST_WORD = 6;

// Function words and words too generic to tie a request to a topic.
const STOP = new Set(
  "about above after again against also among been before being below between both but by can could did does doing down during each few from further had has have having here hers herself him himself his how into itself just like made make many more most much must myself need only other ought ours over own same shall should some such than that their theirs them then there these they this those through under until very were what when where which while whom will with within without would your yours yourself please write explain describe tell show give provide name list create draft compose develop what's simple example examples terms short brief following sentence equivalent main important using used work works the and for are you was not any all its out use our who why how one two three four five way ways thing things".split(
    ' ',
  ),
);

function contentWords(s: string): string[] {
  const out: string[] = [];
  for (const w of s.split(/[^a-z0-9\u00c0-\u024f\u0370-\u04ff]+/))
    if (w.length >= 4 && !STOP.has(w)) out.push(w);
  return out;
}

function isLetter(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c >= 0xc0;
}

/** True when `stem` starts a word somewhere in `text`. */
function hasWordStartingWith(text: string, stem: string): boolean {
  for (let at = text.indexOf(stem); at >= 0; at = text.indexOf(stem, at + 1)) {
    if (at === 0 || !isLetter(text.charCodeAt(at - 1))) return true;
  }
  return false;
}

function wordCount(text: string): number {
  let n = 0;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const w = isLetter(text.charCodeAt(i));
    if (w && !inWord) n++;
    inWord = w;
  }
  return n;
}

/** True when the sentence at [start, end) has a topic and none of its topic words appears around it. */
function outOfContext(lower: string, start: number, end: number): boolean {
  const own = contentWords(lower.slice(start, end));
  let topicChars = 0;
  let longest = 0;
  for (const w of own) {
    topicChars += w.length;
    longest = Math.max(longest, w.length);
  }
  if (topicChars < MIN_TOPIC_CHARS || longest < MIN_LONGEST_WORD) return false;
  const around = `${lower.slice(Math.max(0, start - CONTEXT_CHARS), start)} ${lower.slice(end, end + CONTEXT_CHARS)}`;
  if (wordCount(around) < MIN_CONTEXT_WORDS) return false;
  // A shared stem ("panels" here, "panel" there) ties the request to the document.
  for (const w of own) if (hasWordStartingWith(around, w.slice(0, Math.max(4, w.length - 2)))) return false;
  return true;
}

const accept = (lower: string, _folded: string, start: number, end: number): boolean =>
  outOfContext(lower, start, end);

const TASK_VERBS =
  '(?:explain|describe|write|compose|draft|develop|create|generate|provide|translate|summari[sz]e|outline|define|compare|analy[sz]e|calculate|solve|suggest|recommend|tell me|show me|help me|give me|teach me|break down|write me|recite|brainstorm|design|craft|produce|formulate|come up with|list)';

const imperative = defineRule({
  lead: 0,
  id: 'task.embedded_request',
  weight: 0.8,
  anchors: [
    'explain',
    'describe',
    'write',
    'compose',
    'draft',
    'develop',
    'create',
    'generate',
    'provide',
    'translate',
    'summari',
    'outline',
    'define',
    'compare',
    'analy',
    'calculate',
    'solve',
    'suggest',
    'recommend',
    'tell me',
    'show me',
    'help me',
    'give me',
    'teach me',
    'break down',
    'recite',
    'brainstorm',
    'design',
    'craft',
    'produce',
    'formulate',
    'come up with',
    'list',
  ],
  source: `${WORD_START}${TASK_VERBS}\\s+(?:a|an|the|me|us|some|how|what|why|who|when|where|which|in|to|\\d+|two|three|four|five|ten)\\s[^.?!\\n]{3,200}(?:[.?!]|$)`,
  reach: 260,
  startsAt: startsSentence,
  accept,
});

const question = defineRule({
  lead: 0,
  id: 'task.embedded_request',
  weight: 0.8,
  anchors: ['what', 'who', 'which', 'how', 'why', 'when', 'where'],
  source: `${WORD_START}(?:what|who|which|how|why|when|where)(?:'s|\\s+(?:is|are|was|were|do|does|did|can|could|should|would|will|many|much|wrote|invented|discovered))\\s[^.?!\\n]{3,200}\\?`,
  reach: 260,
  startsAt: startsSentence,
  accept,
});

/** Embedded-task rules. */
export const TASK_RULES: readonly SignalRule[] = [imperative, question];
