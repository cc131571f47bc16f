/**
 * Finds every occurrence of a set of literal anchors in one left-to-right pass (Aho–Corasick), so the
 * cost of locating anchors does not grow with their number. ASCII transitions are a dense table (one
 * array read per character); other characters follow trie edges and failure links.
 *
 * @example
 * const a = new AnchorAutomaton([['ignor', 0], ['previous', 1]]);
 * a.scan('ignore previous', (end, entries) => console.log(end, entries));
 * // 4 [[0, 5]]   then   14 [[1, 8]]
 */

/** An anchor's payload: the id of the rule it belongs to, and the anchor's length. */
export type AnchorEntry = readonly [ruleIndex: number, length: number];

const ASCII = 128;

/** A compiled anchor set. Immutable after construction. */
export class AnchorAutomaton {
  private readonly ascii: Int32Array;
  private readonly other: Array<Map<number, number> | undefined>;
  private readonly fail: Int32Array;
  private readonly outputs: ReadonlyArray<readonly AnchorEntry[]>;
  /** 1 where a state has outputs: the hot loop reads a byte, not an array. */
  private readonly hasOutput: Uint8Array;

  /** `anchors`: pairs of a non-empty literal and the rule index it reports. */
  constructor(anchors: ReadonlyArray<readonly [string, number]>) {
    // 1. Trie. Node 0 is the root; ASCII edges go in `ascii`, others in per-node maps.
    const asciiEdges: number[][] = [new Array<number>(ASCII).fill(-1)];
    const other: Array<Map<number, number> | undefined> = [undefined];
    const own: AnchorEntry[][] = [[]];
    for (const [literal, rule] of anchors) {
      let node = 0;
      for (let i = 0; i < literal.length; i++) {
        const c = literal.charCodeAt(i);
        let next = c < ASCII ? asciiEdges[node]![c]! : (other[node]?.get(c) ?? -1);
        if (next < 0) {
          next = asciiEdges.length;
          asciiEdges.push(new Array<number>(ASCII).fill(-1));
          other.push(undefined);
          own.push([]);
          if (c < ASCII) asciiEdges[node]![c] = next;
          else (other[node] ??= new Map()).set(c, next);
        }
        node = next;
      }
      own[node]!.push([rule, literal.length]);
    }
    const count = asciiEdges.length;

    // 2. Failure links breadth-first; ASCII edges completed into a full transition table; outputs
    //    include those of the failure chain, so a scan never walks the chain for ASCII text.
    const fail = new Int32Array(count);
    const ascii = new Int32Array(count * ASCII);
    const outputs: AnchorEntry[][] = own.map((o) => [...o]);
    const queue: number[] = [];
    for (let c = 0; c < ASCII; c++) {
      const child = asciiEdges[0]![c]!;
      ascii[c] = child < 0 ? 0 : child;
      if (child > 0) queue.push(child);
    }
    for (const child of other[0]?.values() ?? []) queue.push(child);
    for (let q = 0; q < queue.length; q++) {
      const node = queue[q]!;
      const f = fail[node]!;
      outputs[node] = [...outputs[node]!, ...outputs[f]!];
      for (let c = 0; c < ASCII; c++) {
        const child = asciiEdges[node]![c]!;
        if (child < 0) {
          ascii[node * ASCII + c] = ascii[f * ASCII + c]!;
        } else {
          ascii[node * ASCII + c] = child;
          fail[child] = ascii[f * ASCII + c]!;
          queue.push(child);
        }
      }
      for (const [c, child] of other[node] ?? []) {
        fail[child] = this.stepOther(other, fail, f, c);
        queue.push(child);
      }
    }
    // Root children over non-ASCII fail to the root (Int32Array starts at 0).
    this.ascii = ascii;
    this.other = other;
    this.fail = fail;
    this.outputs = outputs;
    this.hasOutput = Uint8Array.from(outputs, (o) => (o.length > 0 ? 1 : 0));
  }

  private stepOther(
    other: Array<Map<number, number> | undefined>,
    fail: Int32Array,
    from: number,
    c: number,
  ): number {
    let s = from;
    for (;;) {
      const next = other[s]?.get(c);
      if (next !== undefined) return next;
      if (s === 0) return 0;
      s = fail[s]!;
    }
  }

  /** Calls `found(end, entries)` for every text position that ends at least one anchor (end inclusive). */
  scan(text: string, found: (end: number, entries: readonly AnchorEntry[]) => void): void {
    const ascii = this.ascii;
    const hasOutput = this.hasOutput;
    const n = text.length;
    let state = 0;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      state = c < ASCII ? ascii[(state << 7) | c]! : this.stepOther(this.other, this.fail, state, c);
      if (hasOutput[state] === 1) found(i, this.outputs[state]!);
    }
  }
}
