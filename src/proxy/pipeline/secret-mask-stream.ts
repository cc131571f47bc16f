/**
 * The inbound stages of a response when secret masking is the only one that applies (no injection,
 * invisible-text, inbound rule or rehydration): masking works on bytes as they come, holding back only
 * a tail that could still grow into a secret value, so such a response streams whatever its size or
 * framing instead of being read whole up to the scan limit.
 */
import type { NeedleStream } from '../../content/secrets/needle-swap.js';
import type { EventBody } from '../audit-recorder.js';
import type { ProxySession } from '../session.js';
import type { StreamStep } from './inbound-stream.js';

/**
 * Masks real secret values in a streamed response.
 *
 * @example
 * const stream = new SecretMaskStream(session);
 * res.write(stream.push(chunk).output);
 * res.end(stream.end().output);
 * stream.events(); // [{ type: 'secret_masked', keys: ['OPENAI_API_KEY'] }] when one was found
 */
export class SecretMaskStream {
  readonly #masker: NeedleStream;
  readonly #masked = new Set<string>();

  constructor(session: ProxySession) {
    this.#masker = session.secrets.inboundStream();
  }

  /** Takes the next decoded chunk. */
  push(chunk: Buffer): StreamStep {
    return this.#take(this.#masker.push(chunk));
  }

  /** The upstream ended: what was held back. */
  end(): StreamStep {
    return this.#take(this.#masker.end());
  }

  /** Audit events of the stream (call after it ended). */
  events(): EventBody[] {
    return this.#masked.size > 0 ? [{ type: 'secret_masked', keys: [...this.#masked] }] : [];
  }

  #take(r: { output: Buffer; found: string[] }): StreamStep {
    for (const k of r.found) this.#masked.add(k);
    return { output: r.output };
  }
}
