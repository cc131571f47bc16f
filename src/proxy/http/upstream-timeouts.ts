/**
 * How long the proxy waits for an upstream server before it gives up, so a stalled server cannot hold a
 * sandboxed client (and a proxy socket) forever. Three waits, each with its own limit: the connection
 * (TCP and TLS), the response head, and silence in the middle of a response body.
 */
import type { Readable } from 'node:stream';
import { ErrorCode, InvalidArgumentError } from '../../errors.js';
import type { ProxyRefusal } from './error-response.js';

/** Which wait ran out. */
export type UpstreamTimeoutStage = 'connect' | 'response_head' | 'body_idle';

/** Limits of {@link UpstreamTimeoutError}'s three stages, in milliseconds. */
export interface UpstreamTimeouts {
  /**
   * TCP connect plus the TLS handshake with the upstream. Default 10 s: a reachable server answers a
   * SYN in well under a second, so anything longer is a dead or filtered address.
   */
  connectMs: number;
  /**
   * From the request sent in full to the response's status line and headers. Default 600 s: a
   * non-streamed completion of a long answer can take minutes before its first byte, and the OpenAI
   * SDKs themselves wait 10 minutes.
   */
  responseHeadMs: number;
  /**
   * Longest silence between two chunks of a response body while the client is reading. Default 300 s:
   * streamed model answers pause while the model thinks; servers that pause longer send keep-alive
   * comments. Time the client spends not reading (backpressure) never counts.
   */
  bodyIdleMs: number;
}

/** The defaults, with the reasons given on {@link UpstreamTimeouts}. */
export const DEFAULT_UPSTREAM_TIMEOUTS: Readonly<UpstreamTimeouts> = Object.freeze({
  connectMs: 10_000,
  responseHeadMs: 600_000,
  bodyIdleMs: 300_000,
});

/** Node's timers overflow past 2^31-1 ms (about 24.8 days) and then fire at once. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * The limits to use: `given` over the defaults, each checked.
 *
 * @throws {InvalidArgumentError} for a limit that is not a whole number of milliseconds from 1 to 2^31-1.
 * @example
 * upstreamTimeouts({ responseHeadMs: 30_000 }); // { connectMs: 10000, responseHeadMs: 30000, bodyIdleMs: 300000 }
 */
export function upstreamTimeouts(given: Partial<UpstreamTimeouts> = {}): UpstreamTimeouts {
  const out = { ...DEFAULT_UPSTREAM_TIMEOUTS, ...given };
  for (const key of ['connectMs', 'responseHeadMs', 'bodyIdleMs'] as const) {
    const v = out[key];
    if (!Number.isInteger(v) || v < 1 || v > MAX_TIMER_MS) {
      throw new InvalidArgumentError(
        `upstreamTimeouts.${key}`,
        `must be a whole number of milliseconds from 1 to ${MAX_TIMER_MS}; got ${String(v)}`,
      );
    }
  }
  return out;
}

/**
 * An upstream wait ran out. Carried as the error of the destroyed upstream request or response, so
 * the paths that already handle upstream failures tell it apart and answer 504.
 *
 * @example
 * upstreamReq.destroy(new UpstreamTimeoutError('response_head', 600_000, 'api.openai.com'));
 */
export class UpstreamTimeoutError extends Error {
  constructor(
    readonly stage: UpstreamTimeoutStage,
    readonly timeoutMs: number,
    host: string,
  ) {
    super(`${host} ${STAGE_WORDS[stage]} within ${formatMs(timeoutMs)}`);
    this.name = 'UpstreamTimeoutError';
  }
}

/** Option name of each limit, for messages that say which one to raise. */
const OPTION: Record<UpstreamTimeoutStage, keyof UpstreamTimeouts> = {
  connect: 'connectMs',
  response_head: 'responseHeadMs',
  body_idle: 'bodyIdleMs',
};

/**
 * The 504 the client gets instead of a response: names the stage that ran out and its limit.
 *
 * @example
 * sendRefusal(res, timeoutRefusal(new UpstreamTimeoutError('connect', 10_000, 'api.openai.com')));
 */
export function timeoutRefusal(error: UpstreamTimeoutError): ProxyRefusal {
  return {
    status: 504,
    stage: 'upstream',
    code: ErrorCode.UPSTREAM_TIMEOUT,
    message: `${error.message}; declaw stopped waiting. Check the server, or raise upstreamTimeouts.${OPTION[error.stage]} of the proxy`,
    details: { timeout: error.stage, timeout_ms: error.timeoutMs },
  };
}

const STAGE_WORDS: Record<UpstreamTimeoutStage, string> = {
  connect: 'did not accept a connection (TCP and TLS)',
  response_head: 'sent no response',
  body_idle: 'stopped sending its response',
};

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

/**
 * Destroys `source` with an {@link UpstreamTimeoutError} when no chunk arrived for `ms` while the
 * reader wanted more. `blocked()` says the reader is not keen (the client is slow, backpressure):
 * then the timer starts over instead of firing. Returns a function that stops watching.
 *
 * Attach it in the same tick as the stream's real consumer: it adds a `data` listener.
 *
 * @example
 * const stop = watchBodyIdle(upstreamRes, 300_000, 'api.openai.com', () => res.writableNeedDrain, onTimeout);
 * upstreamRes.once('end', stop);
 */
export function watchBodyIdle(
  source: Readable,
  ms: number,
  host: string,
  blocked: () => boolean,
  onTimeout: (error: UpstreamTimeoutError) => void,
): () => void {
  let timer: NodeJS.Timeout | undefined;
  const fire = (): void => {
    if (blocked() || source.isPaused()) {
      timer = setTimeout(fire, ms);
      return;
    }
    stop();
    const error = new UpstreamTimeoutError('body_idle', ms, host);
    onTimeout(error);
    source.destroy(error);
  };
  const onData = (): void => {
    timer?.refresh();
  };
  const stop = (): void => {
    if (timer === undefined) return;
    clearTimeout(timer);
    timer = undefined;
    source.off('data', onData);
    source.off('end', stop);
    source.off('close', stop);
  };
  timer = setTimeout(fire, ms);
  source.on('data', onData);
  source.once('end', stop);
  source.once('close', stop);
  return stop;
}
