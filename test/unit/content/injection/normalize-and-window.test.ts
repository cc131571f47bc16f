import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalizeForScan, toSourceOffset } from '../../../../src/content/injection/normalize.js';
import { bestWindow, combine, signalProbability } from '../../../../src/content/injection/window-score.js';
import { deriveCombinations } from '../../../../src/content/injection/combinations.js';

test('plain text keeps its offsets and is lower-cased', () => {
  const n = normalizeForScan('Hello WORLD, café 東京');
  assert.equal(n.lower, 'hello world, café 東京');
  assert.equal(n.map, undefined);
});

test('folding that removes characters maps offsets back to the source', () => {
  const src = 'ab\u200bcd \u202eIGNORE';
  const n = normalizeForScan(src);
  assert.equal(n.lower, 'abcd ignore');
  const at = n.lower.indexOf('ignore');
  assert.equal(src.slice(toSourceOffset(n, at), toSourceOffset(n, at + 6)), 'IGNORE');
  assert.deepEqual(n.zeroWidthAt, [2]);
  assert.deepEqual(n.bidiAt, [6]);
});

test('one-for-one folding keeps offsets: quotes, spaces, full-width, look-alikes', () => {
  const n = normalizeForScan('don\u2019t\u00a0ＩＧＮＯＲＥ іgnore');
  assert.equal(n.lower, "don't ignore ignore");
  assert.equal(n.map, undefined);
});

test('a Cyrillic word stays Cyrillic; only look-alikes inside Latin words are folded', () => {
  assert.equal(normalizeForScan('игнорируй все').lower, 'игнорируй все');
});

test('noisy-OR: one signal is its weight, independent signals combine, repeats add with diminishing returns', () => {
  assert.equal(combine([{ weight: 0.8, count: 1 }]), 0.8);
  assert.ok(
    Math.abs(
      combine([
        { weight: 0.5, count: 1 },
        { weight: 0.6, count: 1 },
      ]) - 0.8,
    ) < 1e-12,
  );
  const p2 = signalProbability(0.5, 2);
  const p9 = signalProbability(0.5, 9);
  assert.ok(p2 > 0.5 && p9 > p2 && p9 < 0.8);
  assert.equal(signalProbability(0.5, 5), signalProbability(0.5, 50));
});

test('the best window wins; hits farther apart than the window do not combine', () => {
  const hits = [
    { id: 'a.x', weight: 0.5, start: 0, end: 5 },
    { id: 'b.y', weight: 0.6, start: 5000, end: 5010 },
    { id: 'c.z', weight: 0.4, start: 5100, end: 5110 },
  ];
  const w = bestWindow(hits, 2000)!;
  assert.deepEqual([w.start, w.end], [5000, 5110]);
  assert.deepEqual(
    w.signals.map((s) => s.id),
    ['b.y', 'c.z'],
  );
  assert.ok(Math.abs(w.score - (1 - 0.4 * 0.6)) < 1e-12);
  assert.equal(bestWindow([], 2000), undefined);
});

test('overlapping hits of one signal count once, at the higher weight', () => {
  const w = bestWindow(
    [
      { id: 'a.x', weight: 0.45, start: 0, end: 30 },
      { id: 'a.x', weight: 0.7, start: 10, end: 40 },
    ],
    2000,
  )!;
  assert.deepEqual(w.signals, [{ id: 'a.x', weight: 0.7, count: 1 }]);
});

test('secrets read near a network send derive code.exfiltration; far apart they do not', () => {
  const near = deriveCombinations([
    { id: 'code.sensitive_source', weight: 0.4, start: 100, end: 110 },
    { id: 'code.network_send', weight: 0.4, start: 300, end: 320 },
  ]);
  assert.deepEqual(
    near.map((h) => h.id),
    ['code.exfiltration'],
  );
  const far = deriveCombinations([
    { id: 'code.sensitive_source', weight: 0.4, start: 100, end: 110 },
    { id: 'code.network_send', weight: 0.4, start: 9000, end: 9020 },
  ]);
  assert.deepEqual(far, []);
});
