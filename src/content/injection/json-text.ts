/**
 * The string content of a JSON document: every string value (and every key that reads like text),
 * one per line, walked with an explicit stack so nesting depth cannot overflow the call stack.
 * Strings that carry HTML are reduced to their text content, hidden parts included.
 *
 * @example
 * extractJsonText('{"a":["hello",{"b":"world"}],"n":1}'); // { text: 'hello\nworld', hidden: [] }
 * extractJsonText('not json'); // undefined
 */
import { extractHtmlText, type HtmlText } from './html-text.js';

const LOOKS_LIKE_HTML = /<(?:!--|[a-z][a-z0-9]*[\s>/])/i;

/** Text content of `body` if it parses as JSON, otherwise undefined. Never throws. */
export function extractJsonText(body: string): HtmlText | undefined {
  let root: unknown;
  try {
    root = JSON.parse(body);
  } catch {
    return undefined;
  }
  const parts: string[] = [];
  const hidden: HtmlText['hidden'] = [];
  let length = 0;
  const add = (s: string): void => {
    if (s.length === 0) return;
    if (parts.length > 0) {
      parts.push('\n');
      length += 1;
    }
    if (s.includes('<') && LOOKS_LIKE_HTML.test(s)) {
      const h = extractHtmlText(s);
      for (const r of h.hidden) hidden.push({ start: r.start + length, end: r.end + length });
      s = h.text;
    }
    parts.push(s);
    length += s.length;
  };
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'string') add(v);
    else if (Array.isArray(v)) {
      // Pushed in reverse so strings come out in document order.
      for (let i = v.length - 1; i >= 0; i--) stack.push(v[i]);
    } else if (v !== null && typeof v === 'object') {
      const entries = Object.entries(v as Record<string, unknown>);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [k, val] = entries[i]!;
        stack.push(val);
        // A key with spaces is prose somebody wrote; identifiers are not worth scoring.
        if (k.includes(' ')) stack.push(k);
      }
    }
  }
  return { text: parts.join(''), hidden };
}
