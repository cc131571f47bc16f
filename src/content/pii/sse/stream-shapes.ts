import type { RehydrationContext } from '../rehydrate.js';

/**
 * Recognises the streaming formats whose text arrives in pieces spread over many events, and names each
 * piece's stream with a key, so a token cut across events can be put back together:
 *
 * - OpenAI chat.completions: `choices[i].delta.content` (also `refusal`, `reasoning_content`, tool-call
 *   and function-call `arguments`, legacy completions `choices[i].text`); a choice ends with its
 *   `finish_reason`, and the stream with `[DONE]`.
 * - OpenAI responses: every `response.*.delta` event's `delta` (output text, refusals, function-call
 *   arguments, ...), keyed by item, output, content and summary index; it ends with the matching
 *   `*.done` event, its content part or output item's `done`, or `response.completed` (and the other
 *   terminal events).
 * - Anthropic messages: `content_block_delta` text, thinking and `input_json_delta` partial JSON, keyed
 *   by block index; a block ends with `content_block_stop`, all blocks with `message_delta`/`message_stop`.
 */

/** One piece of streamed text inside a parsed event, which the rehydrator may rewrite. */
export interface TextSlot {
  /** Identifies the text stream this piece belongs to, e.g. `chat/0/content`. */
  key: string;
  /** `json` for pieces of JSON text (tool arguments): values are JSON-escaped. */
  context: RehydrationContext;
  text: string;
  /** Writes the rewritten piece back into the parsed event. */
  set(text: string): void;
  /** Builds the data of a new event of the same stream carrying only `text` (to flush held text). */
  synthesize(text: string): string;
  /** Name for that new event's `event:` line. */
  eventName: string | undefined;
}

/** What an event means for the text streams. */
export interface EventReading {
  slots: TextSlot[];
  /** True for a stream this event ends (after any text it carries itself). */
  ends(key: string): boolean;
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const NEVER = (): boolean => false;

/**
 * Reads a parsed event `data` object (with its `event:` name) as one of the known streaming formats, or
 * returns undefined when it is none of them.
 *
 * @example
 * const r = readStreamEvent(undefined, { object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: 'hi' } }] });
 * r?.slots[0]?.key; // 'chat/0/content'
 */
export function readStreamEvent(eventName: string | undefined, data: Json): EventReading | undefined {
  if (Array.isArray(data.choices)) return readChat(data, data.choices, eventName);
  const type = data.type;
  if (typeof type !== 'string') return undefined;
  if (type.startsWith('response.') || type === 'error') return readResponses(type, data, eventName);
  if (type.startsWith('content_block_') || type.startsWith('message_') || type === 'ping') {
    return readAnthropic(type, data, eventName);
  }
  return undefined;
}

const CHAT_TEXT_FIELDS = ['content', 'refusal', 'reasoning_content', 'reasoning'] as const;

function readChat(chunk: Json, choices: unknown[], eventName: string | undefined): EventReading {
  const slots: TextSlot[] = [];
  const ended: string[] = [];
  choices.forEach((choice, position) => {
    if (!isObject(choice)) return;
    const index = typeof choice.index === 'number' ? choice.index : position;
    const prefix = `chat/${index}/`;
    if (typeof choice.text === 'string') {
      slots.push(
        slot(
          `${prefix}text`,
          'text',
          choice.text,
          (t) => (choice.text = t),
          eventName,
          (t) => JSON.stringify(chatChunk(chunk, { index, text: t, logprobs: null, finish_reason: null })),
        ),
      );
    }
    const delta = choice.delta;
    if (isObject(delta)) {
      for (const field of CHAT_TEXT_FIELDS) {
        const value = delta[field];
        if (typeof value !== 'string') continue;
        slots.push(
          slot(
            prefix + field,
            'text',
            value,
            (t) => (delta[field] = t),
            eventName,
            (t) => chatDeltaEvent(chunk, index, { [field]: t }),
          ),
        );
      }
      if (Array.isArray(delta.tool_calls)) {
        delta.tool_calls.forEach((call: unknown, k) => {
          if (!isObject(call) || !isObject(call.function) || typeof call.function.arguments !== 'string')
            return;
          const fn = call.function;
          const callIndex = typeof call.index === 'number' ? call.index : k;
          slots.push(
            slot(
              `${prefix}tool/${callIndex}`,
              'json',
              fn.arguments as string,
              (t) => (fn.arguments = t),
              eventName,
              (t) =>
                chatDeltaEvent(chunk, index, {
                  tool_calls: [{ index: callIndex, function: { arguments: t } }],
                }),
            ),
          );
        });
      }
      const fc = delta.function_call;
      if (isObject(fc) && typeof fc.arguments === 'string') {
        slots.push(
          slot(
            `${prefix}function_call`,
            'json',
            fc.arguments,
            (t) => (fc.arguments = t),
            eventName,
            (t) => chatDeltaEvent(chunk, index, { function_call: { arguments: t } }),
          ),
        );
      }
    }
    if (choice.finish_reason !== null && choice.finish_reason !== undefined) ended.push(prefix);
  });
  return { slots, ends: ended.length === 0 ? NEVER : (key) => ended.some((p) => key.startsWith(p)) };
}

/** A new chat chunk with the identifying fields of `template` and one choice. */
/**
 * The data of a chat chunk carrying only `delta` for choice `index`. A module function rather than a
 * closure made per event: most events never flush held text.
 */
function chatDeltaEvent(template: Json, index: number, delta: Json): string {
  return JSON.stringify(chatChunk(template, { index, delta, logprobs: null, finish_reason: null }));
}

function chatChunk(template: Json, choice: Json): Json {
  const out: Json = {};
  for (const k of ['id', 'object', 'created', 'model', 'service_tier', 'system_fingerprint']) {
    if (k in template) out[k] = template[k];
  }
  out.choices = [choice];
  return out;
}

const RESPONSES_TERMINAL = new Set(['response.completed', 'response.incomplete', 'response.failed', 'error']);

function responsesKey(base: string, data: Json): string {
  return `responses/${base}/${String(data.item_id)}/${String(data.output_index)}/${String(data.content_index)}/${String(data.summary_index)}`;
}

function readResponses(type: string, data: Json, eventName: string | undefined): EventReading {
  if (RESPONSES_TERMINAL.has(type)) return { slots: [], ends: (key) => key.startsWith('responses/') };
  if (type.endsWith('.delta') && typeof data.delta === 'string') {
    const base = type.slice(0, -'.delta'.length);
    const context: RehydrationContext = /arguments|input/.test(base) ? 'json' : 'text';
    const key = responsesKey(base, data);
    return {
      slots: [
        slot(
          key,
          context,
          data.delta,
          (t) => (data.delta = t),
          eventName,
          (t) => JSON.stringify({ ...data, delta: t }),
        ),
      ],
      ends: NEVER,
    };
  }
  if (type.endsWith('.done')) {
    const exact = responsesKey(type.slice(0, -'.done'.length), data);
    const item = `/${String(data.item_id)}/`;
    if (type === 'response.output_item.done') return { slots: [], ends: (key) => key.includes(item) };
    if (type === 'response.content_part.done') {
      const part = `${item}${String(data.output_index)}/${String(data.content_index)}/`;
      return { slots: [], ends: (key) => key.includes(part) };
    }
    return { slots: [], ends: (key) => key === exact };
  }
  return { slots: [], ends: NEVER };
}

const ANTHROPIC_DELTA_FIELDS: Record<string, { field: string; context: RehydrationContext }> = {
  text_delta: { field: 'text', context: 'text' },
  thinking_delta: { field: 'thinking', context: 'text' },
  input_json_delta: { field: 'partial_json', context: 'json' },
};

function readAnthropic(type: string, data: Json, eventName: string | undefined): EventReading {
  if (type === 'message_delta' || type === 'message_stop') {
    return { slots: [], ends: (key) => key.startsWith('anthropic/') };
  }
  const index = typeof data.index === 'number' ? data.index : 0;
  const key = `anthropic/${index}`;
  if (type === 'content_block_stop') return { slots: [], ends: (k) => k === key };
  const delta = data.delta;
  if (type !== 'content_block_delta' || !isObject(delta) || typeof delta.type !== 'string') {
    return { slots: [], ends: NEVER };
  }
  const spec = ANTHROPIC_DELTA_FIELDS[delta.type];
  const value = spec === undefined ? undefined : delta[spec.field];
  if (spec === undefined || typeof value !== 'string') return { slots: [], ends: NEVER };
  const deltaType = delta.type;
  return {
    slots: [
      slot(
        key,
        spec.context,
        value,
        (t) => (delta[spec.field] = t),
        eventName ?? 'content_block_delta',
        (t) =>
          JSON.stringify({ type: 'content_block_delta', index, delta: { type: deltaType, [spec.field]: t } }),
      ),
    ],
    ends: NEVER,
  };
}

function slot(
  key: string,
  context: RehydrationContext,
  text: string,
  set: (text: string) => void,
  eventName: string | undefined,
  synthesize: (text: string) => string,
): TextSlot {
  return { key, context, text, set, eventName, synthesize };
}
