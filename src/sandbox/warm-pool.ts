/**
 * A pool of pre-built sandbox networks (namespace, veth pair, addresses), so creating a sandbox
 * skips the slowest part. A pooled network forwards nothing: forwarding is switched on only after
 * the sandbox's firewall is installed.
 */
import type { Logger } from '../logger.js';
import type { AddressPool, SandboxAddresses } from './address-pool.js';
import type { SandboxCgroup } from './cgroups.js';
import type { Zygote } from './zygote.js';
import { newSandboxId, sandboxNames, type SandboxNames } from './names.js';
import { createNetwork, deleteNetwork } from './netns.js';

/** How long after a take the pool starts rebuilding. */
const REFILL_DELAY_MS = 100;

/** A network ready to become a sandbox. */
export interface PrebuiltNetwork {
  id: string;
  names: SandboxNames;
  addresses: SandboxAddresses;
  /** Set when the pool already installed a firewall: which policy's rules (see firewallKey). */
  firewallKey?: string;
  /** Set when the pool already made the sandbox's state directory. */
  stateReady?: boolean;
  /** The sandbox's cgroups, when the pool made them (with the default limits). */
  cgroup?: SandboxCgroup;
  /** A jail waiting for the first command. */
  zygote?: Zygote;
}

/** Work the pool does on each network before and after it is pooled. */
export interface WarmPoolHooks {
  /** Run on a fresh network before it is offered (e.g. install the default policy's rules). */
  prepare?(net: PrebuiltNetwork): Promise<void>;
  /** Undo {@link prepare} before a pooled network is destroyed unused. */
  discard?(net: PrebuiltNetwork): Promise<void>;
}

/** Build one network with a fresh id; on failure nothing is left and the addresses are returned. */
export async function buildNetwork(tag: string, pool: AddressPool): Promise<PrebuiltNetwork> {
  const id = newSandboxId();
  const names = sandboxNames(tag, id);
  const addresses = pool.allocate();
  try {
    await createNetwork(names, addresses);
  } catch (err) {
    pool.release(addresses.slot);
    throw err;
  }
  return { id, names, addresses };
}

/** Remove a network and give its addresses back. */
export async function destroyNetwork(net: PrebuiltNetwork, pool: AddressPool): Promise<void> {
  await deleteNetwork(net.names);
  pool.release(net.addresses.slot);
}

/**
 * @example
 * const warm = new WarmPool({ size: 4, tag: 'dc', pool, logger });
 * warm.fill();                        // builds in the background
 * const net = warm.take();            // a ready network, or undefined when empty
 */
export class WarmPool {
  private readonly ready: PrebuiltNetwork[] = [];
  private filling?: Promise<void>;
  private closed = false;

  constructor(
    private readonly o: {
      size: number;
      tag: string;
      pool: AddressPool;
      logger: Logger;
      hooks?: WarmPoolHooks;
    },
  ) {}

  private async discard(net: PrebuiltNetwork): Promise<void> {
    await this.o.hooks?.discard?.(net).catch(() => undefined);
    await destroyNetwork(net, this.o.pool);
  }

  /** Networks ready now. */
  get available(): number {
    return this.ready.length;
  }

  /** Take a ready network (and start refilling), or undefined when none is ready. */
  take(): PrebuiltNetwork | undefined {
    const net = this.ready.shift();
    // Refill a moment later: building a network now would compete with the create that took this one.
    if (net) setTimeout(() => void this.fill(), REFILL_DELAY_MS).unref();
    return net;
  }

  /** Build networks in the background until the pool is full. Returns the running fill. */
  fill(): Promise<void> {
    if (!this.filling) {
      // Cleared only after it is stored: a fill that finds the pool full must not stay "running".
      const run = this.build();
      this.filling = run;
      void run.finally(() => {
        if (this.filling === run) this.filling = undefined;
      });
    }
    return this.filling;
  }

  private async build(): Promise<void> {
    try {
      while (!this.closed && this.ready.length < this.o.size) {
        const net = await buildNetwork(this.o.tag, this.o.pool);
        try {
          await this.o.hooks?.prepare?.(net);
        } catch (err) {
          await this.discard(net);
          throw err;
        }
        if (this.closed) await this.discard(net);
        else this.ready.push(net);
      }
    } catch (err) {
      this.o.logger.warn('warm pool: could not build a network', { error: (err as Error).message });
    }
  }

  /** Stop filling and remove every pooled network. */
  async drain(): Promise<void> {
    this.closed = true;
    await this.filling;
    for (const net of this.ready.splice(0)) await this.discard(net);
  }
}
