import { ServiceUnavailableError } from '../../errors.js';

/** Options of {@link createAdmissionQueue}. */
export interface AdmissionQueueOptions {
  /** Requests worked on at the same time (their slices interleave on the one thread). */
  concurrency: number;
  /** Requests allowed to wait for a free slot; one more is refused with 503. */
  maxWaiting: number;
  /** Sent as `Retry-After` when a request is refused. */
  retryAfterSeconds: number;
}

/** Admits work up to a concurrency limit, queues a bounded number of waiters, refuses the rest. */
export interface AdmissionQueue {
  /**
   * Runs `task` once a slot is free.
   * @throws {ServiceUnavailableError} at once when `maxWaiting` requests already wait.
   */
  run<T>(task: () => Promise<T>): Promise<T>;
  /** Tasks running now. */
  readonly active: number;
  /** Tasks waiting for a slot. */
  readonly waiting: number;
}

/**
 * A first-come, first-served admission queue. Refusing early (rather than queueing without bound)
 * keeps the latency of admitted requests bounded, which is what the proxy's per-request deadline
 * needs: a late answer is as useless to it as none, and a 503 lets it fall back at once.
 *
 * @example
 * const queue = createAdmissionQueue({ concurrency: 2, maxWaiting: 64, retryAfterSeconds: 1 });
 * const result = await queue.run(async () => analyzeAll(texts));
 */
export function createAdmissionQueue(options: AdmissionQueueOptions): AdmissionQueue {
  const { concurrency, maxWaiting, retryAfterSeconds } = options;
  let active = 0;
  const waiters: Array<() => void> = [];

  const release = (): void => {
    const next = waiters.shift();
    if (next) next();
    else active--;
  };

  async function run<T>(task: () => Promise<T>): Promise<T> {
    if (active >= concurrency) {
      if (waiters.length >= maxWaiting) {
        throw new ServiceUnavailableError(
          `the Guardrails Service is busy (${active} requests running, ${waiters.length} waiting)`,
          retryAfterSeconds,
        );
      }
      // The slot is handed over by release() without decrementing `active`, so no newcomer can
      // overtake a waiter between the release and the waiter's resumption.
      await new Promise<void>((resolve) => waiters.push(resolve));
    } else {
      active++;
    }
    try {
      return await task();
    } finally {
      release();
    }
  }

  return {
    run,
    get active() {
      return active;
    },
    get waiting() {
      return waiters.length;
    },
  };
}
