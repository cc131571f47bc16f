import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRehydrator } from '../../../../../src/content/pii/rehydrator-stream.js';
import { createSseRehydrator } from '../../../../../src/content/pii/sse/sse-rehydrator.js';
import { PiiSession } from '../../../../../src/content/pii/session.js';
import { accumulated, anthropicDelta, chatChunk, events, responsesDelta, sse } from './helpers.js';

const SSE = 'text/event-stream; charset=utf-8';

function setup() {
  const session = new PiiSession();
  const card = session.tokenFor('credit_card', '4111111111111111');
  return { session, card };
}

/** Pushes each event as its own chunk; returns what came out for each push and at the end. */
function perEvent(session: PiiSession, eventTexts: string[]): { outs: string[]; all: string } {
  const r = createRehydrator({ session, contentType: SSE });
  const outs = eventTexts.map((e) => r.push(Buffer.from(e)).toString());
  outs.push(r.end().toString());
  return { outs, all: outs.join('') };
}

test('chat.completions: a token split over three deltas is restored as soon as its last piece arrives', () => {
  const { session, card } = setup();
  const input = [
    chatChunk('Your card '),
    chatChunk(card.slice(0, 5)),
    chatChunk(card.slice(5, 15)),
    chatChunk(`${card.slice(15)} thanks`),
    chatChunk(undefined, 'stop'),
    sse('[DONE]'),
  ];
  const { outs, all } = perEvent(session, input);
  // Every event goes out when it arrives: one output event per input event, none held back.
  assert.deepEqual(
    outs.map((o) => events(o).length),
    [1, 1, 1, 1, 1, 1, 0],
  );
  assert.equal(outs[0], input[0], 'events that need no change are passed byte for byte');
  assert.equal(outs[4], input[4]);
  assert.equal(outs[5], input[5]);
  assert.deepEqual(accumulated(all), { 'chat/0': 'Your card 4111111111111111 thanks' });
});

test('chat.completions: text still held when the choice finishes is flushed in an extra delta before the finish', () => {
  const { session } = setup();
  const { all } = perEvent(session, [chatChunk('see [CRED'), chatChunk(undefined, 'stop'), sse('[DONE]')]);
  const evs = events(all);
  assert.equal(evs.length, 4);
  assert.deepEqual(accumulated(all), { 'chat/0': 'see [CRED' });
  const flushed = evs[1]!.data as { choices: Array<{ delta: { content: string }; finish_reason: null }> };
  assert.equal(flushed.choices[0]!.delta.content, '[CRED');
  assert.equal(
    (evs[2]!.data as { choices: Array<{ finish_reason: string }> }).choices[0]!.finish_reason,
    'stop',
  );
});

test('chat.completions: a finish chunk that carries text itself gets the held text, nothing is held after it', () => {
  const { session, card } = setup();
  const { all } = perEvent(session, [
    chatChunk(`a ${card.slice(0, 8)}`),
    chatChunk(`${card.slice(8)} [SS`, 'stop'),
  ]);
  assert.deepEqual(accumulated(all), { 'chat/0': 'a 4111111111111111 [SS' });
  assert.equal(events(all).length, 2);
});

test('chat.completions: [DONE] and the end of the stream flush held text, so nothing is ever lost', () => {
  const { session } = setup();
  assert.deepEqual(accumulated(perEvent(session, [chatChunk('x ['), sse('[DONE]')]).all), {
    'chat/0': 'x [',
  });
  assert.deepEqual(accumulated(perEvent(session, [chatChunk('y [SSN_')]).all), { 'chat/0': 'y [SSN_' });
});

test('chat.completions: choices are carried separately', () => {
  const { session, card } = setup();
  const input = [
    chatChunk(card.slice(0, 6), null, 0),
    chatChunk(card.slice(0, 9), null, 1),
    chatChunk(card.slice(6), null, 0),
    chatChunk(`${card.slice(9)}!`, null, 1),
    chatChunk(undefined, 'stop', 0),
    chatChunk(undefined, 'stop', 1),
  ];
  assert.deepEqual(accumulated(perEvent(session, input).all), {
    'chat/0': '4111111111111111',
    'chat/1': '4111111111111111!',
  });
});

test('chat.completions: tool-call arguments are JSON text, so values are JSON-escaped', () => {
  const session = new PiiSession();
  const token = session.tokenFor('email', 'o"hara@example.com');
  const call = (args: string) =>
    sse({
      id: 'c',
      object: 'chat.completion.chunk',
      choices: [
        {
          index: 0,
          delta: { tool_calls: [{ index: 0, function: { arguments: args } }] },
          finish_reason: null,
        },
      ],
    });
  const { all } = perEvent(session, [
    call('{"to": "'),
    call(token.slice(0, 7)),
    call(`${token.slice(7)}"}`),
    chatChunk(undefined, 'tool_calls'),
  ]);
  assert.deepEqual(JSON.parse(accumulated(all)['tool/0']!), { to: 'o"hara@example.com' });
});

test('responses API: split deltas are restored, and the done and completed events carry the full text rehydrated', () => {
  const { session, card } = setup();
  const done = sse(
    {
      type: 'response.output_text.done',
      item_id: 'msg_1',
      output_index: 0,
      content_index: 0,
      text: `pay ${card} ok`,
      sequence_number: 4,
    },
    'response.output_text.done',
  );
  const completed = sse(
    {
      type: 'response.completed',
      response: { output: [{ content: [{ type: 'output_text', text: `pay ${card} ok` }] }] },
    },
    'response.completed',
  );
  const { all } = perEvent(session, [
    responsesDelta('pay [CREDIT_', 1),
    responsesDelta(card.slice(8, 16), 2),
    responsesDelta(`${card.slice(16)} ok`, 3),
    done,
    completed,
  ]);
  assert.deepEqual(accumulated(all), { 'responses/msg_1': 'pay 4111111111111111 ok' });
  const evs = events(all);
  assert.equal((evs[3]!.data as { text: string }).text, 'pay 4111111111111111 ok');
  assert.match(JSON.stringify(evs[4]!.data), /pay 4111111111111111 ok/);
  assert.equal(evs[3]!.name, 'response.output_text.done');
});

test('responses API: held text is flushed in a delta event just before output_text.done', () => {
  const { session } = setup();
  const done = sse(
    {
      type: 'response.output_text.done',
      item_id: 'msg_1',
      output_index: 0,
      content_index: 0,
      text: 'end [SSN',
      sequence_number: 3,
    },
    'response.output_text.done',
  );
  const evs = events(perEvent(session, [responsesDelta('end [SSN', 1), done]).all);
  assert.deepEqual(
    evs.map((e) => e.name),
    ['response.output_text.delta', 'response.output_text.delta', 'response.output_text.done'],
  );
  assert.equal((evs[1]!.data as { delta: string }).delta, '[SSN');
});

test('Anthropic messages: split text deltas are restored and held text is flushed before content_block_stop', () => {
  const { session, card } = setup();
  const start = sse({ type: 'message_start', message: { id: 'msg', content: [] } }, 'message_start');
  const stop = sse({ type: 'content_block_stop', index: 0 }, 'content_block_stop');
  const input = [
    start,
    anthropicDelta(card.slice(0, 3)),
    anthropicDelta(card.slice(3, 12)),
    anthropicDelta(`${card.slice(12)}, and [EM`),
    stop,
    sse({ type: 'message_stop' }, 'message_stop'),
  ];
  const { outs, all } = perEvent(session, input);
  assert.equal(outs[0], start);
  assert.deepEqual(accumulated(all), { 'anthropic/0': '4111111111111111, and [EM' });
  const names = events(all).map((e) => e.name);
  assert.deepEqual(names.slice(-3), ['content_block_delta', 'content_block_stop', 'message_stop']);
  assert.equal(outs[4]!.endsWith(stop), true, 'the stop event itself is unchanged');
});

test('Anthropic messages: input_json_delta partial JSON gets JSON-escaped values', () => {
  const session = new PiiSession();
  const token = session.tokenFor('api_key', 'k\\"x');
  const part = (s: string) =>
    sse(
      { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: s } },
      'content_block_delta',
    );
  const { all } = perEvent(session, [
    part('{"key":"'),
    part(token.slice(0, 10)),
    part(`${token.slice(10)}"}`),
    sse({ type: 'content_block_stop', index: 1 }, 'content_block_stop'),
  ]);
  assert.deepEqual(JSON.parse(accumulated(all)['anthropic/1']!), { key: 'k\\"x' });
});

test('other event streams get each event rehydrated as a whole, JSON-escaped when the data is JSON', () => {
  const session = new PiiSession();
  const token = session.tokenFor('email', 'a"b@example.com');
  const { all } = perEvent(session, [sse({ msg: `hi ${token}` }), sse(`plain ${token}`), ': keep-alive\n\n']);
  const evs = events(all);
  assert.deepEqual(evs[0]!.data, { msg: 'hi a"b@example.com' });
  assert.equal(evs[1]!.data, 'plain a"b@example.com');
  assert.match(all, /: keep-alive\n\n$/);
});

test('a whole SSE stream cut into chunks at every position gives what the client would see unsplit', () => {
  const { session, card } = setup();
  const stream = [
    chatChunk('héllo '),
    chatChunk(card.slice(0, 10)),
    chatChunk(`${card.slice(10)} 😀`),
    chatChunk(undefined, 'stop'),
    sse('[DONE]'),
  ]
    .join('')
    .replace(/\n/g, '\r\n');
  const bytes = Buffer.from(stream);
  for (let cut = 0; cut <= bytes.length; cut += 3) {
    const r = createRehydrator({ session, contentType: SSE });
    const out = Buffer.concat([
      r.push(bytes.subarray(0, cut)),
      r.push(bytes.subarray(cut)),
      r.end(),
    ]).toString();
    assert.deepEqual(
      accumulated(out.replace(/\r\n/g, '\n')),
      { 'chat/0': 'héllo 4111111111111111 😀' },
      `cut ${cut}`,
    );
  }
});

test('an event longer than maxEventBytes is not buffered whole: the rest of the stream flows as rehydrated bytes', () => {
  const { session, card } = setup();
  const r = createSseRehydrator({ session, maxEventBytes: 1000 });
  const first = r.push(Buffer.from(chatChunk('held [CRED'))).toString();
  const huge = `data: ${'x'.repeat(1500)} ${card.slice(0, 7)}`;
  const out1 = r.push(Buffer.from(huge)).toString();
  const out2 = r.push(Buffer.from(`${card.slice(7)} ${'y'.repeat(600)}\n\n`)).toString();
  const out3 = r.push(Buffer.from('data: more\n\n')).toString();
  const all = first + out1 + out2 + out3 + r.end().toString();
  assert.ok(out1.length > 1500, 'bytes of the long event came out before it ended');
  assert.deepEqual(
    accumulated(all),
    { 'chat/0': 'held [CRED' },
    'held text was flushed as its own event first',
  );
  assert.match(all, new RegExp(`x{1500} 4111111111111111 y{600}\\n\\ndata: more\\n\\n$`));
});
