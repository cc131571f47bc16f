/**
 * Literal multi-string replacement over bytes, whole or streamed. The secret engine uses it both ways:
 * placeholders to values on requests, values back to placeholders on responses. There are only a few
 * needles per sandbox, so a few `indexOf` passes beat building an automaton.
 */

/** One literal to find and what to put in its place. */
export interface Needle {
  /** Identifies the needle in results (the secret's env var name). */
  id: string;
  find: Buffer;
  replace: Buffer;
}

/** Result of {@link swapNeedles}. */
export interface SwapResult {
  /** The input itself when nothing matched. */
  output: Buffer;
  /** Ids of needles found at least once, in needle order. */
  found: string[];
}

interface Hit {
  at: number;
  needle: Needle;
}

/**
 * Replaces every occurrence of every needle, left to right; where two needles overlap, the one that
 * starts first wins, then the longer one.
 *
 * @example
 * swapNeedles(Buffer.from('key=PH'), [{ id: 'K', find: Buffer.from('PH'), replace: Buffer.from('sk-1') }]);
 * // { output: <Buffer 'key=sk-1'>, found: ['K'] }
 */
export function swapNeedles(input: Buffer, needles: readonly Needle[]): SwapResult {
  return applyHits(input, chooseHits(input, needles), input.length, needles);
}

/** Non-overlapping occurrences, left to right; at one position the longest needle wins. */
function chooseHits(input: Buffer, needles: readonly Needle[]): Hit[] {
  const hits: Hit[] = [];
  for (const needle of needles) {
    if (needle.find.length === 0) continue;
    for (let at = input.indexOf(needle.find); at >= 0; at = input.indexOf(needle.find, at + 1)) {
      hits.push({ at, needle });
    }
  }
  hits.sort((a, b) => a.at - b.at || b.needle.find.length - a.needle.find.length);
  const chosen: Hit[] = [];
  let pos = 0;
  for (const hit of hits) {
    if (hit.at < pos) continue;
    chosen.push(hit);
    pos = hit.at + hit.needle.find.length;
  }
  return chosen;
}

/** `input[0, upto)` with the hits that end by `upto` replaced. */
function applyHits(
  input: Buffer,
  hits: readonly Hit[],
  upto: number,
  needles: readonly Needle[],
): SwapResult {
  const parts: Buffer[] = [];
  const found = new Set<string>();
  let pos = 0;
  for (const hit of hits) {
    const end = hit.at + hit.needle.find.length;
    if (end > upto) break;
    parts.push(input.subarray(pos, hit.at), hit.needle.replace);
    pos = end;
    found.add(hit.needle.id);
  }
  if (found.size === 0) return { output: upto === input.length ? input : input.subarray(0, upto), found: [] };
  parts.push(input.subarray(pos, upto));
  return { output: Buffer.concat(parts), found: needles.filter((n) => found.has(n.id)).map((n) => n.id) };
}

/** A streaming {@link swapNeedles}: matches split across chunks are found too. */
export interface NeedleStream {
  /** Takes the next chunk; returns what can be passed on now. */
  push(chunk: Buffer): SwapResult;
  /** End of stream: whatever was held back. */
  end(): SwapResult;
}

/**
 * Swaps needles in a stream of chunks. Only a tail that could still grow into a needle is held back
 * (at most the longest needle's length minus one byte), so bytes flow on as they arrive.
 *
 * @example
 * const s = swapNeedleStream(needles);
 * const out = Buffer.concat([s.push(a).output, s.push(b).output, s.end().output]);
 */
export function swapNeedleStream(needles: readonly Needle[]): NeedleStream {
  const live = needles.filter((n) => n.find.length > 0);
  let held = Buffer.alloc(0);
  return {
    push(chunk) {
      const data = held.length === 0 ? chunk : Buffer.concat([held, chunk]);
      const hits = chooseHits(data, live);
      // Hold the longest tail that could still grow into a needle. No unfinished needle can start
      // before that cut, so the hits chosen before it are the ones the whole stream would choose; a
      // complete hit straddling the cut moves the cut to its end.
      let cut = data.length - heldTail(data, live);
      for (const hit of hits) {
        const end = hit.at + hit.needle.find.length;
        if (hit.at < cut && end > cut) cut = end;
      }
      held = Buffer.from(data.subarray(cut));
      return applyHits(data, hits, cut, live);
    },
    end() {
      const rest = held;
      held = Buffer.alloc(0);
      return swapNeedles(rest, live);
    },
  };
}

/** Length of the longest proper suffix of `data` that is a prefix of some needle. */
function heldTail(data: Buffer, needles: readonly Needle[]): number {
  let longest = 0;
  for (const n of needles) longest = Math.max(longest, n.find.length - 1);
  for (let k = Math.min(longest, data.length); k > 0; k--) {
    const tail = data.subarray(data.length - k);
    for (const n of needles) {
      if (n.find.length > k && n.find.subarray(0, k).equals(tail)) return k;
    }
  }
  return 0;
}
