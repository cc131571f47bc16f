/**
 * Builds ClientHello bytes for tests, including ones real clients would never send (duplicate
 * extensions, odd SNI spellings, ECH), and re-frames any hello into records of a chosen size.
 */
import { randomBytes } from 'node:crypto';

export interface HelloSpec {
  /** Raw host_name bytes (Latin-1); omit for no server_name extension. */
  sni?: string;
  alpn?: string[];
  /** Add an encrypted_client_hello extension (outer type, dummy payload). */
  ech?: boolean;
  /** Send server_name twice. */
  duplicateSni?: boolean;
  /** Further raw extensions. */
  extensions?: Array<[type: number, data: Buffer]>;
  /** Omit the extensions block entirely (a bare TLS 1.2 hello). */
  noExtensions?: boolean;
}

const u16 = (n: number): Buffer => Buffer.from([(n >> 8) & 0xff, n & 0xff]);
const u24 = (n: number): Buffer => Buffer.from([(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]);
const ext = (type: number, data: Buffer): Buffer => Buffer.concat([u16(type), u16(data.length), data]);

function sniExtension(host: string): Buffer {
  const name = Buffer.from(host, 'latin1');
  const entry = Buffer.concat([Buffer.from([0]), u16(name.length), name]);
  return ext(0x0000, Buffer.concat([u16(entry.length), entry]));
}

/** The handshake message (type, length, body) without record framing. */
export function buildHandshake(spec: HelloSpec): Buffer {
  const exts: Buffer[] = [];
  if (spec.sni !== undefined) {
    exts.push(sniExtension(spec.sni));
    if (spec.duplicateSni) exts.push(sniExtension(spec.sni));
  }
  if (spec.alpn) {
    const list = Buffer.concat(
      spec.alpn.map((p) => Buffer.concat([Buffer.from([p.length]), Buffer.from(p, 'latin1')])),
    );
    exts.push(ext(0x0010, Buffer.concat([u16(list.length), list])));
  }
  exts.push(ext(0x002b, Buffer.from([4, 0x03, 0x04, 0x03, 0x03])));
  if (spec.ech) exts.push(ext(0xfe0d, Buffer.concat([Buffer.from([0]), randomBytes(40)])));
  for (const [type, data] of spec.extensions ?? []) exts.push(ext(type, data));
  const extBlock = Buffer.concat(exts);
  const body = Buffer.concat([
    u16(0x0303),
    randomBytes(32),
    Buffer.from([32]),
    randomBytes(32),
    u16(4),
    Buffer.from([0x13, 0x01, 0x13, 0x02]),
    Buffer.from([1, 0]),
    ...(spec.noExtensions ? [] : [u16(extBlock.length), extBlock]),
  ]);
  return Buffer.concat([Buffer.from([0x01]), u24(body.length), body]);
}

/** Wraps handshake bytes in handshake records of at most `recordSize` bytes each. */
export function frame(handshake: Buffer, recordSize = 16384): Buffer {
  const records: Buffer[] = [];
  for (let i = 0; i < handshake.length; i += recordSize) {
    const fragment = handshake.subarray(i, i + recordSize);
    records.push(Buffer.from([0x16, 0x03, 0x01]), u16(fragment.length), fragment);
  }
  return Buffer.concat(records);
}

/** A complete ClientHello in one record. */
export function buildHello(spec: HelloSpec): Buffer {
  return frame(buildHandshake(spec));
}

/** The handshake bytes of a framed hello (strips every record header). */
export function unframe(records: Buffer): Buffer {
  const parts: Buffer[] = [];
  let pos = 0;
  while (pos + 5 <= records.length) {
    const len = records.readUInt16BE(pos + 3);
    parts.push(records.subarray(pos + 5, pos + 5 + len));
    pos += 5 + len;
  }
  return Buffer.concat(parts);
}
