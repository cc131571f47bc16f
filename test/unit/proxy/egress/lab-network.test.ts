import { test } from 'node:test';
import assert from 'node:assert/strict';
import { labRanges } from '../../../../src/proxy/egress/lab-network.js';
import { InvalidArgumentError } from '../../../../src/errors.js';

test('no lab network means no private range is reachable', () => {
  assert.deepEqual(labRanges(undefined), []);
});

test('a lab network names its own subnets and single addresses', () => {
  assert.deepEqual(
    labRanges({ reachablePrivateRanges: ['127.0.0.0/8', '10.77.0.0/24', 'fd65:0:1::/64', '10.1.2.3'] }),
    ['127.0.0.0/8', '10.77.0.0/24', 'fd65:0:1::/64', '10.1.2.3'],
  );
});

test('a range that would switch SSRF protection off wholesale is refused with the entry named', () => {
  for (const wide of ['0.0.0.0/0', '10.0.0.0/7', '::/0', 'fd00::/8']) {
    assert.throws(
      () => labRanges({ reachablePrivateRanges: ['127.0.0.0/8', wide] }),
      (e: unknown) =>
        e instanceof InvalidArgumentError &&
        /reachablePrivateRanges\[1\]/.test(e.message) &&
        /wider than/.test(e.message),
      wide,
    );
  }
});

test('host names and junk are refused: only addresses and CIDRs describe a lab network', () => {
  for (const junk of ['metadata.google.internal', '*.corp.example', '10.0.0.300/24', '']) {
    assert.throws(() => labRanges({ reachablePrivateRanges: [junk] }), InvalidArgumentError, junk);
  }
});
