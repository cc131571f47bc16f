import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SecurityPolicy } from '../../../../src/policy/index.js';
import {
  SandboxSecrets,
  makePlaceholder,
  placeholderKey,
  swapNeedles,
  swapNeedleStream,
  maskEnv,
  maskSecretValues,
  compileMaskPatterns,
  type Needle,
} from '../../../../src/content/secrets/index.js';
import { InvalidArgumentError } from '../../../../src/errors.js';

const REAL = 'sk-proj-REALVALUE0123456789';

function policy(extra: Record<string, unknown> = {}) {
  return SecurityPolicy.fromJSON({
    env_security: {
      secure_env_vars: [
        { key: 'OPENAI_API_KEY', value: REAL, domains: ['api.openai.com'] },
        { key: 'GH_TOKEN', value_from_env: 'DECLAW_TEST_GH', domains: ['*.github.com'] },
      ],
      ...extra,
    },
  });
}

test('each sandbox gets its own unguessable placeholder per secret, never the value', () => {
  const env = { DECLAW_TEST_GH: 'ghp_realtoken' };
  const a = SandboxSecrets.fromPolicy(policy(), { env }).envForSandbox();
  const b = SandboxSecrets.fromPolicy(policy(), { env }).envForSandbox();
  assert.deepEqual(Object.keys(a), ['OPENAI_API_KEY', 'GH_TOKEN']);
  assert.notEqual(a.OPENAI_API_KEY, b.OPENAI_API_KEY);
  assert.match(a.OPENAI_API_KEY!, /^declaw_secret_OPENAI_API_KEY_[0-9a-f]{32}$/);
  assert.equal(placeholderKey(a.GH_TOKEN!), 'GH_TOKEN');
  assert.ok(!JSON.stringify(a).includes(REAL));
});

test('a placeholder becomes the real value only toward the hosts its secret is bound to', () => {
  const s = SandboxSecrets.fromPolicy(policy(), { env: { DECLAW_TEST_GH: 'ghp_realtoken' } });
  const ph = s.envForSandbox();
  const body = Buffer.from(`{"a":"${ph.OPENAI_API_KEY}","b":"${ph.GH_TOKEN}"}`);
  const toOpenai = s.outbound(body, 'api.openai.com');
  assert.equal(toOpenai.output.toString(), `{"a":"${REAL}","b":"${ph.GH_TOKEN}"}`);
  assert.deepEqual(toOpenai.injected, ['OPENAI_API_KEY']);
  assert.deepEqual(toOpenai.withheld, ['GH_TOKEN']);
  const elsewhere = s.outbound(body, 'evil.example');
  assert.equal(elsewhere.output.toString(), body.toString());
  assert.deepEqual(elsewhere.withheld, ['OPENAI_API_KEY', 'GH_TOKEN']);
  assert.equal(s.outboundText(`Bearer ${ph.GH_TOKEN}`, 'api.github.com').output, 'Bearer ghp_realtoken');
});

test('real values coming back in responses are turned back into placeholders, also split across chunks', () => {
  const s = SandboxSecrets.fromPolicy(policy(), { env: { DECLAW_TEST_GH: 'ghp_realtoken' } });
  const ph = s.envForSandbox();
  const whole = s.inbound(Buffer.from(`echo: ${REAL}!`));
  assert.equal(whole.output.toString(), `echo: ${ph.OPENAI_API_KEY}!`);
  assert.deepEqual(whole.masked, ['OPENAI_API_KEY']);
  const stream = s.inboundStream();
  const parts = [`echo: ${REAL.slice(0, 9)}`, REAL.slice(9), ' and ghp_real', 'token'];
  const out = Buffer.concat([...parts.map((p) => stream.push(Buffer.from(p)).output), stream.end().output]);
  assert.equal(out.toString(), `echo: ${ph.OPENAI_API_KEY} and ${ph.GH_TOKEN}`);
});

test('a value_from_env variable that is not set is refused with the variable named', () => {
  assert.throws(
    () => SandboxSecrets.fromPolicy(policy(), { env: {} }),
    (e: unknown) => e instanceof InvalidArgumentError && /DECLAW_TEST_GH is not set/.test(e.message),
  );
});

test('secrets never show up when the secret set is logged', () => {
  const s = SandboxSecrets.fromPolicy(policy(), { env: { DECLAW_TEST_GH: 'ghp_realtoken' } });
  assert.ok(!JSON.stringify(s).includes(REAL));
  assert.ok(!JSON.stringify(s).includes('ghp_realtoken'));
});

test('placeholders only use characters that survive headers, URLs, JSON and forms', () => {
  const ph = makePlaceholder('X_KEY');
  assert.equal(encodeURIComponent(ph), ph);
  assert.equal(JSON.stringify(ph), `"${ph}"`);
  assert.throws(() => makePlaceholder('not a name'), InvalidArgumentError);
});

const needleArb = fc
  .array(fc.string({ unit: fc.constantFrom('a', 'b', 'c'), minLength: 1, maxLength: 4 }), {
    minLength: 1,
    maxLength: 3,
  })
  .map((finds): Needle[] =>
    [...new Set(finds)].map((f, i) => ({
      id: `n${i}`,
      find: Buffer.from(f),
      replace: Buffer.from(`<${i}>`),
    })),
  );

test('streamed swapping gives the same bytes as swapping the whole message, however it is cut', () => {
  fc.assert(
    fc.property(
      needleArb,
      fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'x'), maxLength: 40 }),
      fc.array(fc.nat(40), { maxLength: 6 }),
      (needles, text, cuts) => {
        const input = Buffer.from(text);
        const points = [...new Set(cuts.map((c) => c % (input.length + 1)))].sort((a, b) => a - b);
        const stream = swapNeedleStream(needles);
        const out: Buffer[] = [];
        let prev = 0;
        for (const p of [...points, input.length]) {
          out.push(stream.push(input.subarray(prev, p)).output);
          prev = p;
        }
        out.push(stream.end().output);
        assert.equal(Buffer.concat(out).toString(), swapNeedles(input, needles).output.toString());
      },
    ),
  );
});

test('env masking hides matching variables and their values wherever they appear', () => {
  const env = { OPENAI_API_KEY: 'sk-abc', DB_PASSWORD: 'hunter22', HOME: '/root', KEYBOARD: 'us' };
  const patterns = ['*_KEY', '*_PASSWORD'];
  assert.deepEqual(maskEnv(env, patterns), {
    OPENAI_API_KEY: '****',
    DB_PASSWORD: '****',
    HOME: '/root',
    KEYBOARD: 'us',
  });
  assert.equal(
    maskSecretValues('key sk-abc pw hunter22 home /root', env, patterns),
    'key **** pw **** home /root',
  );
  assert.equal(compileMaskPatterns(['API_?EY']).matches('api_key'), true);
});
