import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import net, { type AddressInfo, type Socket } from 'node:net';
import { SecurityPolicy } from '../../../src/policy/index.js';
import { startTestInternet, type TestInternet } from '../../helpers/test-internet.js';
import { startTestProxy, type TestProxy } from '../../helpers/test-proxy.js';
import { proxiedFetch, type ProxiedFetch } from './client.js';

// Small limits so a stalled upstream is given up on quickly; the stalls themselves are unbounded.
const TIMEOUTS = { connectMs: 300, responseHeadMs: 300, bodyIdleMs: 300 };

let internet: TestInternet;
let blackHole: net.Server;
const held: Socket[] = [];
before(async () => {
  internet = await startTestInternet({ names: ['api.openai.com', 'slow.example'] });
  internet.route('slow.example', (req, res) => {
    if (req.url === '/no-head') return; // never answers
    if (req.url === '/stall-body') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('the first part, then silence');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('fine');
  });
  // Accepts TCP connections and never says a word: a TLS handshake with it cannot finish.
  blackHole = net.createServer((s) => void held.push(s));
  await new Promise<void>((r) => blackHole.listen(0, '127.0.0.1', () => r()));
});
after(async () => {
  for (const s of held) s.destroy();
  blackHole.close();
  await internet.close();
});

async function withProxy(
  policy: SecurityPolicy,
  run: (f: ProxiedFetch, t: TestProxy) => Promise<void>,
): Promise<void> {
  const t = await startTestProxy(internet, policy, { proxy: { upstreamTimeouts: TIMEOUTS } });
  const f = proxiedFetch(t);
  try {
    await run(f, t);
  } finally {
    await f.close();
    await t.close();
  }
}

const intercepting = SecurityPolicy.from({ pii: { enabled: true } });
const scanningResponses = SecurityPolicy.from({ injectionDefense: { enabled: true, action: 'block' } });

function timeoutError(text: string): Record<string, unknown> {
  return (JSON.parse(text) as { error: Record<string, unknown> }).error;
}

test(
  'an upstream that accepts TCP but never finishes TLS gets the client a 504 naming the connect stage',
  { timeout: 20_000 },
  async () => {
    await withProxy(intercepting, async (f, t) => {
      const port = (blackHole.address() as AddressInfo).port;
      const r = await f(`https://api.openai.com:${port}/v1/models`);
      assert.equal(r.status, 504);
      const error = timeoutError(r.text);
      assert.equal(error.stage, 'upstream');
      assert.equal(error.code, 'DECLAW_UPSTREAM_TIMEOUT');
      assert.equal(error.timeout, 'connect');
      assert.match(
        String(error.message),
        /api\.openai\.com did not accept a connection.*upstreamTimeouts\.connectMs/,
      );
      const [event] = t.audit.ofType('upstream_timeout');
      assert.deepEqual(
        { stage: event?.stage, timeoutMs: event?.timeoutMs, answered: event?.answered, host: event?.host },
        { stage: 'connect', timeoutMs: 300, answered: true, host: 'api.openai.com' },
      );
    });
  },
);

test(
  'an upstream that never sends its response head gets the client a 504 naming response_head',
  { timeout: 20_000 },
  async () => {
    await withProxy(intercepting, async (f, t) => {
      const r = await f(internet.url('slow.example', '/no-head'));
      assert.equal(r.status, 504);
      assert.equal(r.headers.get('x-declaw-stage'), 'upstream');
      assert.equal(timeoutError(r.text).timeout, 'response_head');
      assert.equal(t.audit.ofType('upstream_timeout')[0]?.stage, 'response_head');
      // The connection stays usable for the next request.
      assert.equal((await f(internet.url('slow.example', '/ok'))).text, 'fine');
    });
  },
);

test(
  'a scanned response whose body stalls is answered 504 (body_idle) and nothing of it is delivered',
  { timeout: 20_000 },
  async () => {
    await withProxy(scanningResponses, async (f, t) => {
      const r = await f(internet.url('slow.example', '/stall-body'));
      assert.equal(r.status, 504);
      assert.equal(timeoutError(r.text).timeout, 'body_idle');
      assert.doesNotMatch(r.text, /first part/);
      const [event] = t.audit.ofType('upstream_timeout');
      assert.equal(event?.stage, 'body_idle');
      assert.equal(event?.answered, true);
    });
  },
);

test(
  'a streamed response whose body stalls is cut, so the client is not held forever',
  { timeout: 20_000 },
  async () => {
    await withProxy(intercepting, async (f, t) => {
      await assert.rejects(f(internet.url('slow.example', '/stall-body')));
      const [event] = t.audit.ofType('upstream_timeout');
      assert.equal(event?.stage, 'body_idle');
      assert.equal(event?.answered, false);
    });
  },
);

test('timeouts must be whole positive milliseconds', { timeout: 20_000 }, async () => {
  await assert.rejects(
    startTestProxy(internet, intercepting, { proxy: { upstreamTimeouts: { bodyIdleMs: 0 } } }),
    /upstreamTimeouts\.bodyIdleMs/,
  );
});
