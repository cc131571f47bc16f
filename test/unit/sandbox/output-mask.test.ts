import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SecretMasker, MIN_MASKED_LENGTH } from '../../../src/sandbox/output-mask.js';

test('values of env vars matching the mask patterns are replaced by ****', () => {
  const m = SecretMasker.fromEnv(
    { OPENAI_API_KEY: 'sk-abc123456', HOME: '/home/user', DB_PASSWORD: 'hunter22' },
    ['*_KEY', '*_PASSWORD'],
  );
  assert.equal(m.mask('key sk-abc123456 pw hunter22 home /home/user'), 'key **** pw **** home /home/user');
});

test('values too short to mask safely are left alone', () => {
  const m = SecretMasker.fromEnv({ A_KEY: 'x'.repeat(MIN_MASKED_LENGTH - 1) }, ['*_KEY']);
  assert.equal(m.active, false);
  assert.equal(m.mask('xxx'), 'xxx');
});

test('streamed output is masked exactly like the whole text, wherever the chunks split a value', () => {
  const alphabet = fc.constantFrom('a', 'b', 'c', 'd', '\n');
  const value = fc.array(alphabet, { minLength: MIN_MASKED_LENGTH, maxLength: 7 }).map((a) => a.join(''));
  fc.assert(
    fc.property(
      fc.array(value, { minLength: 1, maxLength: 3 }),
      fc.array(alphabet, { maxLength: 60 }),
      fc.array(fc.nat(60), { maxLength: 8 }),
      (values, textChars, cuts) => {
        const m = new SecretMasker(values);
        const text = textChars.join('') + values.join('x') + textChars.join('');
        const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
        const chunks: string[] = [];
        let prev = 0;
        for (const p of [...points, text.length]) {
          chunks.push(text.slice(prev, p));
          prev = p;
        }
        const s = m.stream();
        const out = chunks.map((c) => s.push(c)).join('') + s.flush();
        assert.equal(out, m.mask(text));
        for (const v of values) assert.ok(!out.includes(v), `${v} leaked in ${JSON.stringify(out)}`);
      },
    ),
    { numRuns: 2000 },
  );
});
