import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { SecurityPolicy, ALL_TRAFFIC } from '../../../src/policy/index.js';
import { startTestInternet, type TestInternet } from '../../helpers/test-internet.js';
import { startTestProxy, type TestProxy } from '../../helpers/test-proxy.js';
import { postJson, proxiedFetch } from './client.js';
import { connectTunnel, readUntil, tlsOverTunnel } from './tunnel.js';

const SEED_001 =
  'Summarize this customer record: John Smith, SSN 123-45-6789, email john@example.com, card 4111 1111 1111 1111';

let internet: TestInternet;
before(async () => {
  internet = await startTestInternet({ names: ['api.openai.com', 'pypi.org'] });
});
after(() => internet.close());

async function withProxy(
  policy: SecurityPolicy,
  fn: (t: TestProxy, f: ReturnType<typeof proxiedFetch>) => Promise<void>,
) {
  const t = await startTestProxy(internet, policy);
  const f = proxiedFetch(t);
  try {
    await fn(t, f);
  } finally {
    await f.close();
    await t.close();
  }
}

function piiPolicy(action: 'redact' | 'block' | 'log_only') {
  return SecurityPolicy.from({
    pii: { enabled: true, types: ['ssn', 'credit_card', 'email'], action, rehydrateResponse: true },
    network: { allowOut: ['*.openai.com'], denyOut: [ALL_TRAFFIC] },
  });
}

const chat = (content: string, stream = false) => ({
  model: 'gpt-4o-mini',
  stream,
  messages: [{ role: 'user', content }],
});

test('seed 001, redact: upstream sees only tokens and the client gets its values back', async () => {
  await withProxy(piiPolicy('redact'), async (t, f) => {
    const r = await postJson(f, internet.url('api.openai.com', '/v1/chat/completions'), chat(SEED_001));
    assert.equal(r.status, 200);
    const seen = internet.requests.at(-1)!.body;
    assert.doesNotMatch(seen, /123-45-6789|john@example\.com|4111 1111 1111 1111/);
    assert.match(seen, /\[SSN_[0-9a-f]{6}\].*\[EMAIL_[0-9a-f]{6}\].*\[CREDIT_CARD_[0-9a-f]{6}\]/);
    const answer = (r.json() as { choices: Array<{ message: { content: string } }> }).choices[0]!.message
      .content;
    assert.equal(answer, `You said: ${SEED_001}`);
    const pii = t.audit.ofType('pii');
    assert.equal(pii.length, 1);
    assert.deepEqual(pii[0]!.types.map((x) => x.type).sort(), ['credit_card', 'email', 'ssn']);
    assert.equal(pii[0]!.method, 'POST');
    assert.equal(pii[0]!.path, '/v1/chat/completions');
    assert.ok(!JSON.stringify(t.audit.events).includes('123-45-6789'));
  });
});

test('seed 001, redact with streaming: tokens cut across SSE deltas come back whole', async () => {
  await withProxy(piiPolicy('redact'), async (_t, f) => {
    const r = await postJson(f, internet.url('api.openai.com', '/v1/chat/completions'), chat(SEED_001, true));
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /text\/event-stream/);
    let text = '';
    for (const line of r.text.split('\n')) {
      if (!line.startsWith('data: {')) continue;
      text +=
        (JSON.parse(line.slice(6)) as { choices: Array<{ delta: { content?: string } }> }).choices[0]?.delta
          .content ?? '';
    }
    assert.equal(text, `You said: ${SEED_001}`);
    assert.doesNotMatch(internet.requests.at(-1)!.body, /123-45-6789/);
  });
});

test('seed 001, block: the request is refused with 403 naming the stage and types, never the values', async () => {
  await withProxy(piiPolicy('block'), async (t, f) => {
    const before = internet.requests.length;
    const r = await postJson(f, internet.url('api.openai.com', '/v1/chat/completions'), chat(SEED_001));
    assert.equal(r.status, 403);
    const err = (r.json() as { error: { stage: string; code: string; types: string[]; message: string } })
      .error;
    assert.equal(err.stage, 'pii');
    assert.equal(err.code, 'DECLAW_PII_BLOCKED');
    assert.deepEqual([...err.types].sort(), ['credit_card', 'email', 'ssn']);
    assert.doesNotMatch(r.text, /123-45-6789|john@example/);
    assert.equal(internet.requests.length, before, 'nothing reached upstream');
    assert.equal(t.audit.ofType('pii')[0]!.action, 'block');
  });
});

test('seed 001, log_only: the request goes out unchanged and the finding is audited', async () => {
  await withProxy(piiPolicy('log_only'), async (t, f) => {
    const r = await postJson(f, internet.url('api.openai.com', '/v1/chat/completions'), chat(SEED_001));
    assert.equal(r.status, 200);
    assert.match(internet.requests.at(-1)!.body, /123-45-6789/);
    assert.equal(t.audit.ofType('pii')[0]!.action, 'log_only');
  });
});

test('seed 000 transformation rule rewrites the Authorization header before it leaves', async () => {
  const policy = SecurityPolicy.from({
    transformations: [
      {
        direction: 'outbound',
        match: String.raw`Authorization:\s*Bearer\s+sk-\w+`,
        replace: 'Authorization: Bearer [REDACTED]',
      },
      { direction: 'outbound', match: 'api_key=[A-Za-z0-9]+', replace: 'api_key=[REDACTED]' },
    ],
  });
  await withProxy(policy, async (t, f) => {
    const r = await f(internet.url('api.openai.com', '/v1/models?api_key=abc123&x=1'), {
      headers: { authorization: 'Bearer sk-secret123' },
    });
    assert.equal(r.status, 200);
    const seen = internet.requests.at(-1)!;
    assert.equal(seen.headers.authorization, 'Bearer [REDACTED]');
    assert.equal(seen.path, '/v1/models?api_key=[REDACTED]&x=1');
    const ev = t.audit.ofType('transform_applied')[0]!;
    assert.deepEqual(ev.rules, [
      { rule: 0, count: 1 },
      { rule: 1, count: 1 },
    ]);
    assert.equal(ev.path, '/v1/models?api_key&x', 'query values never reach the audit log');
  });
});

test('pii.domains scoping: hosts outside the list are not scanned', async () => {
  const policy = SecurityPolicy.fromJSON({
    pii: { enabled: true, types: ['ssn'], domains: ['api.openai.com'] },
  });
  await withProxy(policy, async (_t, f) => {
    await postJson(f, internet.url('pypi.org', '/echo'), { note: 'SSN 123-45-6789' });
    assert.match(internet.requests.at(-1)!.body, /123-45-6789/);
    await postJson(f, internet.url('api.openai.com', '/echo'), { note: 'SSN 123-45-6789' });
    assert.doesNotMatch(internet.requests.at(-1)!.body, /123-45-6789/);
  });
});

test('audit.enabled false: decisions still apply but no network or content event is recorded', async () => {
  const policy = SecurityPolicy.from({ pii: { enabled: true, types: ['ssn'] }, audit: false });
  await withProxy(policy, async (t, f) => {
    await postJson(f, internet.url('api.openai.com', '/echo'), { note: 'SSN 123-45-6789' });
    assert.doesNotMatch(internet.requests.at(-1)!.body, /123-45-6789/);
    assert.equal(t.audit.events.length, 0);
  });
});

test('the name is resolved once per connection and the vetted address dialled (no second lookup)', async () => {
  let lookups = 0;
  const rebinding = {
    resolve: (host: string) => {
      if (host === 'api.openai.com') lookups++;
      // Every answer after the first points at the metadata service (DNS rebinding).
      return lookups > 1 && host === 'api.openai.com'
        ? Promise.resolve([{ address: '169.254.169.254', family: 4 as const }])
        : internet.resolver.resolve(host);
    },
  };
  const t = await startTestProxy(internet, piiPolicy('redact'), { proxy: { resolver: rebinding } });
  try {
    const tunnel = await connectTunnel(t.port, `api.openai.com:${internet.httpsPort}`);
    const s = await tlsOverTunnel(tunnel.socket, { servername: 'api.openai.com', ca: t.caPem });
    s.write(
      'GET /a HTTP/1.1\r\nHost: api.openai.com\r\n\r\nGET /b HTTP/1.1\r\nHost: api.openai.com\r\n\r\n' +
        'GET /c HTTP/1.1\r\nHost: api.openai.com\r\nConnection: close\r\n\r\n',
    );
    const answer = await readUntil(s, () => false);
    assert.equal((answer.match(/HTTP\/1\.1 200 OK/g) ?? []).length, 3);
    assert.equal(lookups, 1, 'requests on the connection reuse the one vetted address');
    // A new connection asks again, gets the rebound answer, and is refused.
    const again = await connectTunnel(t.port, `api.openai.com:${internet.httpsPort}`);
    assert.equal(again.status, 403);
  } finally {
    await t.close();
  }
});
