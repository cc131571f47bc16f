/**
 * The inbound stages on a streamed response (server-sent events, NDJSON), event by event, so the
 * first event reaches the client as soon as it arrives instead of when the stream ends.
 *
 * Per unit (one SSE event, one NDJSON line) in seed 002's order:
 *   injection: the text streamed so far (the last WINDOW characters, with the deltas of known LLM
 *     stream formats joined up) is scored again; at or above the threshold with action `block` the
 *     stream is cut before this unit goes out, and an SSE stream gets a final `event: error` naming
 *     the stage. Units already delivered stay delivered: the price of not holding the stream back.
 *   invisible text: stripped (or blocked) within the unit.
 *   transformation rules: applied within the unit (a match spanning two events is not seen).
 *   rehydration: the streaming rehydrator, which restores tokens split across events.
 *   secrets: real values back to placeholders, also when split across chunks.
 */
import { InjectionBlockedError, InvisibleTextBlockedError } from '../../errors.js';
import { findInvisibleText } from '../../content/invisible/invisible-text.js';
import { createRehydrator, type Rehydrator } from '../../content/pii/rehydrator-stream.js';
import { parseBodyContentType } from '../../content/pii/body/content-type.js';
import { SseEventSplitter } from '../../content/pii/sse/event-splitter.js';
import { parseSseEvent } from '../../content/pii/sse/sse-event.js';
import { readStreamEvent } from '../../content/pii/sse/stream-shapes.js';
import type { NeedleStream } from '../../content/secrets/needle-swap.js';
import type { EventBody } from '../audit-recorder.js';
import { refusalBody, type ProxyRefusal } from '../http/error-response.js';
import type { ProxySession } from '../session.js';
import { refusalFor } from './inbound.js';
import { mergeFired } from './findings.js';
import type { FiredRule } from '../../content/transform/types.js';

/** Characters of streamed text one injection score looks at (the scorer's own window is 2000). */
export const STREAM_INJECTION_WINDOW = 4000;

/**
 * Media types streamed event by event rather than read whole.
 *
 * @example
 * isStreamingMediaType('text/event-stream'); // true
 * isStreamingMediaType('application/json');  // false
 */
export function isStreamingMediaType(contentType: string | undefined): boolean {
  const { mediaType, format } = parseBodyContentType(contentType);
  return mediaType === 'text/event-stream' || format === 'json-seq';
}

/** Output of one step of an {@link InboundStream}. */
export interface StreamStep {
  /** Bytes to send to the client now (may be empty). */
  output: Buffer;
  /** Set when the stream must be cut after `output` (which then ends with the refusal notice). */
  refusal?: ProxyRefusal;
}

/**
 * Streams one response through the inbound stages.
 *
 * @example
 * const stream = new InboundStream(session, 'api.openai.com', 'text/event-stream');
 * const step = stream.push(chunk);
 * res.write(step.output);
 * if (step.refusal) upstream.destroy();
 */
export class InboundStream {
  readonly #session: ProxySession;
  readonly #sse: boolean;
  readonly #splitter: SseEventSplitter | undefined;
  #lineRest: Buffer = Buffer.alloc(0);
  readonly #rehydrator: Rehydrator | undefined;
  readonly #secrets: NeedleStream | undefined;
  readonly #injection: boolean;
  readonly #invisible: boolean;
  readonly #transform: boolean;
  #window = '';
  #logged = false;
  #invisibleCount = 0;
  readonly #fired: FiredRule[][] = [];
  readonly #masked = new Set<string>();
  readonly #events: EventBody[] = [];
  #done = false;

  constructor(session: ProxySession, host: string, contentType: string | undefined) {
    this.#session = session;
    this.#sse = parseBodyContentType(contentType).mediaType === 'text/event-stream';
    this.#splitter = this.#sse ? new SseEventSplitter() : undefined;
    const p = session.policy.json;
    this.#rehydrator =
      p.pii.enabled && p.pii.rehydrate_response
        ? createRehydrator({ session: session.pii, contentType })
        : undefined;
    this.#secrets = session.secrets.empty ? undefined : session.secrets.inboundStream();
    this.#injection = session.content.injectionApplies(host);
    this.#invisible = session.content.invisibleApplies(host);
    this.#transform = session.content.transform.hasRules('inbound');
  }

  /** Takes the next decoded chunk. */
  push(chunk: Buffer): StreamStep {
    if (this.#done) return { output: Buffer.alloc(0) };
    const units = this.#split(chunk);
    const out: Buffer[] = [];
    for (const unit of units) {
      const step = this.#unit(unit);
      if (step.refusal) {
        out.push(step.output);
        return this.#cut(out, step.refusal);
      }
      out.push(step.output);
    }
    return { output: Buffer.concat(out) };
  }

  /** The upstream stream ended: flush what the rehydrator and secret masker held back. */
  end(): StreamStep {
    if (this.#done) return { output: Buffer.alloc(0) };
    const rest = this.#splitter ? this.#splitter.rest() : this.#lineRest;
    const parts: Buffer[] = [];
    if (rest.length > 0) {
      const step = this.#unit(rest);
      if (step.refusal) return this.#cut([step.output], step.refusal);
      parts.push(step.output);
    }
    let tail = this.#rehydrator ? this.#rehydrator.end() : Buffer.alloc(0);
    if (this.#secrets) {
      const a = this.#secrets.push(tail);
      const b = this.#secrets.end();
      for (const k of [...a.found, ...b.found]) this.#masked.add(k);
      tail = Buffer.concat([a.output, b.output]);
    }
    parts.push(tail);
    this.#done = true;
    return { output: Buffer.concat(parts) };
  }

  /** Audit events gathered so far (call after the stream ended or was cut). */
  events(): EventBody[] {
    const out = [...this.#events];
    const rules = mergeFired(...this.#fired);
    if (rules.length > 0) out.push({ type: 'transform_applied', direction: 'inbound', rules });
    if (this.#invisibleCount > 0) {
      out.push({
        type: 'invisible_text',
        action: this.#session.policy.json.invisible_text.action,
        count: this.#invisibleCount,
      });
    }
    if (this.#masked.size > 0) out.push({ type: 'secret_masked', keys: [...this.#masked] });
    return out;
  }

  #cut(out: Buffer[], refusal: ProxyRefusal): StreamStep {
    this.#done = true;
    if (this.#sse) out.push(Buffer.from(`event: error\ndata: ${refusalBody(refusal).toString()}\n\n`));
    return { output: Buffer.concat(out), refusal };
  }

  #split(chunk: Buffer): Buffer[] {
    if (this.#splitter) return this.#splitter.push(chunk);
    const data = this.#lineRest.length === 0 ? chunk : Buffer.concat([this.#lineRest, chunk]);
    const last = data.lastIndexOf(0x0a);
    if (last < 0) {
      this.#lineRest = data;
      return [];
    }
    this.#lineRest = Buffer.from(data.subarray(last + 1));
    const units: Buffer[] = [];
    let start = 0;
    for (let nl = data.indexOf(0x0a); nl >= 0 && nl <= last; nl = data.indexOf(0x0a, start)) {
      units.push(data.subarray(start, nl + 1));
      start = nl + 1;
    }
    return units;
  }

  #unit(raw: Buffer): StreamStep {
    let unit = raw;
    if (this.#injection) {
      const blocked = this.#scoreInjection(unit);
      if (blocked) return { output: Buffer.alloc(0), refusal: refusalFor(blocked) };
    }
    if (this.#invisible) {
      const r = findInvisibleText(unit.toString('utf8'));
      if (r.count > 0) {
        this.#invisibleCount += r.count;
        const action = this.#session.policy.json.invisible_text.action;
        if (action === 'block') {
          const error = Object.assign(new InvisibleTextBlockedError(r.count), { stage: 'invisible_text' });
          return { output: Buffer.alloc(0), refusal: refusalFor(error) };
        }
        if (action === 'strip') unit = Buffer.from(r.stripped, 'utf8');
      }
    }
    if (this.#transform) {
      const t = this.#session.content.transform.applyToBuffer(unit, 'inbound');
      if (t.fired.length > 0) this.#fired.push([...t.fired]);
      unit = t.output;
    }
    if (this.#rehydrator) unit = this.#rehydrator.push(unit);
    if (this.#secrets) {
      const r = this.#secrets.push(unit);
      for (const k of r.found) this.#masked.add(k);
      unit = r.output;
    }
    return { output: unit };
  }

  /** Adds the unit's text to the window and scores it; returns the error when the stream must stop. */
  #scoreInjection(unit: Buffer): (InjectionBlockedError & { stage: string }) | undefined {
    const text = this.#textOf(unit);
    if (text === '') return undefined;
    this.#window = (this.#window + text).slice(-STREAM_INJECTION_WINDOW);
    const inj = this.#session.policy.json.injection_defense;
    const r = this.#session.content.injectionScorer.score(this.#window, 'text/plain');
    if (r.score < inj.threshold) return undefined;
    const signals = r.signals.map((s) => s.id);
    if (inj.action === 'log') {
      if (!this.#logged) {
        this.#logged = true;
        this.#events.push({
          type: 'injection_detected',
          score: r.score,
          threshold: inj.threshold,
          action: 'log',
          signals,
          streamed: true,
        });
      }
      return undefined;
    }
    this.#events.push({
      type: 'injection_detected',
      score: r.score,
      threshold: inj.threshold,
      action: 'block',
      signals,
      streamed: true,
    });
    return Object.assign(new InjectionBlockedError(r.score, inj.threshold, signals), { stage: 'injection' });
  }

  /** The text a unit adds to the conversation: deltas of known LLM stream formats, else its data. */
  #textOf(unit: Buffer): string {
    const text = unit.toString('utf8');
    if (!this.#sse) return text;
    const event = parseSseEvent(text);
    const data = event.data;
    if (data === undefined || data.trim() === '[DONE]') return '';
    if (data.trimStart().startsWith('{')) {
      try {
        const parsed: unknown = JSON.parse(data);
        if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
          const reading = readStreamEvent(event.name, parsed as Record<string, unknown>);
          if (reading) return reading.slots.map((s) => s.text).join('');
        }
      } catch {
        // Not JSON after all: score the data as text.
      }
    }
    return `${data}\n`;
  }
}
