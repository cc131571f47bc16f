import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ProxyAgent, request } from 'undici';
import { SecurityPolicy } from '../../../src/policy/index.js';
import { DaemonMetrics } from '../../../src/server/metrics.js';
import { startTestInternet, type TestInternet } from '../../helpers/test-internet.js';
import { startTestProxy } from '../../helpers/test-proxy.js';
import { postJson, proxiedFetch } from './client.js';

let internet: TestInternet;
/** Resolved by the test once the client holds the first bytes of /large; the upstream ends only then. */
let releaseLarge: () => void = () => {};
let largeEnded = false;
before(async () => {
  internet = await startTestInternet({ names: ['api.openai.com', 'files.example'] });
  internet.route('files.example', (req, res) => {
    if (req.url?.startsWith('/large')) {
      largeEnded = false;
      res.writeHead(200, { 'content-type': 'application/json' }); // chunked, no length
      res.write(`[${'"lorem ipsum dolor sit amet",'.repeat(4096)}`);
      const echo = new URL(req.url ?? '/', 'https://x').searchParams.get('echo');
      const finish = (): void => {
        largeEnded = true;
        if (echo) {
          // The value is split across two chunks: masking must hold back the first half.
          res.write(`"${echo.slice(0, 10)}`);
          res.write(`${echo.slice(10)}",`);
        }
        res.end('"end"]');
      };
      releaseLarge = finish;
      // Ends anyway, so a proxy that buffers makes the test fail instead of hanging it.
      setTimeout(finish, 3000).unref();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 5 });
    res.end('hello');
  });
});
after(() => internet.close());

test(
  'each request through an intercepted flow is one request_completed event with status, sizes, duration and mode',
  { timeout: 20_000 },
  async () => {
    const t = await startTestProxy(internet, SecurityPolicy.from({ pii: { enabled: true } }));
    const f = proxiedFetch(t);
    try {
      const r = await postJson(f, internet.url('api.openai.com', '/v1/chat/completions'), {
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'my mail is ann@example.com' }],
      });
      assert.equal(r.status, 200);
      assert.equal((await f(internet.url('files.example', '/small?key=sk-secret'))).text, 'hello');
      const events = t.audit.ofType('request_completed');
      assert.equal(events.length, 2);
      const [chat, small] = events;
      assert.equal(chat?.status, 200);
      assert.equal(chat?.mode, 'intercept');
      assert.equal(chat?.method, 'POST');
      assert.equal(chat?.completed, true);
      assert.ok((chat?.requestBytes ?? 0) > 50, 'the redacted request body was counted');
      assert.equal(chat?.responseBytes, Buffer.byteLength(r.text));
      assert.ok((chat?.durationMs ?? -1) >= 0);
      assert.equal(small?.responseBytes, 5);
      assert.equal(small?.path, '/small?key', 'query values never reach the event');
      assert.doesNotMatch(JSON.stringify(events), /ann@example\.com|sk-secret/);
    } finally {
      await f.close();
      await t.close();
    }
  },
);

test('the daemon metrics show the proxy latency histogram after requests', { timeout: 20_000 }, async () => {
  const t = await startTestProxy(internet, SecurityPolicy.from({ pii: { enabled: true } }));
  const f = proxiedFetch(t);
  try {
    for (let i = 0; i < 3; i++) await f(internet.url('files.example', '/small'));
  } finally {
    await f.close();
    await t.close();
  }
  const metrics = new DaemonMetrics(() => 0);
  for (const e of t.audit.events) metrics.observe(e);
  const { text } = await metrics.render();
  assert.match(text, /declaw_proxy_request_duration_seconds_count\{mode="intercept"\} 3/);
  assert.match(text, /declaw_proxy_request_duration_seconds_bucket\{le="10",mode="intercept"\} 3/);
  assert.match(text, /declaw_proxy_response_bytes_total\{mode="intercept"\} 15/);
});

test(
  'a large chunked response starts reaching the client before the upstream has finished it (outbound PII only)',
  { timeout: 20_000 },
  async () => {
    const t = await startTestProxy(internet, SecurityPolicy.from({ pii: { enabled: true } }));
    const agent = new ProxyAgent({ uri: t.proxyUrl, requestTls: { ca: t.caPem } });
    try {
      const r = await request(internet.url('files.example', '/large'), { dispatcher: agent });
      assert.equal(r.statusCode, 200);
      const chunks: Buffer[] = [];
      let endedAtFirstChunk: boolean | undefined;
      for await (const chunk of r.body) {
        if (endedAtFirstChunk === undefined) {
          endedAtFirstChunk = largeEnded;
          releaseLarge();
        }
        chunks.push(chunk as Buffer);
      }
      assert.equal(endedAtFirstChunk, false, 'the first bytes arrived while the upstream was still sending');
      const parsed = JSON.parse(Buffer.concat(chunks).toString()) as string[];
      assert.equal(parsed.length, 4097);
    } finally {
      await agent.close();
      await t.close();
    }
  },
);

test(
  'with secure env vars only, a large response streams and a secret value in it is still masked',
  { timeout: 20_000 },
  async () => {
    const REAL = 'sk-live-REAL-0123456789abcdef';
    const policy = SecurityPolicy.fromJSON({
      env_security: { secure_env_vars: [{ key: 'OPENAI_API_KEY', value: REAL, domains: ['files.example'] }] },
    });
    const t = await startTestProxy(internet, policy);
    const agent = new ProxyAgent({ uri: t.proxyUrl, requestTls: { ca: t.caPem } });
    try {
      const r = await request(internet.url('files.example', `/large?echo=${REAL}`), { dispatcher: agent });
      const chunks: Buffer[] = [];
      let endedAtFirstChunk: boolean | undefined;
      for await (const chunk of r.body) {
        if (endedAtFirstChunk === undefined) {
          endedAtFirstChunk = largeEnded;
          releaseLarge();
        }
        chunks.push(chunk as Buffer);
      }
      assert.equal(endedAtFirstChunk, false, 'the first bytes arrived while the upstream was still sending');
      const text = Buffer.concat(chunks).toString();
      assert.ok(!text.includes(REAL), 'the real value never reaches the sandbox');
      assert.ok(text.includes(t.session.secrets.envForSandbox().OPENAI_API_KEY!));
      assert.deepEqual(t.audit.ofType('secret_masked')[0]?.keys, ['OPENAI_API_KEY']);
    } finally {
      await agent.close();
      await t.close();
    }
  },
);
