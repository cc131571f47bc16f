import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  endToEndHeaders,
  limitAcceptEncoding,
  splitHostPort,
  withHeader,
} from '../../../../src/proxy/http/headers.js';

test('hop-by-hop headers and the ones Connection names are never forwarded', () => {
  const raw = [
    'Host',
    'a.example',
    'Connection',
    'keep-alive, X-Hop',
    'X-Hop',
    '1',
    'Proxy-Authorization',
    'Basic x',
    'Transfer-Encoding',
    'chunked',
    'Accept',
    '*/*',
    'Keep-Alive',
    'timeout=5',
  ];
  assert.deepEqual(endToEndHeaders(raw), [
    ['Host', 'a.example'],
    ['Accept', '*/*'],
  ]);
});

test('Accept-Encoding is limited to codings the proxy can decode, keeping q-values', () => {
  assert.equal(limitAcceptEncoding('zstd, br;q=0.9, gzip, compress'), 'br;q=0.9, gzip');
  assert.equal(limitAcceptEncoding('zstd'), 'identity');
  assert.equal(limitAcceptEncoding(undefined), 'identity');
});

test('Host values are split into a normalised host and port, bad ones refused', () => {
  assert.deepEqual(splitHostPort('API.OpenAI.com.:8443'), { host: 'api.openai.com', port: 8443 });
  assert.deepEqual(splitHostPort('[::1]:80'), { host: '::1', port: 80 });
  assert.deepEqual(splitHostPort('pypi.org'), { host: 'pypi.org' });
  assert.equal(splitHostPort('a.example:99999'), undefined);
  assert.equal(splitHostPort('user@a.example'), undefined);
  assert.equal(splitHostPort('a.example/path'), undefined);
});

test('setting a header replaces every spelling of it once', () => {
  assert.deepEqual(
    withHeader(
      [
        ['content-length', '3'],
        ['X', '1'],
        ['Content-Length', '4'],
      ],
      'Content-Length',
      '9',
    ),
    [
      ['content-length', '9'],
      ['X', '1'],
    ],
  );
});
