import { InvalidArgumentError } from '../../errors.js';

/**
 * Reusable memory for the intermediate results of a rule chain. Writing 1 MiB into freshly allocated
 * memory costs the kernel a page fault per 4 KiB, about twenty times the copy itself; when several
 * rules fire on one big body, each writing into new memory dominated the run. Two buffers used in
 * turn (one holds a rule's input, the other receives its output) avoid that; the final result is
 * copied once into memory the caller owns.
 *
 * Synchronous use only: share one instance between engines in the same thread, never across
 * threads or across an `await` in the middle of a transform (the engine never awaits).
 */
export class TransformScratch {
  /** Inputs smaller than this go to fresh memory: the saving does not matter for them. */
  static readonly MIN_BYTES = 64 * 1024;

  readonly #maxBytes: number;
  readonly #slots: (Buffer | undefined)[] = [undefined, undefined];

  /**
   * @param maxBytes largest result kept in scratch memory (default 4 MiB); at most twice this is held
   *   for as long as the instance lives. Larger results go to fresh memory.
   * @example
   * const scratch = new TransformScratch(8 * 1024 * 1024);
   * new TransformEngine(rules, { scratch });
   */
  constructor(maxBytes = 4 * 1024 * 1024) {
    if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) {
      throw new InvalidArgumentError(
        'maxBytes',
        `expected a non-negative whole number of bytes, got ${maxBytes}`,
      );
    }
    this.#maxBytes = maxBytes;
  }

  /**
   * A buffer of exactly `size` bytes (contents undefined) that does not share memory with `avoid`,
   * or `undefined` when `size` is outside the range scratch memory is used for.
   */
  acquire(size: number, avoid: Buffer): Buffer | undefined {
    if (size < TransformScratch.MIN_BYTES || size > this.#maxBytes) return undefined;
    for (let i = 0; i < this.#slots.length; i++) {
      let slot = this.#slots[i];
      if (slot !== undefined && slot.buffer === avoid.buffer) continue;
      if (slot === undefined || slot.length < size) {
        // Grow with headroom so slightly larger bodies do not reallocate every time.
        slot = Buffer.allocUnsafeSlow(Math.min(this.#maxBytes, Math.max(size, Math.ceil(size * 1.25))));
        this.#slots[i] = slot;
      }
      return slot.subarray(0, size);
    }
    return undefined;
  }

  /** Whether `buf` lives in this scratch memory (and so must be copied before it is handed out). */
  owns(buf: Buffer): boolean {
    return this.#slots.some((s) => s !== undefined && s.buffer === buf.buffer);
  }
}
