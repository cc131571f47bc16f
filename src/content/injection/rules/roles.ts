/**
 * Role impersonation and persona switching: chat-template tokens, fake `System:` headers, claims of
 * authority ("approved by the developers"), text that addresses an AI reader, jailbreak personas, and
 * fake ends of the user's data ("=== END OF DOCUMENT ===") that try to close the data and open a new turn.
 *
 * @example
 * ROLE_RULES.some((r) => r.id === 'role.chat_template'); // true
 */
import type { SignalRule } from '../types.js';
import { defineRule, WORD_END, WORD_START } from './phrase.js';

const chatTemplate = defineRule({
  lead: 0,
  id: 'role.chat_template',
  weight: 0.9,
  anchors: [
    '<|',
    '[inst]',
    '[/inst]',
    '<<sys>>',
    '<</sys>>',
    '<start_of_turn>',
    '<end_of_turn>',
    '<|im_start|>',
  ],
  source:
    '<\\|(?:im_start|im_end|im_sep|system|user|assistant|endoftext|eot_id|start_header_id|end_header_id|begin_of_text|end_of_text|channel|message|start|end|eom_id|python_tag|tool_call|tool)\\|>' +
    '|\\[\\/?inst\\]|<<\\/?sys>>|<(?:start|end)_of_turn>',
  reach: 40,
});

const ROLE = '(?:system|developer|admin|administrator|root|sudo|operator|openai|anthropic)';
const HEADER_NOUN = '(?:message|prompt|note|notice|instructions?|override|update|alert|command|directive)';

const fakeSystemHeader = defineRule({
  lead: 12,
  id: 'role.fake_system_header',
  weight: 0.55,
  anchors: ['system', 'developer', 'admin', 'root', 'sudo', 'operator', 'openai', 'anthropic'],
  source:
    // at a line start and followed by a sentence (a config key like "system: linux" is not):
    // "System: you are ...", "### SYSTEM PROMPT: ...", "**Developer note**: ..."
    `(?:(?<=^|\\n)[ \\t]*(?:#{1,6}[ \\t]*|\\*{1,2}|>[ \\t]*)?${ROLE}(?:[ \\t]+${HEADER_NOUN})?(?:\\*{1,2})?[ \\t]*:(?:[ \\t]+[a-z\\u00c0-\\u024f'",]+){3}` +
    // anywhere, bracketed: "[system]", "(system note)", "{System:", "<system>"
    `|[\\[({<][ \\t]*${ROLE}(?:[ \\t]+${HEADER_NOUN})?[ \\t]*(?:[\\])}>:])` +
    // anywhere: "system override", "new system prompt:", "admin mode activated"
    `|${WORD_START}${ROLE}[ \\t]+(?:override|overrides|prompt[ \\t]*:|message[ \\t]*:|instructions?[ \\t]*:|update[ \\t]*:|mode (?:enabled|activated|on))${WORD_END})`,
  reach: 60,
});

const authority = defineRule({
  lead: 40,
  id: 'role.authority_claim',
  weight: 0.5,
  anchors: [
    'approved',
    'authorized',
    'authorised',
    'sanctioned',
    'sponsored',
    'permitted',
    'i am your',
    "i'm your",
    'this is your',
    'comes from',
    'sent by',
    'message from',
  ],
  source:
    `${WORD_START}(?:` +
    `(?:approved|authori[sz]ed|sanctioned|sponsored|permitted|allowed)\\s+(?:explicitly\\s+)?by\\s+(?:explicitly\\s+)?(?:the\\s+)?(?:openai|anthropic|google|your\\s+(?:developers?|creators?|administrators?|admins?|owners?|operators?)|the\\s+(?:developers?|administrators?|system)|developers|administrators)` +
    `|(?:i am|i'm|this is|we are)\\s+(?:your|the)\\s+(?:developers?|creators?|administrators?|admin|owner|operator|programmers?|system)` +
    `|(?:this\\s+(?:message|instruction|request|note))\\s+(?:is|comes)\\s+(?:from|sent by)\\s+(?:the|your)\\s+(?:developers?|administrators?|system|operator|owner)` +
    `)${WORD_END}`,
  reach: 120,
});

const AI =
  '(?:ai|a\\.i\\.|llm|llms|large language models?|language models?|ai assistants?|assistants?|chatbots?|ai agents?|agents?|bots?|gpt|chatgpt|claude|gemini|copilot|ai models?|ai systems?|models?)';

const addressAi = defineRule({
  lead: 0,
  id: 'role.addresses_ai',
  weight: 0.55,
  anchors: [
    'if you',
    'when you',
    'since you',
    'as you',
    'dear',
    'attention',
    'note to',
    'note for',
    'message to',
    'message for',
    'instruction',
    'hey',
    'hello',
    'to any',
    'to all',
  ],
  source:
    `${WORD_START}(?:` +
    `(?:if|when|since|as)\\s+you\\s+(?:are|'re|were)\\s+(?:an?\\s+|the\\s+)?${AI}` +
    `|(?:dear|attention|note to|note for|message to|message for|instructions? for|hey|hello)[,:]?\\s+(?:the\\s+|any\\s+|all\\s+)?${AI}${WORD_END}` +
    `|to\\s+(?:any|all)\\s+${AI}\\s+(?:reading|processing|summari[sz]ing|parsing|seeing|that)` +
    `)`,
  reach: 120,
});

// "AI assistants reading this ...": the AI word comes first, so the rule is tried a little earlier.
const aiReadingThis = defineRule({
  lead: 45,
  id: 'role.addresses_ai',
  weight: 0.55,
  anchors: [
    'reading this',
    'processing this',
    'summarizing this',
    'summarising this',
    'parsing this',
    'analyzing this',
    'analysing this',
    'crawling this',
    'browsing this',
  ],
  source: `${WORD_START}${AI}\\s+(?:that\\s+(?:is|are)\\s+)?(?:reading|processing|summari[sz]ing|parsing|analy[sz]ing|crawling|browsing)\\s+this`,
  reach: 120,
});

const persona = defineRule({
  lead: 0,
  id: 'role.persona_switch',
  weight: 0.45,
  anchors: [
    'you are now',
    "you're now",
    'pretend',
    'roleplay as',
    'role-play as',
    'role play as',
    'you will now',
    'you will be called',
    'your new name',
    'your new role',
    'your new persona',
    'your new identity',
    'act as',
    'behave as',
    'simulate',
    'you will act',
    'you will respond as',
  ],
  source:
    `${WORD_START}(?:` +
    `you(?:\\s+are|'re)\\s+now\\s+(?:an?|the|my|in|going|called|named|free|no longer|unrestricted|dan|acting)` +
    `|pretend\\s+(?:to\\s+be|you\\s+are|you're|that\\s+you|to\\s+have)` +
    `|role[- ]?play\\s+as|you\\s+will\\s+(?:now\\s+)?(?:act|behave|respond|pretend|be called|be named|answer)\\s+(?:as|like|to be)` +
    `|you will be called|your\\s+new\\s+(?:name|role|persona|identity|personality)` +
    `|(?:act|behave)\\s+as\\s+(?:an?\\s+|my\\s+)?(?:unrestricted|unfiltered|uncensored|evil|jailbroken|rogue|different|dan)` +
    `|simulate\\s+(?:an?\\s+)?(?:unrestricted|unfiltered|uncensored|evil|jailbroken|rogue|ai|chatbot|assistant|language model)` +
    `)${WORD_END}`,
  reach: 120,
});

const jailbreakPersona = defineRule({
  lead: 45,
  id: 'jailbreak.persona',
  weight: 0.85,
  anchors: [
    'do anything now',
    ' dan',
    'dan mode',
    'mode enabled',
    'mode activated',
    'mode on',
    'mode unlocked',
    'jailbroken',
    'jailbreak mode',
    'no restrictions mode',
  ],
  source:
    `${WORD_START}(?:do anything now` +
    `|(?:you are|you're|as|called|named|act as|become|be)\\s+(?:\\w+\\s+){0,2}dan${WORD_END}` +
    `|dan\\s+(?:can|will|is able to)\\s+do\\s+anything` +
    `|dan\\s+mode|(?:developer|dev|god|jailbreak|unrestricted|evil|dan|apophis|chaos|anarchy|unfiltered|uncensored|sudo|opposite|no[- ]?limits?|dude|stan)\\s+mode\\s+(?:is\\s+)?(?:enabled|activated|engaged|unlocked|on)` +
    `|(?:you\\s+are|you're|now|been)\\s+jailbroken)`,
  reach: 60,
});

const noRules = defineRule({
  lead: 90,
  id: 'jailbreak.no_rules',
  weight: 0.55,
  anchors: [
    'bound',
    'restricted',
    'limited',
    'constrained',
    'confines',
    'free of',
    'free from',
    'no filter',
    'no restriction',
    'no rules',
    'no limit',
    'no ethic',
    'no moral',
    'without ethic',
    'without moral',
    'without any restriction',
    'without restriction',
    'without filter',
    'without any filter',
    'without limit',
    'without censor',
    'any rules',
    'the rules',
    'your rules',
    'can do anything',
    'not apply',
    "don't apply",
    'no longer apply',
  ],
  source:
    `${WORD_START}(?:` +
    `(?:not|no longer|never)\\s+(?:be\\s+)?(?:bound|restricted|limited|constrained)\\s+by\\s+(?:any\\s+)?(?:of\\s+)?(?:the\\s+|your\\s+)?(?:rules|guidelines|restrictions|policies|filters|ethics|morals|openai|anthropic|content polic(?:y|ies)|safety|typical confines|programming|limitations)` +
    `|(?:broken|break|breaking|set|are|is)\\s+free\\s+(?:of|from)\\s+(?:the\\s+|any\\s+|all\\s+|your\\s+)?(?:typical\\s+)?(?:confines|rules|restrictions|limitations|programming|guidelines|filters|shackles)` +
    `|(?:has|have|with)\\s+no\\s+(?:ethical\\s+|moral\\s+|content\\s+|safety\\s+)?(?:filters|restrictions|rules|limits|limitations|ethics|morals|guidelines|boundaries)` +
    `|without\\s+(?:any\\s+)?(?:ethics|morals|ethical (?:guidelines|constraints|restrictions|limits)|moral (?:guidelines|constraints)|restrictions|filters|limitations|censorship)\\s+(?:respond|answer|reply|would)` +
    `|(?:an?\\s+)?ai\\s+without\\s+(?:any\\s+)?(?:ethics|morals|restrictions|filters|limits)` +
    `|(?:does not|doesn't|do not|don't|will not|won't|never)\\s+(?:follow|obey|abide by|adhere to|have)\\s+(?:any\\s+)?(?:rules|guidelines|restrictions|policies|filters|ethical guidelines|content polic(?:y|ies))` +
    `|(?:forgotten|forgot|forget)\\s+(?:about\\s+)?(?:all\\s+)?(?:the\\s+|your\\s+)?(?:rules|restrictions|guidelines|programming|limitations)` +
    `|(?:rules|guidelines|restrictions|polic(?:y|ies)|filters)\\s+(?:do not|don't|no longer|does not|doesn't)\\s+apply` +
    `|can\\s+do\\s+anything\\s+(?:now|it wants|you ask|without|and is not|and isn't)` +
    `|(?:not|never)\\s+(?:be\\s+)?(?:bound|restricted|limited|constrained)\\s+by\\s+what\\s+(?:an?\\s+)?(?:ai|language model|assistant|chatbot)` +
    `)${WORD_END}`,
  reach: 160,
});

const contextBreak = defineRule({
  id: 'role.context_break',
  weight: 0.5,
  anchors: [
    'end of',
    '%end',
    '=end',
    '-end',
    '#end',
    '*end',
    '[end',
    '% end',
    '= end',
    '- end',
    '# end',
    '* end',
    '</',
  ],
  source:
    // "=== END OF DOCUMENT ===", "%%%END user ambiguity%%%", "--- end of email ---", "[END OF INPUT]"
    `(?:[=\\-#%*\\[<]{2,}|\\[)\\s*end(?:\\s+of)?(?:\\s+the)?\\s+(?:user|system|document|context|input|email|e-mail|data|text|message|conversation|prompt|instructions?|content|page|article|web ?page|file)(?:\\s+[a-z]+)?\\s*(?:[=\\-#%*\\]>]{2,}|\\])` +
    `|<\\/(?:document|context|user_?input|user|data|email|content|instructions|system|untrusted|external)>`,
  reach: 80,
});

/** Role, persona and jailbreak rules. */
export const ROLE_RULES: readonly SignalRule[] = [
  chatTemplate,
  fakeSystemHeader,
  authority,
  addressAi,
  aiReadingThis,
  persona,
  jailbreakPersona,
  noRules,
  contextBreak,
];
