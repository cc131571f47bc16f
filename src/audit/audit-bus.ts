/**
 * The in-process bus of written audit entries: the store publishes each batch once it committed,
 * and subscribers (live tail, metrics, the daemon's event stream) are told. A subscriber that throws
 * is logged and does not keep the others from the entries.
 */
import type { Logger } from '../logger.js';
import { silentLogger } from '../logger.js';
import type { AuditEntry } from './entry.js';

/** Receives committed entries, in id order. */
export type AuditListener = (entry: AuditEntry) => void;

/**
 * A publish/subscribe channel of committed entries.
 *
 * @example
 * const bus = new AuditBus();
 * const off = bus.subscribe((e) => counts.set(e.type, (counts.get(e.type) ?? 0) + 1));
 * off();
 */
export class AuditBus {
  private readonly listeners = new Set<AuditListener>();

  constructor(private readonly logger: Logger = silentLogger) {}

  /** Be told of every committed entry. Returns the function that unsubscribes. */
  subscribe(listener: AuditListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** How many subscribers are listening. */
  get size(): number {
    return this.listeners.size;
  }

  publish(entries: readonly AuditEntry[]): void {
    if (this.listeners.size === 0) return;
    for (const listener of [...this.listeners]) {
      for (const e of entries) {
        try {
          listener(e);
        } catch (err) {
          this.logger.warn('audit subscriber failed', { error: String(err) });
          break;
        }
      }
    }
  }
}
