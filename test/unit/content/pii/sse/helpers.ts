import { parseSseEvent } from '../../../../../src/content/pii/sse/sse-event.js';

/** One SSE event text per payload: `data: JSON\n\n` (with an `event:` line when named). */
export function sse(payload: unknown, name?: string): string {
  const data = typeof payload === 'string' ? payload : JSON.stringify(payload);
  return `${name === undefined ? '' : `event: ${name}\n`}data: ${data}\n\n`;
}

export const chatChunk = (content: string | undefined, finish: string | null = null, index = 0) =>
  sse({
    id: 'chatcmpl-1',
    object: 'chat.completion.chunk',
    created: 1700000000,
    model: 'gpt-4o-mini',
    choices: [
      { index, delta: content === undefined ? {} : { content }, logprobs: null, finish_reason: finish },
    ],
  });

export const anthropicDelta = (text: string, index = 0) =>
  sse({ type: 'content_block_delta', index, delta: { type: 'text_delta', text } }, 'content_block_delta');

export const responsesDelta = (delta: string, seq: number) =>
  sse(
    {
      type: 'response.output_text.delta',
      item_id: 'msg_1',
      output_index: 0,
      content_index: 0,
      delta,
      sequence_number: seq,
    },
    'response.output_text.delta',
  );

/** Events of a whole SSE text, as parsed JSON data (or the raw data string when not JSON). */
export function events(text: string): Array<{ name: string | undefined; data: unknown }> {
  return text
    .split(/\n\n/)
    .filter((e) => e.trim() !== '')
    .map((e) => {
      const parsed = parseSseEvent(`${e}\n\n`);
      let data: unknown = parsed.data;
      try {
        data = JSON.parse(parsed.data ?? '');
      } catch {
        // not JSON
      }
      return { name: parsed.name, data };
    });
}

type Obj = Record<string, unknown>;

/** The text a client accumulates from a stream: chat content per choice, Anthropic text, responses deltas. */
export function accumulated(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const add = (k: string, v: unknown) => {
    if (typeof v === 'string') out[k] = (out[k] ?? '') + v;
  };
  for (const { data } of events(text)) {
    if (typeof data !== 'object' || data === null) continue;
    const d = data as Obj;
    if (Array.isArray(d.choices)) {
      for (const c of d.choices as Obj[]) {
        const delta = (c.delta ?? {}) as Obj;
        add(`chat/${String(c.index)}`, delta.content);
        for (const call of (delta.tool_calls ?? []) as Obj[]) {
          add(`tool/${String(call.index)}`, (call.function as Obj | undefined)?.arguments);
        }
      }
    } else if (d.type === 'content_block_delta') {
      const delta = d.delta as Obj;
      add(`anthropic/${String(d.index)}`, delta.text ?? delta.partial_json);
    } else if (typeof d.type === 'string' && d.type.endsWith('.delta')) {
      add(`responses/${String(d.item_id)}`, d.delta);
    }
  }
  return out;
}
