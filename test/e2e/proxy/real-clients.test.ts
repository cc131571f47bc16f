/**
 * Real clients through the explicit proxy, configured the way their users configure them: curl with
 * --proxy and --cacert, Python's urllib with HTTPS_PROXY and SSL_CERT_FILE, Node's fetch through
 * undici's ProxyAgent, and the openai SDK (chat.completions and responses, streamed and not) against
 * the test internet's OpenAI-compatible fake. Upstream must see only tokens; clients get their values.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import OpenAI from 'openai';
import { ProxyAgent, fetch as undiciFetch } from 'undici';
import { SecurityPolicy, ALL_TRAFFIC } from '../../../src/policy/index.js';
import { startTestInternet, type TestInternet } from '../../helpers/test-internet.js';
import { startTestProxy, type TestProxy } from '../../helpers/test-proxy.js';

const run = promisify(execFile);
const RECORD = 'Customer John Smith, SSN 123-45-6789, email john@example.com, card 4111111111111111';
const VALUES = /123-45-6789|john@example\.com|4111111111111111/;

let internet: TestInternet;
let t: TestProxy;
before(async () => {
  internet = await startTestInternet({ names: ['api.openai.com'] });
  const policy = SecurityPolicy.from({
    pii: { enabled: true, types: ['ssn', 'credit_card', 'email'], action: 'redact', rehydrateResponse: true },
    injectionDefense: true,
    transformations: [{ direction: 'inbound', match: '[\\x{200b}\\x{200c}\\x{200d}]', replace: '' }],
    network: { allowOut: ['*.openai.com'], denyOut: [ALL_TRAFFIC] },
  });
  t = await startTestProxy(internet, policy);
});
after(async () => {
  await t.close();
  await internet.close();
});

function lastUpstreamBody(): string {
  return internet.requests.at(-1)!.body;
}

function clientEnv(): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    HTTPS_PROXY: t.proxyUrl,
    https_proxy: t.proxyUrl,
    NO_PROXY: '',
    no_proxy: '',
    SSL_CERT_FILE: t.caFile,
  };
}

const chatBody = (stream: boolean) =>
  JSON.stringify({ model: 'gpt-4o-mini', stream, messages: [{ role: 'user', content: RECORD }] });

test('curl --proxy with the sandbox CA: redacted upstream, rehydrated answer', async () => {
  const { stdout } = await run(
    'curl',
    [
      '-sS',
      '--fail-with-body',
      '--proxy',
      t.proxyUrl,
      '--cacert',
      t.caFile,
      '-H',
      'content-type: application/json',
      '--data',
      chatBody(false),
      internet.url('api.openai.com', '/v1/chat/completions'),
    ],
    { env: clientEnv() },
  );
  assert.doesNotMatch(lastUpstreamBody(), VALUES);
  const answer = JSON.parse(stdout) as { choices: Array<{ message: { content: string } }> };
  assert.equal(answer.choices[0]!.message.content, `You said: ${RECORD}`);
});

test('curl streaming (-N): SSE deltas rehydrated even with tokens cut across events', async () => {
  const { stdout } = await run(
    'curl',
    [
      '-sS',
      '-N',
      '--proxy',
      t.proxyUrl,
      '--cacert',
      t.caFile,
      '-H',
      'content-type: application/json',
      '--data',
      chatBody(true),
      internet.url('api.openai.com', '/v1/chat/completions'),
    ],
    { env: clientEnv() },
  );
  const text = stdout
    .split('\n')
    .filter((l) => l.startsWith('data: {'))
    .map(
      (l) =>
        (JSON.parse(l.slice(6)) as { choices: Array<{ delta: { content?: string } }> }).choices[0]?.delta
          .content ?? '',
    )
    .join('');
  assert.equal(text, `You said: ${RECORD}`);
  assert.match(stdout, /data: \[DONE\]/);
});

test("Python's urllib with HTTPS_PROXY and SSL_CERT_FILE", async () => {
  const script = [
    'import json, sys, urllib.request',
    'req = urllib.request.Request(sys.argv[1], data=sys.argv[2].encode(), headers={"content-type": "application/json"})',
    'print(json.load(urllib.request.urlopen(req))["choices"][0]["message"]["content"])',
  ].join('\n');
  const { stdout } = await run(
    'python3',
    ['-c', script, internet.url('api.openai.com', '/v1/chat/completions'), chatBody(false)],
    { env: clientEnv() },
  );
  assert.equal(stdout.trim(), `You said: ${RECORD}`);
  assert.doesNotMatch(lastUpstreamBody(), VALUES);
});

test("Node's fetch through undici's ProxyAgent", async () => {
  const agent = new ProxyAgent({ uri: t.proxyUrl, requestTls: { ca: t.caPem } });
  try {
    const r = await undiciFetch(internet.url('api.openai.com', '/v1/chat/completions'), {
      dispatcher: agent,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: chatBody(false),
    });
    const answer = (await r.json()) as { choices: Array<{ message: { content: string } }> };
    assert.equal(answer.choices[0]!.message.content, `You said: ${RECORD}`);
    assert.doesNotMatch(lastUpstreamBody(), VALUES);
  } finally {
    await agent.close();
  }
});

type OpenAIOptions = NonNullable<ConstructorParameters<typeof OpenAI>[0]>;

function openaiClient(agent: ProxyAgent): OpenAI {
  // undici 7's fetch with its ProxyAgent: the SDK passes fetchOptions through to fetch.
  return new OpenAI({
    apiKey: 'sk-test-not-real',
    baseURL: internet.url('api.openai.com', '/v1'),
    fetch: undiciFetch as unknown as OpenAIOptions['fetch'],
    fetchOptions: { dispatcher: agent } as unknown as OpenAIOptions['fetchOptions'],
    maxRetries: 0,
  });
}

test('openai SDK chat.completions, not streamed and streamed', async () => {
  const agent = new ProxyAgent({ uri: t.proxyUrl, requestTls: { ca: t.caPem } });
  const client = openaiClient(agent);
  try {
    const done = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: RECORD }],
    });
    assert.equal(done.choices[0]!.message.content, `You said: ${RECORD}`);
    assert.doesNotMatch(lastUpstreamBody(), VALUES);
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      stream: true,
      messages: [{ role: 'user', content: RECORD }],
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    assert.equal(text, `You said: ${RECORD}`);
    assert.doesNotMatch(lastUpstreamBody(), VALUES);
  } finally {
    await agent.close();
  }
});

test('openai SDK responses API, not streamed and streamed', async () => {
  const agent = new ProxyAgent({ uri: t.proxyUrl, requestTls: { ca: t.caPem } });
  const client = openaiClient(agent);
  try {
    const r = await client.responses.create({ model: 'gpt-4o-mini', input: RECORD });
    assert.equal(r.output_text, `You said: ${RECORD}`);
    assert.doesNotMatch(lastUpstreamBody(), VALUES);
    const stream = await client.responses.create({ model: 'gpt-4o-mini', input: RECORD, stream: true });
    let text = '';
    let final = '';
    for await (const event of stream) {
      if (event.type === 'response.output_text.delta') text += event.delta;
      if (event.type === 'response.output_text.done') final = event.text;
    }
    assert.equal(text, `You said: ${RECORD}`);
    assert.equal(final, `You said: ${RECORD}`);
  } finally {
    await agent.close();
  }
});
