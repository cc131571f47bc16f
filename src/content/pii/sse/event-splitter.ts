/**
 * Cuts a `text/event-stream` byte stream into complete events (each ending with its blank line) as the
 * bytes arrive. Line breaks may be CRLF, LF or CR (WHATWG HTML, server-sent events); a CR at the very end
 * of what has arrived is not judged until the next byte shows whether an LF follows. Works on bytes, so
 * a UTF-8 character split across chunks is only decoded once its event is complete.
 *
 * @example
 * const splitter = new SseEventSplitter();
 * splitter.push(Buffer.from('data: a\n\ndata: b')); // [<Buffer 'data: a\n\n'>] (a view, valid until the next push)
 * splitter.push(Buffer.from('\n\n')); // [<Buffer 'data: b\n\n'>]
 */
export class SseEventSplitter {
  #buf: Buffer = Buffer.alloc(0);
  /** Bytes in use: `#buf[#start, #end)`. */
  #start = 0;
  #end = 0;
  /** Where the current (incomplete) line starts, and where to resume looking for line breaks. */
  #lineStart = 0;
  #scan = 0;
  #compactLater = false;

  /**
   * Appends bytes; returns the events they complete. The returned buffers are views into the splitter's
   * memory, valid until the next call: use or copy them before pushing again.
   */
  push(chunk: Buffer): Buffer[] {
    this.#append(chunk);
    const events: Buffer[] = [];
    const buf = this.#buf.subarray(0, this.#end);
    // Next LF and CR at or after #scan; -1 once there is none left in what has arrived.
    let lf = -2;
    let cr = -2;
    while (this.#scan < this.#end) {
      if (lf !== -1 && lf < this.#scan) lf = buf.indexOf(0x0a, this.#scan);
      if (cr !== -1 && cr < this.#scan) cr = buf.indexOf(0x0d, this.#scan);
      let brk = lf < 0 ? cr : cr < 0 ? lf : Math.min(lf, cr);
      if (brk < 0) {
        this.#scan = this.#end;
        break;
      }
      let width = 1;
      if (brk === cr) {
        if (brk + 1 === this.#end) {
          // A lone CR so far: CRLF or CR, the next byte decides.
          this.#scan = brk;
          break;
        }
        if (buf[brk + 1] === 0x0a) width = 2;
      }
      const lineEmpty = brk === this.#lineStart;
      brk += width;
      this.#scan = brk;
      this.#lineStart = brk;
      if (lineEmpty) {
        events.push(buf.subarray(this.#start, brk));
        this.#start = brk;
      }
    }
    this.#compactLater = true;
    return events;
  }

  /** Bytes of the current event received so far (not yet returned by {@link push}). */
  get pending(): number {
    return this.#end - this.#start;
  }

  /** The bytes of an event that never got its blank line (the stream ended mid-event). */
  rest(): Buffer {
    const out = Buffer.from(this.#buf.subarray(this.#start, this.#end));
    this.#start = this.#end = this.#lineStart = this.#scan = 0;
    return out;
  }

  #append(chunk: Buffer): void {
    // Views handed out by the previous push stay valid until now; only now may their bytes move.
    if (this.#compactLater) {
      this.#compactLater = false;
      this.#compact();
    }
    const needed = this.#end + chunk.length;
    if (needed > this.#buf.length) {
      const live = this.#end - this.#start;
      const next = Buffer.allocUnsafe(Math.max(live + chunk.length, this.#buf.length * 2, 4096));
      this.#buf.copy(next, 0, this.#start, this.#end);
      this.#shift(this.#start);
      this.#buf = next;
    }
    chunk.copy(this.#buf, this.#end);
    this.#end += chunk.length;
  }

  /** Drops consumed bytes once they are the larger part of the buffer, keeping appends amortised O(1). */
  #compact(): void {
    if (this.#start === this.#end) {
      this.#shift(this.#start);
      return;
    }
    if (this.#start > this.#buf.length / 2) {
      this.#buf.copy(this.#buf, 0, this.#start, this.#end);
      this.#shift(this.#start);
    }
  }

  #shift(by: number): void {
    this.#start -= by;
    this.#end -= by;
    this.#lineStart -= by;
    this.#scan -= by;
  }
}
