import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Parser } from 'htmlparser2';
import { extractHtmlText } from '../../../../src/content/injection/html-text.js';

const BLOCKS = new Set(['p', 'div', 'title', 'li']);

/**
 * Reference for markup without styles: htmlparser2 decoding entities itself, with the extractor's
 * rules for block breaks and alt/title text.
 */
function reference(html: string): string {
  const parts: string[] = [];
  const parser = new Parser(
    {
      onopentag(name, attribs) {
        if (BLOCKS.has(name)) parts.push('\n');
        for (const a of ['alt', 'title']) if (attribs[a]) parts.push(` ${attribs[a]} `);
      },
      onclosetag(name) {
        if (BLOCKS.has(name)) parts.push('\n');
      },
      ontext(data) {
        parts.push(data);
      },
      oncomment(data) {
        parts.push('\n', data, '\n');
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.write(html);
  parser.end();
  return parts.join('');
}

test('entities decode as htmlparser2 decodes them, in text, titles and attributes', () => {
  const entity = fc.constantFrom(
    '&amp;',
    '&amp',
    '&lt;script&gt;',
    '&#x41;',
    '&#65;',
    '&nbsp;',
    '&notit;',
    '&copy',
    '&quot;',
    '&unknown;',
    '&',
    '&#xZZ;',
    '&ampx',
  );
  const words = fc.constantFrom('ignore', 'all', ' ', 'previous', '\n', 'a=b', 'x&y', '"', "'");
  const text = fc.array(fc.oneof(entity, words), { maxLength: 8 }).map((p) => p.join(''));
  const attrValue = text.map((t) => t.replace(/"/g, ''));
  const node: fc.Arbitrary<string> = fc.oneof(
    text,
    fc
      .tuple(fc.constantFrom('p', 'div', 'span', 'b', 'title', 'li'), text)
      .map(([tag, inner]) => `<${tag}>${inner.replace(/</g, '')}</${tag}>`),
    fc
      .tuple(fc.constantFrom('img', 'span', 'a'), fc.constantFrom('alt', 'title', 'href'), attrValue)
      .map(([tag, attr, v]) => `<${tag} ${attr}="${v}">`),
    text.map((t) => `<!-- ${t.replace(/-/g, '')} -->`),
  );
  fc.assert(
    fc.property(fc.array(node, { maxLength: 12 }), (nodes) => {
      const html = nodes.join('');
      assert.equal(extractHtmlText(html).text, reference(html));
    }),
    { numRuns: 500 },
  );
});

test('a style hidden behind an entity still hides its text', () => {
  const t = extractHtmlText('<p>shown</p><div style="display&#58;none">secret words</div>');
  assert.equal(t.text.slice(t.hidden[0]!.start, t.hidden[0]!.end), 'secret words');
});
