import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { InvalidArgumentError } from '../../../src/errors.js';
import { SecurityPolicy } from '../../../src/policy/security-policy.js';
import { parseSecretFlag, withSecrets } from '../../../src/cli/run-secret.js';
import { runCli } from '../../helpers/cli.js';

const SECRET = 'sk-very-secret-value-1234';

function refusal(fn: () => unknown): InvalidArgumentError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof InvalidArgumentError, String(err));
    return err;
  }
  assert.fail('expected an InvalidArgumentError');
}

test('--secret NAME=value@host,host2 gives the name, the value and every host', () => {
  assert.deepEqual(parseSecretFlag(`OPENAI_API_KEY=${SECRET}@api.openai.com,*.openai.azure.com`), {
    key: 'OPENAI_API_KEY',
    value: SECRET,
    domains: ['api.openai.com', '*.openai.azure.com'],
  });
});

test('a value holding "=" and "@" is kept whole: hosts start after the last "@"', () => {
  assert.deepEqual(parseSecretFlag('DB_URL=postgres://u:p=w@db@db.example.com'), {
    key: 'DB_URL',
    value: 'postgres://u:p=w@db',
    domains: ['db.example.com'],
  });
});

for (const [flag, why] of [
  [`OPENAI_API_KEY${SECRET}`, /no "="/],
  [`=${SECRET}@api.openai.com`, /name is missing/],
  [`1BAD=${SECRET}@api.openai.com`, /not an environment variable name/],
  [`OPENAI_API_KEY=${SECRET}`, /no host/],
  ['OPENAI_API_KEY=@api.openai.com', /empty value/],
  [`OPENAI_API_KEY=${SECRET}@api.openai.com,`, /empty host/],
] as const) {
  test(`a malformed --secret (${why.source}) names the flag and the accepted form, never the value`, () => {
    const err = refusal(() => parseSecretFlag(flag));
    assert.equal(err.argument, '--secret');
    assert.match(err.message, why);
    assert.match(err.message, /--secret NAME=value@host\[,host2\]/);
    assert.ok(!err.message.includes(SECRET), err.message);
  });
}

test('whatever is malformed, the refusal never contains the text after "="', () => {
  fc.assert(
    fc.property(fc.string(), fc.string(), (tail, hosts) => {
      // A marker no fixed message text contains, so finding it means the value leaked.
      const value = `Zq9~${tail}`;
      fc.pre(!hosts.includes(value));
      try {
        withSecrets(SecurityPolicy.fromJSON({}), [parseSecretFlag(`K=${value}@${hosts}`)]);
        return true;
      } catch (err) {
        return err instanceof InvalidArgumentError && !err.message.includes(value);
      }
    }),
  );
});

test('withSecrets adds the secure env var, and the flag replaces a policy entry of the same name', () => {
  const policy = SecurityPolicy.fromJSON({
    env_security: {
      secure_env_vars: [
        { key: 'TOKEN', value: 'from-file', domains: ['old.example.com'] },
        { key: 'OTHER', value: 'other-1', domains: ['other.example.com'] },
      ],
    },
  });
  const p = withSecrets(policy, [parseSecretFlag(`TOKEN=${SECRET}@api.example.com`)]);
  const vars = p.json.env_security.secure_env_vars;
  assert.deepEqual(
    vars.map((v) => [v.key, v.value, v.domains]),
    [
      ['OTHER', 'other-1', ['other.example.com']],
      ['TOKEN', SECRET, ['api.example.com']],
    ],
  );
  assert.ok(!JSON.stringify(p.toDisplayJSON()).includes(SECRET));
});

test('an invalid host pattern is refused naming the variable, not the value', () => {
  const err = refusal(() =>
    withSecrets(SecurityPolicy.fromJSON({}), [parseSecretFlag(`TOKEN=${SECRET}@not a host!`)]),
  );
  assert.match(err.message, /--secret: the hosts of TOKEN are not valid/);
  assert.ok(!err.message.includes(SECRET));
});

test('the same name twice on the command line is refused', () => {
  const flags = [parseSecretFlag('TOKEN=aaaa@a.example'), parseSecretFlag('TOKEN=bbbb@b.example')];
  assert.match(refusal(() => withSecrets(SecurityPolicy.fromJSON({}), flags)).message, /given twice/);
});

test('declaw run refuses a malformed --secret before starting anything, exit 1, value not printed', async () => {
  const r = await runCli(['run', '--policy', '/nonexistent.yaml', '--secret', `KEY=${SECRET}`, '--', 'true']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /INVALID_ARGUMENT.*--secret/);
  assert.ok(!r.stderr.includes(SECRET) && !r.stdout.includes(SECRET));
});

test('declaw run refuses a --secret whose name is also given with --env', async () => {
  const r = await runCli([
    'run',
    '--policy',
    '/nonexistent.yaml',
    '--env',
    'KEY=plain',
    '--secret',
    `KEY=${SECRET}@api.example.com`,
    '--',
    'true',
  ]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /--secret: KEY is also given with --env/);
  assert.ok(!r.stderr.includes(SECRET));
});
