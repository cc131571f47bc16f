import assert from 'node:assert/strict';
import { test } from 'node:test';
import { redactMultipart } from '../../../../../src/content/pii/body/multipart.js';

const upper = (body: Buffer, type: string | undefined) =>
  type !== undefined && type.startsWith('text/')
    ? { body: Buffer.from(body.toString().toUpperCase()), scanned: true }
    : { body, scanned: false };

test('text parts are rewritten, file parts and all framing are kept byte for byte', () => {
  const body = Buffer.from(
    'preamble\r\n--B\r\nContent-Disposition: form-data; name="a"\r\n\r\nhello\r\n' +
      '--B\r\nContent-Disposition: form-data; name="f"; filename="x.png"\r\nContent-Type: image/png\r\n\r\n\u0000png\r\n' +
      '--B--\r\nepilogue',
  );
  const out = redactMultipart(body, 'B', upper)!;
  assert.equal(out.changed, true);
  assert.equal(out.partsScanned, 1);
  assert.equal(out.partsSkipped, 1);
  assert.equal(out.body.toString(), body.toString().replace('hello', 'HELLO'));
});

test('a part without Content-Type is text/plain unless it is a file upload', () => {
  const seen: Array<string | undefined> = [];
  const body = Buffer.from(
    '--B\r\nContent-Disposition: form-data; name="a"\r\n\r\nx\r\n' +
      '--B\r\nContent-Disposition: form-data; name="f"; filename="notes.txt"\r\n\r\ny\r\n' +
      '--B\r\nContent-Disposition: form-data; name="g"\r\nContent-Transfer-Encoding: base64\r\n\r\neA==\r\n--B--\r\n',
  );
  redactMultipart(body, 'B', (part, type) => {
    seen.push(type);
    return { body: part, scanned: false };
  });
  assert.deepEqual(seen, ['text/plain', undefined, 'application/octet-stream']);
});

test('bare LF line breaks are tolerated', () => {
  const body = Buffer.from('--B\nContent-Disposition: form-data; name="a"\n\nhello\n--B--\n');
  assert.equal(redactMultipart(body, 'B', upper)!.body.toString(), body.toString().replace('hello', 'HELLO'));
});

test('a body that never contains the boundary is not multipart', () => {
  assert.equal(redactMultipart(Buffer.from('just text'), 'B', upper), undefined);
});
