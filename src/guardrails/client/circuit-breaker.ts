import { InvalidArgumentError } from '../../errors.js';

/** The breaker's state: calls flow (`closed`), are refused (`open`), or one probe is let through (`half_open`). */
export type BreakerState = 'closed' | 'open' | 'half_open';

/** Options of {@link CircuitBreaker}. */
export interface CircuitBreakerOptions {
  /** Consecutive failures (errors or timeouts) that open the breaker. Default 5. */
  failureThreshold?: number;
  /** How long the breaker stays open before one probe call is allowed, in ms. Default 5000. */
  coolDownMs?: number;
  /** Clock in ms; injectable so tests move time instead of waiting for it. */
  now?: () => number;
}

/** What {@link CircuitBreaker.acquire} grants: a normal call, a probe, or nothing (open). */
export type BreakerTicket = 'call' | 'probe' | undefined;

/**
 * A consecutive-failure circuit breaker. While the Guardrails Service is down, every proxied request
 * would otherwise wait out the full deadline; after `failureThreshold` failures in a row the breaker
 * opens and calls fall back at once. After `coolDownMs` exactly one call goes through as a probe
 * (half-open): its success closes the breaker, its failure opens it for another cool-down.
 *
 * @example
 * const breaker = new CircuitBreaker({ failureThreshold: 3, coolDownMs: 2000 });
 * const ticket = breaker.acquire();
 * if (ticket === undefined) return fallback('breaker_open');
 * const ok = await callService();
 * const recovered = ok ? breaker.success(ticket) : (breaker.failure(ticket), false);
 */
export class CircuitBreaker {
  readonly failureThreshold: number;
  readonly coolDownMs: number;
  readonly #now: () => number;
  #state: BreakerState = 'closed';
  #failures = 0;
  #openedAt = 0;
  #probing = false;

  constructor(options: CircuitBreakerOptions = {}) {
    this.failureThreshold = options.failureThreshold ?? 5;
    this.coolDownMs = options.coolDownMs ?? 5000;
    this.#now = options.now ?? Date.now;
    if (!Number.isInteger(this.failureThreshold) || this.failureThreshold < 1) {
      throw new InvalidArgumentError(
        'failureThreshold',
        `must be a whole number of failures, at least 1; got ${this.failureThreshold}`,
      );
    }
    if (!Number.isFinite(this.coolDownMs) || this.coolDownMs < 0) {
      throw new InvalidArgumentError(
        'coolDownMs',
        `must be a non-negative number of milliseconds; got ${this.coolDownMs}`,
      );
    }
  }

  /** The current state (an open breaker whose cool-down is over reads `half_open`). */
  get state(): BreakerState {
    if (this.#state === 'open' && this.#now() - this.#openedAt >= this.coolDownMs) return 'half_open';
    return this.#state;
  }

  /** Consecutive failures counted so far. */
  get consecutiveFailures(): number {
    return this.#failures;
  }

  /**
   * Asks to make a call. `call` while closed; `probe` for the one call allowed once the cool-down is
   * over; undefined while open (or while a probe is already out).
   */
  acquire(): BreakerTicket {
    if (this.#state === 'closed') return 'call';
    if (this.#probing || this.state !== 'half_open') return undefined;
    this.#probing = true;
    this.#state = 'half_open';
    return 'probe';
  }

  /** Reports a successful call. Returns true when this closed a breaker that was not closed. */
  success(ticket: Exclude<BreakerTicket, undefined>): boolean {
    this.#failures = 0;
    if (ticket === 'probe') this.#probing = false;
    if (this.#state === 'closed') return false;
    this.#state = 'closed';
    return true;
  }

  /** Reports a failed call. Returns true when this opened the breaker. */
  failure(ticket: Exclude<BreakerTicket, undefined>): boolean {
    this.#failures++;
    if (ticket === 'probe') {
      this.#probing = false;
      this.#open();
      return true;
    }
    if (this.#state === 'closed' && this.#failures >= this.failureThreshold) {
      this.#open();
      return true;
    }
    return false;
  }

  #open(): void {
    this.#state = 'open';
    this.#openedAt = this.#now();
  }
}
