import { MIMEType } from 'node:util';

/**
 * How a body is read for PII: `json` (one JSON document), `json-seq` (newline-delimited JSON and JSON
 * text sequences), `form` (application/x-www-form-urlencoded), `multipart`, `text`, `binary` (never
 * scanned) or `unknown` (no or an unfamiliar content type: the bytes decide).
 */
export type BodyFormat = 'json' | 'json-seq' | 'form' | 'multipart' | 'text' | 'binary' | 'unknown';

/** A parsed `Content-Type` header. */
export interface BodyContentType {
  format: BodyFormat;
  /** Lower-case `type/subtype`, empty when the header was missing or unparsable. */
  mediaType: string;
  /** Lower-case `charset` parameter, if given. */
  charset?: string;
  /** The multipart `boundary` parameter, if given. */
  boundary?: string;
}

const JSON_SEQ_TYPES = new Set([
  'application/x-ndjson',
  'application/ndjson',
  'application/jsonl',
  'application/x-jsonl',
  'application/jsonlines',
  'application/x-jsonlines',
  'application/json-seq',
]);

const TEXT_APPLICATION_TYPES = new Set([
  'application/xml',
  'application/javascript',
  'application/ecmascript',
  'application/x-javascript',
  'application/graphql',
  'application/sql',
  'application/yaml',
  'application/x-yaml',
  'application/toml',
  'application/csv',
  'application/x-sh',
  'application/rtf',
  'application/ld+json',
]);

const BINARY_APPLICATION_TYPES = new Set([
  'application/octet-stream',
  'application/pdf',
  'application/zip',
  'application/gzip',
  'application/x-gzip',
  'application/x-tar',
  'application/x-7z-compressed',
  'application/zstd',
  'application/x-bzip2',
  'application/x-xz',
  'application/wasm',
  'application/protobuf',
  'application/x-protobuf',
  'application/vnd.google.protobuf',
  'application/grpc',
  'application/msgpack',
  'application/x-msgpack',
  'application/cbor',
  'application/vnd.apache.arrow.stream',
  'application/vnd.apache.parquet',
]);

const BINARY_TOP_TYPES = new Set(['image', 'audio', 'video', 'font', 'model']);

/**
 * Reads a `Content-Type` header into the format used to scan the body. Never throws: an unparsable
 * header gives `unknown`, and the body's bytes decide.
 *
 * @example
 * parseBodyContentType('application/json; charset=utf-8'); // { format: 'json', mediaType: 'application/json', charset: 'utf-8' }
 * parseBodyContentType('image/png').format; // 'binary'
 */
export function parseBodyContentType(header: string | undefined): BodyContentType {
  if (header === undefined || header.trim() === '') return { format: 'unknown', mediaType: '' };
  let mime: MIMEType;
  try {
    mime = new MIMEType(header.trim());
  } catch {
    return { format: 'unknown', mediaType: '' };
  }
  const mediaType = mime.essence;
  const out: BodyContentType = { format: formatOf(mime.type, mime.subtype, mediaType), mediaType };
  const charset = mime.params.get('charset');
  if (charset !== null && charset !== '') out.charset = charset.toLowerCase();
  const boundary = mime.params.get('boundary');
  if (boundary !== null && boundary !== '') out.boundary = boundary;
  return out;
}

function formatOf(type: string, subtype: string, essence: string): BodyFormat {
  if (JSON_SEQ_TYPES.has(essence)) return 'json-seq';
  if (essence === 'application/json' || essence === 'text/json' || subtype.endsWith('+json')) return 'json';
  if (essence === 'application/x-www-form-urlencoded') return 'form';
  if (type === 'multipart') return 'multipart';
  if (type === 'text') return 'text';
  if (BINARY_TOP_TYPES.has(type) || BINARY_APPLICATION_TYPES.has(essence)) return 'binary';
  if (TEXT_APPLICATION_TYPES.has(essence) || subtype.endsWith('+xml') || subtype.endsWith('+yaml'))
    return 'text';
  return 'unknown';
}
