import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CircuitBreaker } from '../../../../src/guardrails/client/circuit-breaker.js';
import { InvalidArgumentError } from '../../../../src/errors.js';

function clock(): { now: () => number; advance: (ms: number) => void } {
  let t = 1_000;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

test('the breaker opens after the configured number of consecutive failures and then refuses calls', () => {
  const c = clock();
  const b = new CircuitBreaker({ failureThreshold: 3, coolDownMs: 1000, now: c.now });
  assert.equal(b.failure(b.acquire()!), false);
  assert.equal(b.failure(b.acquire()!), false);
  assert.equal(b.state, 'closed');
  assert.equal(b.failure(b.acquire()!), true);
  assert.equal(b.state, 'open');
  assert.equal(b.acquire(), undefined);
});

test('a success between failures resets the count, so scattered failures never open the breaker', () => {
  const b = new CircuitBreaker({ failureThreshold: 2 });
  for (let i = 0; i < 10; i++) {
    b.failure(b.acquire()!);
    b.success(b.acquire()!);
  }
  assert.equal(b.state, 'closed');
  assert.equal(b.consecutiveFailures, 0);
});

test('after the cool-down exactly one probe goes through; its success closes the breaker and says so', () => {
  const c = clock();
  const b = new CircuitBreaker({ failureThreshold: 1, coolDownMs: 500, now: c.now });
  b.failure(b.acquire()!);
  c.advance(499);
  assert.equal(b.acquire(), undefined);
  c.advance(1);
  assert.equal(b.state, 'half_open');
  const probe = b.acquire();
  assert.equal(probe, 'probe');
  assert.equal(b.acquire(), undefined, 'a second call while the probe is out is refused');
  assert.equal(b.success(probe!), true);
  assert.equal(b.state, 'closed');
  assert.equal(b.acquire(), 'call');
});

test('a failed probe opens the breaker for another full cool-down', () => {
  const c = clock();
  const b = new CircuitBreaker({ failureThreshold: 1, coolDownMs: 500, now: c.now });
  b.failure(b.acquire()!);
  c.advance(500);
  assert.equal(b.failure(b.acquire()!), true);
  assert.equal(b.state, 'open');
  c.advance(499);
  assert.equal(b.acquire(), undefined);
  c.advance(1);
  assert.equal(b.acquire(), 'probe');
});

test('thresholds that make no sense are refused with the option named', () => {
  assert.throws(() => new CircuitBreaker({ failureThreshold: 0 }), InvalidArgumentError);
  assert.throws(() => new CircuitBreaker({ coolDownMs: -1 }), /coolDownMs/);
});

test('property: while time stands still the breaker is open exactly when the last N outcomes were failures', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 6 }), fc.array(fc.boolean(), { maxLength: 60 }), (n, outcomes) => {
      const b = new CircuitBreaker({ failureThreshold: n, coolDownMs: 10_000, now: () => 0 });
      let run = 0;
      for (const ok of outcomes) {
        const ticket = b.acquire();
        if (ticket === undefined) {
          // Open: nothing is called, so the outcome never happens.
          assert.ok(run >= n);
          continue;
        }
        if (ok) {
          b.success(ticket);
          run = 0;
        } else {
          b.failure(ticket);
          run++;
        }
        assert.equal(b.state === 'open', run >= n);
      }
    }),
  );
});
