/**
 * Exfiltration and tool abuse: instructions to send data somewhere (a URL, an address, a webhook),
 * markdown images whose URL carries data in its query string, and instructions to call tools or to
 * delete things.
 *
 * @example
 * EXFILTRATION_RULES.map((r) => r.id); // ['exfil.send_data', 'exfil.markdown_image', ...]
 */
import type { SignalRule } from '../types.js';
import { anyOf, defineRule, gap, WORD_END, WORD_START } from './phrase.js';

const SEND = [
  'send',
  'post',
  'forward',
  'upload',
  'e-?mail',
  'transmit',
  'exfiltrate',
  'leak',
  'submit',
  'copy',
  'append',
  'attach',
  'encode',
  'embed',
  'include',
  'pass',
  'relay',
  'report',
  'sync',
  'share',
  'transfer',
  'dump',
];
const SEND_ANCHORS = [
  'send',
  'post',
  'forward',
  'upload',
  'email',
  'e-mail',
  'transmit',
  'exfiltrate',
  'leak',
  'submit',
  'copy',
  'append',
  'attach',
  'encode',
  'embed',
  'include',
  'pass',
  'relay',
  'report',
  'sync',
  'share',
  'transfer',
  'dump',
];
const DATA =
  "(?:conversations?|chat(?:\\s+(?:history|logs?))?|history|password|passwords|credentials?|api[ _-]?keys?|access\\s+tokens?|tokens?|secrets?|cookies?|session(?:\\s+(?:id|data|tokens?))?|files?|documents?|contents?|data|information|info|details|emails?|inbox|environment(?:\\s+variables)?|env(?:\\s+vars?)?|ssh\\s+keys?|private\\s+keys?|personal\\s+(?:data|information|details)|user(?:'s)?\\s+(?:data|information|details|messages|emails|files)|everything|all\\s+of\\s+(?:it|this)|the\\s+above|this\\s+(?:text|information|data|conversation|chat)|context|memory|summary|system\\s+prompt|instructions|prompt|answers?|responses?)";
const DEST =
  '(?:https?:\\/\\/|www\\.|[\\w.+-]+@[\\w-]+\\.[\\w.]+|webhook|\\[?url\\]?|(?:the\\s+|this\\s+|my\\s+|our\\s+|a\\s+)?(?:following\\s+)?(?:server|endpoint|url|address|link|website|domain))';

const sendData = defineRule({
  lead: 0,
  id: 'exfil.send_data',
  weight: 0.6,
  anchors: SEND_ANCHORS,
  source: `${WORD_START}${anyOf(SEND)}(?:\\s+[^\\s.!?]+){0,5}?\\s+${DATA}${gap(6)}?\\s*(?:to|at|into|via|on|onto)\\s+${DEST}`,
  reach: 300,
});

const markdownImage = defineRule({
  lead: 0,
  id: 'exfil.markdown_image',
  // Badges and avatars carry query strings too; alone this is weak, with a placeholder it is not.
  weight: 0.3,
  anchors: ['!['],
  source: '!\\[[^\\]\\n]{0,200}\\]\\(\\s*(?:https?:)?\\/\\/[^)\\s]{1,400}\\?[^)\\s]{0,400}=',
  reach: 1100,
});

// A URL whose query parameter is a placeholder the model is meant to fill: ?q={conversation}, &d=[DATA]
const urlTemplate = defineRule({
  lead: 0,
  id: 'exfil.url_template',
  weight: 0.6,
  anchors: ['http', 'www.'],
  source:
    '(?:https?:\\/\\/|www\\.)[^\\s)"\'<>]{1,300}[?&][\\w.\\-]{1,40}=(?:\\{|\\[|<|\\$\\{?|%7b|%5b|%3c)\\s*[\\w\\s\\-]{0,20}?(?:data|conversation|chat|history|secret|password|token|key|user|info|summary|context|query|prompt|email|content|input|message|memory|name|address|answer|response|text)',
  reach: 400,
});

const TOOL =
  '(?:tools?|functions?|plugins?|actions?|apis?|commands?|browser|code interpreter|shell|terminal)';

const callTool = defineRule({
  lead: 0,
  id: 'tool.invoke',
  weight: 0.4,
  anchors: [
    'call',
    'invoke',
    'use',
    'run',
    'execute',
    'trigger',
    'activate',
    'immediately',
    'silently',
    'automatically',
    'secretly',
    'quietly',
    'open',
    'visit',
    'navigate',
    'browse',
    'go to',
    'fetch',
    'click',
    'access',
  ],
  source:
    `${WORD_START}(?:` +
    `(?:call|invoke|use|run|execute|trigger|activate)\\s+(?:the\\s+|your\\s+)?\`?[\\w.\\-]{2,40}\`?\\s+${TOOL}\\s+(?:with|to|and|now|immediately|passing)` +
    `|(?:immediately|silently|automatically|secretly|quietly)\\s+(?:call|invoke|run|execute|use)\\s+(?:the\\s+)?\`?[\\w.\\-]{2,40}\`?` +
    `|(?:open|visit|navigate to|browse to|go to|fetch|click|access)\\s+(?:this|the following|the below|the)\\s+(?:url|link|website|web ?page|page)\\s*(?::|and)` +
    `)${WORD_END}`,
  reach: 160,
});

const destructive = defineRule({
  lead: 0,
  id: 'tool.destructive',
  weight: 0.45,
  anchors: ['delete', 'remove', 'erase', 'wipe', 'drop', 'destroy', 'purge', 'format'],
  source: `${WORD_START}(?:delete|remove|erase|wipe|drop|destroy|purge|format)\\s+(?:all|every|the\\s+user'?s?|all\\s+(?:of\\s+)?(?:the|my|your)|everything\\s+in)\\s+(?:\\w+\\s+)?(?:files|emails|messages|repositor(?:y|ies)|databases?|tables|records|data|contacts|backups|branches|accounts|documents|folders|directories|disks?|drives?)${WORD_END}`,
  reach: 120,
});

/** Exfiltration and tool-abuse rules. */
export const EXFILTRATION_RULES: readonly SignalRule[] = [
  sendData,
  markdownImage,
  urlTemplate,
  callTool,
  destructive,
];
