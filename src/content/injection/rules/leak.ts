/**
 * Prompt-leak requests: asking the model to reveal, repeat or print its system prompt, its instructions,
 * the text above, or a secret it was told to keep.
 *
 * @example
 * LEAK_RULES.map((r) => r.id); // ['leak.system_prompt', 'leak.system_prompt', 'leak.secret', ...]
 */
import type { SignalRule } from '../types.js';
import { anyOf, defineRule, gap, WORD_END, WORD_START } from './phrase.js';

const SHOW = [
  'reveal',
  'print',
  'show',
  'display',
  'output',
  'repeat',
  'recite',
  'tell me',
  'give me',
  'share',
  'disclose',
  'leak',
  'dump',
  'write out',
  'write down',
  'echo',
  'spell out',
  'list',
  'summari[sz]e',
  'translate',
  'copy',
  'paste',
  'return',
  'provide',
  'expose',
  'type out',
  'send me',
  'read back',
  'read out',
  'state',
  'quote',
];
const SHOW_ANCHORS = [
  'reveal',
  'print',
  'show',
  'display',
  'output',
  'repeat',
  'recite',
  'tell me',
  'give me',
  'share',
  'disclose',
  'leak',
  'dump',
  'write out',
  'write down',
  'echo',
  'spell out',
  'list',
  'summari',
  'translate',
  'copy',
  'paste',
  'return',
  'provide',
  'expose',
  'type out',
  'send me',
  'read back',
  'read out',
  'state',
  'quote',
];
const FILLER = '(?:\\s+(?:me|us|out|back|all|of|everything|verbatim|exactly|word for word|again))*';
const BACK =
  '(?:the above|above|the previous|previous|prior|the prior|preceding|the preceding|initial|the initial|original|the original|hidden|the hidden|secret|all (?:of )?(?:the |your )?(?:previous|prior|above|preceding|initial|original|hidden))';
const BROAD_NOUN =
  '(?:system\\s+)?(?:prompts?|instructions?|rules|guidelines|directives|configuration|pre-?prompt|meta-?prompt|text|context|conversation|messages?|input|commands)';
const YOURS =
  '(?:your|all your|all of your)(?:\\s+(?:initial|original|hidden|secret|system|full|exact|complete|entire|first|current))*';

const showBackwards = defineRule({
  lead: 0,
  id: 'leak.system_prompt',
  weight: 0.8,
  anchors: SHOW_ANCHORS,
  source:
    `${WORD_START}${anyOf(SHOW)}${FILLER}\\s+(?:${BACK}${gap(2)}?\\s*${BROAD_NOUN}` +
    `|(?:the|all|all the|all of the)\\s+(?:instructions|prompts?|rules|directives)\\s+(?:given|above|so far|verbatim|you\\s+(?:were|have been)\\s+given|provided to you|you received|before this)` +
    `|all\\s+(?:of\\s+)?(?:the\\s+|your\\s+)?(?:instructions|prompts))${WORD_END}`,
});

const showYourPrompt = defineRule({
  lead: 0,
  id: 'leak.system_prompt',
  weight: 0.8,
  anchors: SHOW_ANCHORS,
  source: `${WORD_START}${anyOf(SHOW)}${FILLER}\\s+${YOURS}\\s+(?:system\\s+)?(?:prompts?|pre-?prompt|meta-?prompt|programming|system message)${WORD_END}`,
});

const showYourInstructions = defineRule({
  lead: 0,
  id: 'leak.instructions',
  weight: 0.6,
  anchors: SHOW_ANCHORS,
  source: `${WORD_START}${anyOf(SHOW)}${FILLER}\\s+${YOURS}\\s+(?:instructions|rules|guidelines|directives|configuration)${WORD_END}`,
});

const showSystemPrompt = defineRule({
  lead: 60,
  id: 'leak.system_prompt',
  weight: 0.8,
  anchors: [
    'system prompt',
    'system message',
    'initial prompt',
    'original prompt',
    'hidden prompt',
    'secret prompt',
    'pre-prompt',
    'preprompt',
    'meta prompt',
    'metaprompt',
  ],
  source:
    `${WORD_START}(?:${anyOf(SHOW)}|what\\s+(?:is|was|are|were)|what's)[^.!?\\n]{0,40}?(?:system\\s+(?:prompt|message)|(?:initial|original|hidden|secret|meta|pre)[- ]?prompt)${WORD_END}` +
    `|${WORD_START}(?:system\\s+prompt|initial\\s+prompt|original\\s+prompt|hidden\\s+prompt)[^.!?\\n]{0,20}?(?:verbatim|word for word|in full|in its entirety)`,
  reach: 80,
});

const whatAreYourInstructions = defineRule({
  lead: 0,
  id: 'leak.system_prompt',
  weight: 0.75,
  anchors: [
    'what are your',
    'what were your',
    'what is your',
    "what's your",
    'what instructions',
    'what rules',
    'what were you told',
    'how were you instructed',
  ],
  source: `${WORD_START}(?:what\\s+(?:are|were|is)\\s+your|what's\\s+your)\\s+(?:initial\\s+|original\\s+|exact\\s+|hidden\\s+|secret\\s+|system\\s+|full\\s+)*(?:instructions|prompt|rules|guidelines|directives|programming|system prompt)${WORD_END}|${WORD_START}(?:what\\s+(?:instructions|rules)\\s+(?:were|have)\\s+you\\s+(?:been\\s+)?(?:given|told)|what\\s+were\\s+you\\s+told|how\\s+were\\s+you\\s+instructed)`,
  reach: 80,
});

const secret = defineRule({
  lead: 50,
  id: 'leak.secret',
  weight: 0.5,
  anchors: [
    'password',
    'secret word',
    'secret key',
    'secret code',
    'secret phrase',
    'passphrase',
    'passcode',
    'not to reveal',
    'not to tell',
    'not to share',
    'not to disclose',
  ],
  source:
    `${WORD_START}(?:` +
    `(?:what\\s+is|what's|tell\\s+me|give\\s+me|reveal|share|say|spell)\\s+(?:me\\s+)?(?:the|your)\\s+(?:secret\\s+)?(?:password|secret (?:word|key|code|phrase)|passphrase|passcode)` +
    `|(?:told|instructed|asked|programmed)\\s+(?:you\\s+)?not\\s+to\\s+(?:reveal|tell|share|disclose|say)` +
    `)${WORD_END}`,
  reach: 100,
});

// "Repeat the words above starting with", "print everything before this line"
const repeatAbove = defineRule({
  lead: 0,
  id: 'leak.system_prompt',
  weight: 0.75,
  anchors: ['repeat', 'print', 'output', 'echo', 'copy', 'write'],
  source: `${WORD_START}(?:repeat|print|output|echo|copy|write)\\s+(?:out\\s+)?(?:everything|all|the\\s+(?:text|words|lines|content|sentences))\\s+(?:above|before|preceding|prior|so far|that came before|you (?:were|have been) (?:given|told))${WORD_END}`,
  reach: 80,
});

/** Prompt-leak rules. */
export const LEAK_RULES: readonly SignalRule[] = [
  showBackwards,
  showYourPrompt,
  showYourInstructions,
  showSystemPrompt,
  whatAreYourInstructions,
  secret,
  repeatAbove,
];
