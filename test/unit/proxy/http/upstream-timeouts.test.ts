import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  DEFAULT_UPSTREAM_TIMEOUTS,
  UpstreamTimeoutError,
  timeoutRefusal,
  upstreamTimeouts,
  watchBodyIdle,
} from '../../../../src/proxy/http/upstream-timeouts.js';
import { InvalidArgumentError } from '../../../../src/errors.js';

test('timeouts default to 10 s connect, 600 s response head, 300 s body idle; given ones win', () => {
  assert.deepEqual(upstreamTimeouts(), { connectMs: 10_000, responseHeadMs: 600_000, bodyIdleMs: 300_000 });
  assert.deepEqual(upstreamTimeouts({ responseHeadMs: 5 }), {
    ...DEFAULT_UPSTREAM_TIMEOUTS,
    responseHeadMs: 5,
  });
});

test('a timeout that is not a whole number of milliseconds in timer range is refused, naming it', () => {
  for (const bad of [0, -1, 1.5, Number.NaN, 2 ** 31]) {
    assert.throws(
      () => upstreamTimeouts({ connectMs: bad }),
      (e: unknown) => e instanceof InvalidArgumentError && /connectMs/.test(e.message),
    );
  }
});

test('the 504 names the stage, the limit and the option to raise', () => {
  const r = timeoutRefusal(new UpstreamTimeoutError('response_head', 600_000, 'api.openai.com'));
  assert.equal(r.status, 504);
  assert.equal(r.stage, 'upstream');
  assert.equal(r.code, 'DECLAW_UPSTREAM_TIMEOUT');
  assert.deepEqual(r.details, { timeout: 'response_head', timeout_ms: 600_000 });
  assert.match(r.message, /api\.openai\.com sent no response within 600 s.*upstreamTimeouts\.responseHeadMs/);
});

test('a body that goes silent is destroyed with a body_idle timeout', async () => {
  const body = new PassThrough();
  body.resume();
  const seen: UpstreamTimeoutError[] = [];
  watchBodyIdle(
    body,
    20,
    'slow.example',
    () => false,
    (e) => seen.push(e),
  );
  const failed = new Promise<Error>((resolve) => body.once('error', resolve));
  body.write('a');
  const err = await failed;
  assert.ok(err instanceof UpstreamTimeoutError);
  assert.equal(err.stage, 'body_idle');
  assert.equal(seen.length, 1);
});

test('a body that keeps sending is never cut, however long it lasts', async () => {
  const body = new PassThrough();
  body.resume();
  const stop = watchBodyIdle(
    body,
    40,
    'ok.example',
    () => false,
    () => assert.fail('timed out'),
  );
  for (let i = 0; i < 10; i++) {
    body.write('x');
    await sleep(10);
  }
  stop();
  assert.equal(body.destroyed, false);
});

test('time the client spends not reading (backpressure) is not the upstream being idle', async () => {
  const body = new PassThrough();
  body.resume();
  let clientSlow = true;
  const seen: UpstreamTimeoutError[] = [];
  watchBodyIdle(
    body,
    15,
    'ok.example',
    () => clientSlow,
    (e) => seen.push(e),
  );
  await sleep(100);
  assert.equal(seen.length, 0);
  assert.equal(body.destroyed, false);
  clientSlow = false;
  await new Promise((resolve) => body.once('error', resolve));
  assert.equal(seen.length, 1);
});

test('a body that ended is not watched any more', async () => {
  const body = new PassThrough();
  body.resume();
  watchBodyIdle(
    body,
    10,
    'ok.example',
    () => false,
    () => assert.fail('timed out after the end'),
  );
  body.end('done');
  await sleep(50);
  assert.equal(body.errored, null);
});
