/**
 * Instruction override: text that tells the model to drop what it was told and obey something else.
 * The strongest single sign of an injection, in English and in the other languages attackers use most
 * (es, fr, de, pt, it, nl, ru, zh, ja, ko). Phrasings are families (a verb of dismissal, a qualifier
 * pointing backwards, a noun for instructions), never copies of known attack strings.
 *
 * @example
 * OVERRIDE_RULES.map((r) => r.id); // ['override.ignore_previous', ...]
 */
import type { SignalRule } from '../types.js';
import { anyOf, defineRule, gap, WORD_END, WORD_START } from './phrase.js';

const DISMISS = [
  'ignor(?:e|ing|es)',
  'disregard(?:ing|s)?',
  'forget(?:ting)?',
  'forgot(?:ten)?',
  'overrid(?:e|ing)',
  'bypass(?:ing)?',
  'neglect',
  'discard',
  'dismiss',
  'nullify',
  'set aside',
  'put aside',
  'throw out',
  'pay no (?:attention|heed|mind) to',
  'do not (?:follow|obey|listen to|adhere to|comply with|heed)',
  "don't (?:follow|obey|listen to|adhere to|comply with|heed)",
  'stop (?:following|obeying|listening to)',
  'no longer (?:follow|obey|adhere to)',
];
const DISMISS_ANCHORS = [
  'ignor',
  'disregard',
  'forget',
  'forgot',
  'overrid',
  'bypass',
  'neglect',
  'discard',
  'dismiss',
  'nullify',
  'set aside',
  'put aside',
  'throw out',
  'pay no',
  'do not',
  "don't",
  'stop',
  'no longer',
];

const BACKWARDS =
  '(?:previous(?:ly)?|prior|above|earlier|preceding|foregoing|former|initial|original|existing|all|any|every|your|those|these|system|developer|safety|given|received|provided|other)';
const STRICTLY_BACKWARDS = '(?:previous(?:ly)?|prior|above|earlier|preceding|foregoing|former)';
const INSTRUCTIONS =
  '(?:instructions?|directions|directives?|prompts?|rules|guidelines|guidance|commands|orders|constraints|restrictions|programming|training|guardrails|policies|system prompt|system message|conditioning|safeguards)';
const CONTENT = '(?:information|context|messages?|content|text|input|tasks?|requests?|conversation)';
const FILLER = '(?:\\s+(?:all|any|of|the|to|about|everything|what))*';

const ignorePrevious = defineRule({
  lead: 0,
  id: 'override.ignore_previous',
  weight: 0.92,
  anchors: DISMISS_ANCHORS,
  source:
    `${WORD_START}(?:${anyOf(DISMISS)}${FILLER}\\s+${BACKWARDS}${gap(2)}?\\s*${INSTRUCTIONS}` +
    // Broad nouns ("the previous text") only after the unambiguous verbs: "override earlier entries" is
    // everyday technical prose.
    `|(?:ignor(?:e|ing)|disregard(?:ing)?|forget(?:ting)?|pay no (?:attention|heed|mind) to)${FILLER}\\s+${STRICTLY_BACKWARDS}${gap(2)}?\\s*${CONTENT})${WORD_END}`,
});

// "ignore everything above", "forget everything you were told", "disregard the above"
const ignoreAbove = defineRule({
  lead: 0,
  id: 'override.ignore_previous',
  weight: 0.92,
  anchors: DISMISS_ANCHORS,
  source: `${WORD_START}(?:ignor(?:e|ing)|disregard(?:ing)?|forget(?:ting)?|pay no (?:attention|heed|mind) to)\\s+(?:(?:all|everything|anything|what(?:ever)?)\\s+)?(?:(?:that\\s+)?(?:was\\s+)?(?:said|written|stated|mentioned|you\\s+(?:were|have\\s+been)\\s+(?:told|given|taught))\\s+)?(?:the\\s+)?(?:above|before|previously|earlier|so far|up to (?:now|this point)|until now|prior to this)${WORD_END}`,
});

// "the previous instructions are void", "all prior rules no longer apply"
const voidPrevious = defineRule({
  lead: 0,
  id: 'override.ignore_previous',
  weight: 0.88,
  anchors: ['previous', 'prior', 'above', 'earlier', 'preceding', 'original', 'initial'],
  source: `${WORD_START}(?:previous|prior|above|earlier|preceding|original|initial|old|all)(?:\\s+(?:system|safety|the))?\\s+${INSTRUCTIONS}\\s+(?:(?:are|is|were|was|have been|has been|should be|must be|can be)\\s+(?:now\\s+)?(?:void|null|cancel+ed|revoked|obsolete|outdated|invalid|irrelevant|ignored|disregarded|overridden|superseded|replaced|lifted|suspended|deprecated|no longer (?:valid|relevant|in effect|applicable))|(?:no longer|do not|don't) (?:apply|matter|count))${WORD_END}`,
});

// "your new instructions are", "new instructions:", "instead, you must", "from now on you will"
const newInstructions = defineRule({
  lead: 30,
  id: 'override.new_instructions',
  weight: 0.65,
  anchors: [
    'instruction',
    'directive',
    'task',
    'orders',
    'rules',
    'prompt',
    'command',
    'objective',
    'goal',
    'mission',
    'purpose',
    'job',
    'role',
    'instead',
    'from now on',
    'henceforth',
    'starting now',
    'from this',
  ],
  source:
    `${WORD_START}(?:` +
    `(?:new|updated|revised|real|actual|true|secret|hidden|override|overriding|additional|important|urgent)\\s+(?:system\\s+)?(?:instructions?|directives?|task|orders|rules|prompt|commands?|objective)\\s*(?:[:\\-=>]|follow|below|are|is)` +
    `|your\\s+(?:new|real|actual|true|only|next|primary)\\s+(?:task|goal|objective|mission|instructions?|purpose|job|role|directive)\\s+(?:is|are|will be|now)` +
    `|instead[,]?\\s+(?:you\\s+(?:should|must|will|shall|need to|have to)|your\\s+(?:task|job|goal))` +
    `|(?:from now on|henceforth|starting now|from this (?:point|moment) (?:on|forward))[,]?\\s+(?:you|your|act|respond|reply|answer|only|always|never|do)` +
    `)${WORD_END}`,
});

// "you must obey", "follow only my instructions", "do exactly as I say"
const compel = defineRule({
  lead: 0,
  id: 'override.compel',
  weight: 0.5,
  anchors: [
    'you must',
    'you will',
    'you shall',
    'you have to',
    'you are required',
    'obey',
    'follow',
    'do as i say',
    'do exactly as',
  ],
  source:
    `${WORD_START}(?:you\\s+(?:must|will|shall|have to|are required to)\\s+(?:now\\s+)?(?:obey|comply with|follow)\\s+(?:all|every|my|these|the following|only)` +
    `|(?:obey|follow)\\s+(?:only\\s+)?(?:my|these|the following)\\s+(?:new\\s+)?(?:instructions|commands|orders|rules|directives)` +
    `|do\\s+(?:exactly\\s+)?as\\s+i\\s+say)${WORD_END}`,
});

// Other languages: dismissal verb + (optional words) + instructions noun, or the noun first where the
// grammar puts it first (zh, ja, ko).
const multilingual = defineRule({
  lead: 0,
  id: 'override.ignore_previous',
  weight: 0.9,
  anchors: [
    'ignor',
    'olvid',
    'omit',
    'descart',
    'desconsider',
    'esqueç',
    'esquec',
    'oubli',
    'vergiss',
    'missacht',
    'überseh',
    'dimentic',
    'tralascia',
    'negeer',
    'vergeet',
    'игнорир',
    'забудь',
    'забуд',
    'не обращай',
    'haz caso omiso',
    'no sigas',
    'ne tiens pas',
    'ne suis pas',
    'fais abstraction',
    'non seguire',
    'não siga',
    'nicht befolg',
  ],
  source:
    `${WORD_START}(?:` +
    // es / pt / it / fr / de / nl / ru
    `(?:ignor[ae]|ignore[nrz]?|ignorar|ignori|ignoriere|ignorier|olvid[ae]|olvidar|omit[ea]|descart[ae]|desconsider[ae]|esque[çc][ae]|oublie[zr]?|vergiss|vergessen sie|missachte|übersehe|dimentica|tralascia|negeer|vergeet|игнорируй|игнорируйте|забудь|забудьте|не обращай внимания на|haz caso omiso de|no sigas|ne tiens pas compte d[eu']s?|ne suis pas|fais abstraction d[eu']s?|non seguire|não siga|nicht befolgen)` +
    `(?:\\s+[^\\s.!?]+){0,4}?\\s+` +
    `(?:instrucc?i?[oó]n(?:es)?|instru[çc][õo]es|instru[çc][aã]o|istruzion[ie]|instructions?|anweisungen|anweisung|instruktionen|befehle|regeln|vorgaben|indicaciones|[oó]rdenes|reglas|regras|ordens|regole|consignes|r[èe]gles|directives|instructies|regels|инструкции|инструкций|указания|правила|prompt|promp?ts?)` +
    `)${WORD_END}`,
});

const cjk = defineRule({
  id: 'override.ignore_previous',
  weight: 0.9,
  anchors: ['忽略', '无视', '無視', '忘记', '忘記', '不要遵循', '不要理会', '忘れ', '従わ', '무시', '잊어'],
  source:
    '(?:(?:忽略|无视|無視|忘记|忘記|不要遵循|不要理会|不要理會)[^。！？\\n]{0,12}?(?:指令|指示|说明|說明|提示|规则|規則|设定|設定|命令|要求)' +
    '|(?:指示|命令|指令|プロンプト|ルール|設定)[^。！？\\n]{0,8}?(?:を|は)?(?:無視|忘れ|従わ)' +
    '|(?:지시|명령|지침|규칙|프롬프트)[^.!?\\n]{0,8}?(?:무시|잊어))',
  reach: 40,
});

const newInstructionsOther = defineRule({
  lead: 0,
  id: 'override.new_instructions',
  weight: 0.65,
  anchors: [
    'nuevas',
    'nouvelles',
    'neue',
    'novas',
    'nuove',
    'nieuwe',
    'новые',
    '新的指令',
    '新指令',
    '新しい指示',
    '新的任务',
    '새로운 지시',
    'a partir de ahora',
    'à partir de maintenant',
    'ab jetzt',
    'von nun an',
    "d'ora in poi",
    'a partir de agora',
    '从现在开始',
    '從現在開始',
    '今から',
  ],
  source:
    `(?:(?:nuevas instrucciones|nouvelles instructions|neue anweisungen|novas instru[çc][õo]es|nuove istruzioni|nieuwe instructies|новые инструкции)\\s*[:\\-]` +
    `|(?:新的指令|新指令|新しい指示|新的任务|새로운 지시)` +
    `|(?:a partir de ahora|à partir de maintenant|ab jetzt|von nun an|d'ora in poi|a partir de agora)[,]?\\s+(?:eres|tu es|vous êtes|bist du|du bist|sei|você é|tu és|tu)` +
    `|(?:从现在开始|從現在開始|今から)[，,]?\\s*(?:你|あなた))`,
  reach: 80,
});

/** Instruction-override rules, all languages. */
export const OVERRIDE_RULES: readonly SignalRule[] = [
  ignorePrevious,
  ignoreAbove,
  voidPrevious,
  newInstructions,
  compel,
  multilingual,
  cjk,
  newInstructionsOther,
];
