/**
 * One server-sent event, parsed enough to read and rewrite its data while every other line (event
 * name, id, retry, comments) and the line-break style stay as they were.
 */
export interface SseEvent {
  /** The event's lines without their line breaks; the last entries are the empty line(s) that end it. */
  lines: string[];
  /** The line break the event uses (the first one found), reused for rewritten lines. */
  eol: string;
  /** The `event:` field, if any. */
  name: string | undefined;
  /** The `data:` fields joined with `\n`, or undefined when the event has none. */
  data: string | undefined;
}

const LINE_BREAK = /\r\n|\r|\n/;

/**
 * Parses the text of one complete event (as cut by SseEventSplitter).
 *
 * @example
 * parseSseEvent('event: ping\ndata: {}\n\n'); // { name: 'ping', data: '{}', eol: '\n', lines: [...] }
 */
export function parseSseEvent(text: string): SseEvent {
  // Almost every stream uses LF only; splitting on a plain string is much cheaper than on the pattern.
  const plain = !text.includes('\r');
  const eolMatch = plain ? null : LINE_BREAK.exec(text);
  const eol = eolMatch === null ? '\n' : eolMatch[0];
  const lines = plain ? text.split('\n') : text.split(LINE_BREAK);
  // The split leaves an empty string after the final line break.
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  let name: string | undefined;
  let data: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const field = parseField(i === 0 ? stripBom(lines[i]!) : lines[i]!);
    if (field === undefined) continue;
    if (field.name === 'data') data = data === undefined ? field.value : `${data}\n${field.value}`;
    else if (field.name === 'event') name = field.value;
  }
  return { lines, eol, name, data };
}

/**
 * The event's text with its data replaced by `data` (written as one `data:` line per line of `data`, at
 * the place of the first original data line); all other lines are kept.
 *
 * @example
 * serializeSseEvent(parseSseEvent('id: 7\ndata: a\n\n'), 'b'); // 'id: 7\ndata: b\n\n'
 */
export function serializeSseEvent(event: SseEvent, data: string): string {
  const out: string[] = [];
  let written = false;
  for (let i = 0; i < event.lines.length; i++) {
    const line = event.lines[i]!;
    const field = parseField(i === 0 ? stripBom(line) : line);
    if (field?.name !== 'data') {
      out.push(line);
      continue;
    }
    if (written) continue;
    written = true;
    for (const part of splitLines(data)) out.push(`data: ${part}`);
  }
  return out.join(event.eol) + event.eol;
}

/**
 * A complete event built from scratch (used to flush held-back text before a stream's end).
 *
 * @example
 * buildSseEvent('content_block_delta', '{"type":"content_block_delta"}', '\n');
 * // 'event: content_block_delta\ndata: {"type":"content_block_delta"}\n\n'
 */
export function buildSseEvent(name: string | undefined, data: string, eol: string): string {
  const head = name === undefined ? '' : `event: ${name}${eol}`;
  return `${head}${splitLines(data)
    .map((l) => `data: ${l}`)
    .join(eol)}${eol}${eol}`;
}

/** The lines of `text`; a data value usually has no line break, which then needs no regex split. */
function splitLines(text: string): string[] {
  return text.includes('\n') || text.includes('\r') ? text.split(LINE_BREAK) : [text];
}

function stripBom(line: string): string {
  return line.charCodeAt(0) === 0xfeff ? line.slice(1) : line;
}

function parseField(line: string): { name: string; value: string } | undefined {
  if (line === '' || line.startsWith(':')) return undefined;
  const colon = line.indexOf(':');
  if (colon < 0) return { name: line, value: '' };
  const value = line.charCodeAt(colon + 1) === 32 ? line.slice(colon + 2) : line.slice(colon + 1);
  return { name: line.slice(0, colon), value };
}
