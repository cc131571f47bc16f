/**
 * Reads the TLS ClientHello at the start of a connection without consuming it: a pure function over
 * the bytes buffered so far. The front door calls it after each read until the answer is not
 * `need-more`, then replays the same bytes to whichever handler the egress decision picks (splice or
 * interception), so the client's handshake is untouched.
 *
 * Written by hand because the npm parsers we looked at read from a stream, stop at the first record,
 * and throw on lying length fields; this one reassembles a ClientHello spread over several records and
 * TCP segments and never reads past its input (see test/unit/proxy/tls/client-hello.test.ts).
 */
import { ByteReader, TruncatedError } from './byte-reader.js';
import { normaliseDnsName } from './server-name.js';

/** TLS record content type of handshake messages. */
const CONTENT_HANDSHAKE = 0x16;
/** Handshake message type of ClientHello. */
const HANDSHAKE_CLIENT_HELLO = 0x01;
/** RFC 8446 §5.1: a plaintext record fragment is at most 2^14 bytes. */
const MAX_RECORD_FRAGMENT = 16384;
/** A ClientHello larger than this is refused so a client cannot make the proxy buffer megabytes. */
export const DEFAULT_MAX_CLIENT_HELLO_BYTES = 65536;

/** Extension code points this parser interprets. */
export const TlsExtension = {
  SERVER_NAME: 0x0000,
  ALPN: 0x0010,
  SUPPORTED_VERSIONS: 0x002b,
  /** encrypted_client_hello (RFC 9849 / draft-ietf-tls-esni). */
  ENCRYPTED_CLIENT_HELLO: 0xfe0d,
} as const;

/** A complete, well-formed ClientHello and what the proxy needs from it. */
export interface ParsedClientHello {
  kind: 'client-hello';
  /** host_name from server_name, lower-cased, without a trailing dot; absent when the client sent none. */
  sni?: string;
  /** ALPN protocol names in the client's order (Latin-1 decoded); empty when the extension is absent. */
  alpn: string[];
  /** True when the client sent encrypted_client_hello: the real destination may be hidden. */
  hasEch: boolean;
  /** legacy_version field, e.g. 0x0303. */
  legacyVersion: number;
  /** Versions from supported_versions (e.g. 0x0304 for TLS 1.3); empty when the extension is absent. */
  supportedVersions: number[];
  /** Every extension type in the order sent (GREASE values included). */
  extensionTypes: number[];
}

/** Result of {@link parseClientHello}. */
export type ClientHelloResult =
  | {
      kind: 'need-more';
      /** Lower bound on the total number of buffered bytes needed before calling again is useful. */
      atLeast: number;
    }
  | { kind: 'not-tls' }
  | { kind: 'malformed'; reason: string }
  | ParsedClientHello;

/** Options of {@link parseClientHello}. */
export interface ClientHelloOptions {
  /** Largest ClientHello handshake message accepted, in bytes. Default {@link DEFAULT_MAX_CLIENT_HELLO_BYTES}. */
  maxHelloBytes?: number;
}

/**
 * Parses the ClientHello at the start of `bytes` (everything the client sent so far). Never throws and
 * never reads outside `bytes`. Call again with more bytes while the result is `need-more`.
 *
 * - `not-tls`: the bytes cannot be the start of a TLS handshake (e.g. plain HTTP on port 443).
 * - `malformed`: they start like TLS but break the protocol; `reason` says how.
 *
 * @example
 * const r = parseClientHello(buffered);
 * if (r.kind === 'need-more') return waitForMoreBytes();
 * if (r.kind === 'client-hello' && r.sni && !r.hasEch) decideEgress(r.sni);
 */
export function parseClientHello(bytes: Uint8Array, options: ClientHelloOptions = {}): ClientHelloResult {
  const maxHello = options.maxHelloBytes ?? DEFAULT_MAX_CLIENT_HELLO_BYTES;
  try {
    const framing = collectHandshake(bytes, maxHello);
    if (framing.kind !== 'complete') return framing;
    return parseBody(framing.body);
  } catch (e) {
    // Every length inside a complete handshake message was already in the buffer, so running out of
    // bytes here means a length field lied.
    if (e instanceof TruncatedError) {
      return { kind: 'malformed', reason: 'a length field points past the end of the ClientHello' };
    }
    if (e instanceof MalformedError) return { kind: 'malformed', reason: e.message };
    return { kind: 'malformed', reason: `unexpected parser failure: ${String(e)}` };
  }
}

class MalformedError extends Error {}

type Framing =
  | { kind: 'complete'; body: ByteReader }
  | { kind: 'need-more'; atLeast: number }
  | { kind: 'not-tls' }
  | { kind: 'malformed'; reason: string };

/**
 * Walks the record layer and gathers the fragments of the first handshake message, which may be split
 * over several records (RFC 8446 §5.1 allows any fragmentation).
 */
function collectHandshake(bytes: Uint8Array, maxHello: number): Framing {
  const len = bytes.length;
  if (len === 0) return { kind: 'need-more', atLeast: 5 };
  if (bytes[0] !== CONTENT_HANDSHAKE) return { kind: 'not-tls' };
  if (len >= 2 && bytes[1] !== 0x03) return { kind: 'not-tls' };
  if (len >= 3 && (bytes[2] as number) > 0x04) return { kind: 'not-tls' };

  const fragments: Array<[start: number, end: number]> = [];
  let have = 0;
  let helloTotal = -1;
  let pos = 0;
  for (;;) {
    if (pos + 5 > len) return { kind: 'need-more', atLeast: pos + 5 };
    if (bytes[pos] !== CONTENT_HANDSHAKE) {
      return { kind: 'malformed', reason: 'the ClientHello is interrupted by a non-handshake record' };
    }
    if (bytes[pos + 1] !== 0x03) return { kind: 'malformed', reason: 'a record has an unknown version' };
    const recLen = ((bytes[pos + 3] as number) << 8) | (bytes[pos + 4] as number);
    if (recLen === 0) return { kind: 'malformed', reason: 'an empty handshake record' };
    if (recLen > MAX_RECORD_FRAGMENT) {
      return { kind: 'malformed', reason: `a record of ${recLen} bytes exceeds the TLS limit of 2^14` };
    }
    const start = pos + 5;
    const end = Math.min(start + recLen, len);
    fragments.push([start, end]);
    have += end - start;

    if (helloTotal < 0 && have >= 4) {
      const at = (i: number): number => byteAcross(bytes, fragments, i);
      if (at(0) !== HANDSHAKE_CLIENT_HELLO) {
        return { kind: 'malformed', reason: 'the first handshake message is not a ClientHello' };
      }
      const helloLen = (at(1) << 16) | (at(2) << 8) | at(3);
      if (helloLen > maxHello) {
        return {
          kind: 'malformed',
          reason: `the ClientHello is ${helloLen} bytes, more than the limit of ${maxHello}`,
        };
      }
      helloTotal = 4 + helloLen;
    }
    if (helloTotal >= 0 && have >= helloTotal) break;
    if (end < start + recLen) {
      // Inside a record: at least its end, or the rest of the hello if that ends sooner.
      const restOfHello = helloTotal >= 0 ? len + (helloTotal - have) : start + recLen;
      return { kind: 'need-more', atLeast: Math.min(start + recLen, restOfHello) };
    }
    pos = start + recLen;
  }

  const first = fragments[0] as [number, number];
  if (first[1] - first[0] >= helloTotal) {
    return { kind: 'complete', body: new ByteReader(bytes, first[0] + 4, first[0] + helloTotal) };
  }
  const joined = new Uint8Array(helloTotal);
  let w = 0;
  for (const [s, e] of fragments) {
    for (let i = s; i < e && w < helloTotal; i++) joined[w++] = bytes[i] as number;
  }
  return { kind: 'complete', body: new ByteReader(joined, 4, helloTotal) };
}

/** Byte `i` of the handshake stream formed by concatenating `fragments` of `bytes`. */
function byteAcross(bytes: Uint8Array, fragments: ReadonlyArray<[number, number]>, i: number): number {
  let rest = i;
  for (const [s, e] of fragments) {
    if (rest < e - s) return bytes[s + rest] as number;
    rest -= e - s;
  }
  throw new TruncatedError(rest + 1);
}

/** RFC 8446 §4.1.2 ClientHello body (after the 4-byte handshake header). */
function parseBody(r: ByteReader): ParsedClientHello {
  const legacyVersion = r.u16();
  if (legacyVersion >> 8 !== 0x03) throw new MalformedError('legacy_version is not 3.x');
  r.skip(32); // random
  const sessionIdLen = r.u8();
  if (sessionIdLen > 32) throw new MalformedError('legacy_session_id is longer than 32 bytes');
  r.skip(sessionIdLen);
  const suitesLen = r.u16();
  if (suitesLen < 2 || suitesLen % 2 !== 0) throw new MalformedError('cipher_suites has an invalid length');
  r.skip(suitesLen);
  const compressionLen = r.u8();
  if (compressionLen < 1) throw new MalformedError('legacy_compression_methods is empty');
  r.skip(compressionLen);

  const hello: ParsedClientHello = {
    kind: 'client-hello',
    alpn: [],
    hasEch: false,
    legacyVersion,
    supportedVersions: [],
    extensionTypes: [],
  };
  // A TLS 1.2 hello may end right after the compression methods: no extensions at all.
  if (r.remaining === 0) return hello;
  const extLen = r.u16();
  if (extLen !== r.remaining)
    throw new MalformedError('the extensions length does not match the ClientHello');
  const ext = r.sub(extLen);
  const seen = new Set<number>();
  while (ext.remaining > 0) {
    const type = ext.u16();
    const data = ext.sub(ext.u16());
    // Two server_name extensions could make the proxy and the server read different names; OpenSSL
    // refuses duplicates too (RFC 8446 §4.2).
    if (seen.has(type)) throw new MalformedError(`extension 0x${type.toString(16)} appears twice`);
    seen.add(type);
    hello.extensionTypes.push(type);
    switch (type) {
      case TlsExtension.SERVER_NAME: {
        const sni = readServerName(data);
        if (sni !== undefined) hello.sni = sni;
        break;
      }
      case TlsExtension.ALPN:
        hello.alpn = readAlpn(data);
        break;
      case TlsExtension.SUPPORTED_VERSIONS:
        hello.supportedVersions = readSupportedVersions(data);
        break;
      case TlsExtension.ENCRYPTED_CLIENT_HELLO:
        hello.hasEch = true;
        break;
      default:
        break;
    }
  }
  return hello;
}

/** RFC 6066 §3. Returns the normalised host_name, or undefined when the list holds no host_name. */
function readServerName(data: ByteReader): string | undefined {
  const listLen = data.u16();
  if (listLen === 0 || listLen !== data.remaining)
    throw new MalformedError('server_name list has a bad length');
  let host: string | undefined;
  while (data.remaining > 0) {
    const nameType = data.u8();
    const nameLen = data.u16();
    if (nameType !== 0) {
      data.skip(nameLen);
      continue;
    }
    if (host !== undefined) throw new MalformedError('server_name holds more than one host_name');
    host = normaliseDnsName(data.latin1(nameLen));
    if (host === undefined) throw new MalformedError('server_name is not a valid host name');
  }
  return host;
}

/** RFC 7301 §3.1. */
function readAlpn(data: ByteReader): string[] {
  const listLen = data.u16();
  if (listLen < 2 || listLen !== data.remaining) throw new MalformedError('ALPN list has a bad length');
  const names: string[] = [];
  while (data.remaining > 0) {
    const n = data.u8();
    if (n === 0) throw new MalformedError('ALPN list contains an empty protocol name');
    names.push(data.latin1(n));
  }
  return names;
}

/** RFC 8446 §4.2.1. */
function readSupportedVersions(data: ByteReader): number[] {
  const listLen = data.u8();
  if (listLen < 2 || listLen % 2 !== 0 || listLen !== data.remaining) {
    throw new MalformedError('supported_versions has a bad length');
  }
  const versions: number[] = [];
  while (data.remaining > 0) versions.push(data.u16());
  return versions;
}
