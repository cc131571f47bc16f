import { isUtf8 } from 'node:buffer';
import { TokenRewriter, type RehydrationContext } from '../rehydrate.js';
import { createByteRehydrator, utf8AsLatin1, type Rehydrator } from '../rehydrator-bytes.js';
import type { PiiSession } from '../session.js';
import { buildSseEvent, parseSseEvent, serializeSseEvent, type SseEvent } from './sse-event.js';
import { SseEventSplitter } from './event-splitter.js';
import { readStreamEvent, type EventReading, type TextSlot } from './stream-shapes.js';

/** Options of {@link createSseRehydrator}. */
export interface SseRehydratorOptions {
  session: PiiSession;
  /**
   * Longest event kept whole, in bytes; default 1 MiB. A stream whose event grows past it is no
   * streaming API's: from there on it is rehydrated as plain bytes, so it is never buffered whole.
   */
  maxEventBytes?: number;
}

/** Default of {@link SseRehydratorOptions.maxEventBytes}. */
export const DEFAULT_MAX_SSE_EVENT_BYTES = 1024 * 1024;

/** Held-back text of one streamed text, and how to emit it as an event of its own. */
interface Carry {
  held: string;
  slot: TextSlot;
  eol: string;
}

/**
 * Rehydrates a `text/event-stream` response event by event, without buffering the stream. In the
 * streamed text of OpenAI chat.completions, OpenAI responses and Anthropic messages (see
 * stream-shapes.ts) a token may be cut across several events' deltas (`[CRED` | `IT_CARD_9f` |
 * `2a3b] thanks`): each event goes out at once with only the part of its delta that can no longer
 * become a token, the rest is carried into the next delta of the same stream (choice, content block,
 * output item), and held text is flushed in an extra delta event just before the event that ends its
 * stream (finish_reason, content_block_stop, output_text.done, [DONE], end of stream). Text is never
 * lost or duplicated. Events that need no change are passed on byte for byte; other payloads get each
 * event's data rehydrated as a whole (JSON-escaped when it is JSON). Events are buffered one at a time,
 * up to `maxEventBytes`.
 *
 * @example
 * const sse = createSseRehydrator({ session });
 * const out = [sse.push(chunk1), sse.push(chunk2), sse.end()];
 */
export function createSseRehydrator(options: SseRehydratorOptions): Rehydrator {
  const session = options.session;
  const maxEventBytes = options.maxEventBytes ?? DEFAULT_MAX_SSE_EVENT_BYTES;
  const rewriter = new TokenRewriter(session);
  const splitter = new SseEventSplitter();
  const carries = new Map<string, Carry>();
  let fallback: Rehydrator | undefined;

  /** Extra events carrying held text of the streams that `ends` closes (minus `except`). */
  function flush(ends: (key: string) => boolean, except: ReadonlySet<string>): string {
    let out = '';
    for (const [key, carry] of carries) {
      if (!ends(key) || except.has(key)) continue;
      carries.delete(key);
      if (carry.held === '') continue;
      const text = rewriter.rewrite(carry.held, carry.slot.context, false).text;
      out += buildSseEvent(carry.slot.eventName, carry.slot.synthesize(text), carry.eol);
    }
    return out;
  }

  /** True while some stream holds text back; until then an event without token material passes as is. */
  function holding(): boolean {
    for (const carry of carries.values()) if (carry.held !== '') return true;
    return false;
  }

  function processEvent(raw: Buffer): Buffer[] {
    if (session.empty || (!mayHoldToken(raw) && !holding())) return [raw];
    if (!isUtf8(raw)) return [rewriteBytes(raw, session, rewriter)];
    const text = raw.toString('utf8');
    const event = parseSseEvent(text);
    if (event.data === undefined) return [raw];
    if (event.data.trim() === '[DONE]') {
      const flushed = flush(() => true, new Set());
      return flushed === '' ? [raw] : [Buffer.from(flushed), raw];
    }
    const parsed = parseJsonObject(event.data);
    const reading = parsed === undefined ? undefined : readStreamEvent(event.name, parsed);
    if (parsed === undefined || reading === undefined) {
      return [rewriteWhole(raw, event, parsed === undefined ? 'text' : 'json', session, rewriter)];
    }
    return processStreamEvent(raw, event, parsed, reading);
  }

  function processStreamEvent(raw: Buffer, event: SseEvent, parsed: object, reading: EventReading): Buffer[] {
    const own = new Set(reading.slots.map((s) => s.key));
    const flushed = flush(reading.ends, own);
    let changed = false;
    for (const slot of reading.slots) {
      const final = reading.ends(slot.key);
      const held = carries.get(slot.key)?.held ?? '';
      const input = held + slot.text;
      const out = session.empty ? { text: input, held: '' } : rewriter.rewrite(input, slot.context, !final);
      if (out.text !== slot.text) {
        slot.set(out.text);
        changed = true;
      }
      if (final) carries.delete(slot.key);
      else carries.set(slot.key, { held: out.held, slot, eol: event.eol });
    }
    // Tokens elsewhere in the event (a done event's full text) are replaced in the data as a whole.
    const body = changed
      ? Buffer.from(serializeSseEvent(event, rewriter.rewrite(JSON.stringify(parsed), 'json', false).text))
      : rewriteWhole(raw, event, 'json', session, rewriter);
    return flushed === '' ? [body] : [Buffer.from(flushed), body];
  }

  return {
    push(chunk: Buffer): Buffer {
      if (fallback !== undefined) return fallback.push(chunk);
      const out: Buffer[] = [];
      for (const raw of splitter.push(chunk)) out.push(...processEvent(raw));
      if (splitter.pending > maxEventBytes) {
        // Held text goes out as events while the framing is still intact, then bytes flow as they come.
        out.push(Buffer.from(flush(() => true, new Set())));
        fallback = createByteRehydrator(session, 'json');
        out.push(fallback.push(splitter.rest()));
      }
      // Copies: the events are views into the splitter's memory, reused by the next push.
      return Buffer.concat(out);
    },
    end(): Buffer {
      if (fallback !== undefined) return fallback.end();
      const flushed = flush(() => true, new Set());
      const rest = splitter.rest();
      const tail = rest.length === 0 ? rest : rewriteBytes(rest, session, rewriter);
      return flushed === '' ? tail : Buffer.concat([Buffer.from(flushed), tail]);
    },
  };
}

/**
 * False when no byte of the event can be part of a token or of its beginning: every `[` is followed by
 * something other than an upper-case letter, a quote (a delta ending in `[`) or a backslash, and every
 * `%` likewise by something other than `5`. JSON structure (`"choices":[{`) passes this test, so most
 * events of a stream skip parsing altogether.
 */
function mayHoldToken(raw: Buffer): boolean {
  for (let i = raw.indexOf(0x5b); i >= 0; i = raw.indexOf(0x5b, i + 1)) {
    const next = raw[i + 1];
    if (next === undefined || (next >= 65 && next <= 90) || next === 0x22 || next === 0x5c) return true;
  }
  for (let i = raw.indexOf(0x25); i >= 0; i = raw.indexOf(0x25, i + 1)) {
    const next = raw[i + 1];
    if (next === undefined || next === 0x35 || next === 0x22 || next === 0x5c) return true;
  }
  return false;
}

function parseJsonObject(data: string): Record<string, unknown> | undefined {
  const first = data.trimStart()[0];
  if (first !== '{') return undefined;
  try {
    const value: unknown = JSON.parse(data);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The event with every complete token in its data rehydrated; `raw` itself when there is none. A
 * rewritten data value may hold line breaks (a private key), so data is re-split into `data:` lines
 * rather than patched in place.
 */
function rewriteWhole(
  raw: Buffer,
  event: SseEvent,
  context: RehydrationContext,
  session: PiiSession,
  rewriter: TokenRewriter,
): Buffer {
  if (session.empty || event.data === undefined) return raw;
  const out = rewriter.rewrite(event.data, context, false);
  if (out.replaced === 0) return raw;
  return Buffer.from(serializeSseEvent(event, out.text));
}

/** Token replacement over bytes that are not valid UTF-8 (or an unfinished last event), as plain text. */
function rewriteBytes(raw: Buffer, session: PiiSession, rewriter: TokenRewriter): Buffer {
  if (session.empty || (raw.indexOf(0x5b) < 0 && raw.indexOf(0x25) < 0)) return raw;
  const view = raw.toString('latin1');
  const out = rewriter.rewrite(view, 'text', false, utf8AsLatin1);
  return out.replaced === 0 ? raw : Buffer.from(out.text, 'latin1');
}
