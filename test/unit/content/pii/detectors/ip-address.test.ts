import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createIpAddressDetector } from '../../../../../src/content/pii/detectors/ip-address.js';

const ip = createIpAddressDetector();
const values = (text: string): string[] => ip.detect(text).map((f) => text.slice(f.start, f.end));

test('IPv4 addresses are detected in prose, JSON and host:port form', () => {
  assert.deepEqual(values('from 192.168.1.1 to 10.0.0.255.'), ['192.168.1.1', '10.0.0.255']);
  assert.deepEqual(values('{"ip":"106.31.73.20","peer":"8.8.8.8:53"}'), ['106.31.73.20', '8.8.8.8']);
});

test('IPv6 addresses, full and compressed, are detected', () => {
  assert.deepEqual(values('addr 6e40:4041:c617:e898:c11:40d2:c669:2eb4 seen'), [
    '6e40:4041:c617:e898:c11:40d2:c669:2eb4',
  ]);
  assert.deepEqual(values('loopback ::1, docs 2001:db8::8a2e:370:7334.'), ['::1', '2001:db8::8a2e:370:7334']);
  assert.deepEqual(values('mapped ::ffff:192.0.2.128 here'), ['::ffff:192.0.2.128']);
});

test('invalid quads are rejected', () => {
  assert.deepEqual(values('256.1.1.1 and 1.2.3.999 and 01.2.3.4'), []);
});

test('1.2.3.4.5 and version strings are not IP addresses', () => {
  assert.deepEqual(values('1.2.3.4.5'), []);
  assert.deepEqual(values('v1.2.3.4'), []);
  assert.deepEqual(values('version 1.2.3.4'), []);
  assert.deepEqual(values('1.2.3.4-beta'), []);
  assert.deepEqual(values('1.2.3.4+build7'), []);
  assert.deepEqual(values('release-1.2.3.4'), []);
});

test('times, MAC addresses and C++ scopes are not IPv6 addresses', () => {
  assert.deepEqual(values('at 12:30:45 from 00:1a:2b:3c:4d:5e using std::cout and a::b::c'), []);
});

test('a megabyte of colons or dots finishes and finds nothing', () => {
  assert.deepEqual(ip.detect(':'.repeat(1 << 20)), []);
  assert.deepEqual(ip.detect('1.'.repeat(1 << 19)), []);
  assert.deepEqual(ip.detect('a:'.repeat(1 << 19)), []);
});
