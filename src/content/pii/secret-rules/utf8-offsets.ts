import RE2 from 're2';

const CHECKPOINT_BYTES = 4096;

/**
 * Converts byte offsets in the UTF-8 encoding of a string back to UTF-16 offsets in the string. RE2
 * runs on a UTF-8 buffer (encoding once per scan instead of once per rule); its match offsets are
 * bytes. Pure-ASCII text maps 1:1; otherwise a checkpoint every 4 KiB keeps each lookup short.
 *
 * @example
 * const text = 'é key';
 * const map = new Utf8Offsets(text, Buffer.from(text));
 * map.toUtf16(3); // 2 ('é' is two bytes, one UTF-16 unit)
 */
export class Utf8Offsets {
  private readonly ascii: boolean;
  private checkpoints: { bytes: number[]; units: number[] } | undefined;

  constructor(
    text: string,
    private readonly buf: Buffer,
  ) {
    this.ascii = buf.length === text.length;
  }

  /** The UTF-16 offset of byte offset `byte` (which must be at a character boundary). */
  toUtf16(byte: number): number {
    if (this.ascii) return byte;
    const cps = this.checkpoints ?? this.build();
    let lo = 0;
    let hi = cps.bytes.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if ((cps.bytes[mid] as number) <= byte) lo = mid;
      else hi = mid - 1;
    }
    const base = cps.bytes[lo] as number;
    return (cps.units[lo] as number) + (byte > base ? RE2.getUtf16Length(this.buf.subarray(base, byte)) : 0);
  }

  private build(): { bytes: number[]; units: number[] } {
    const bytes = [0];
    const units = [0];
    let at = 0;
    let unit = 0;
    while (at + CHECKPOINT_BYTES < this.buf.length) {
      let next = at + CHECKPOINT_BYTES;
      // Land on the first byte of a character, never inside a multi-byte sequence.
      while (next < this.buf.length && ((this.buf[next] as number) & 0xc0) === 0x80) next++;
      unit += RE2.getUtf16Length(this.buf.subarray(at, next));
      bytes.push(next);
      units.push(unit);
      at = next;
    }
    this.checkpoints = { bytes, units };
    return this.checkpoints;
  }
}
