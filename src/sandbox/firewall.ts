/**
 * Installs and removes sandbox firewall rules on the host (IPv4 and IPv6 together). Changes go
 * through iptables-restore, one atomic transaction per family, and are serialised per Firewall so
 * concurrent sandbox creations never interleave their edits of the built-in chains.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { HostToolError, runHostTool } from './host-exec.js';
import { firewallScript, removalScript, type FirewallPlan } from './firewall-rules.js';
import type { SandboxNames } from './names.js';

const FAMILIES = [
  { family: 4 as const, save: 'iptables-save', restore: 'iptables-restore' },
  { family: 6 as const, save: 'ip6tables-save', restore: 'ip6tables-restore' },
];

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The chain pattern of one sandbox. */
export function sandboxChainPattern(names: SandboxNames): RegExp {
  return new RegExp(`^${escapeRegex(names.chain)}-[A-Z]+$`);
}

/** The chain pattern of every sandbox of a tag. */
export function tagChainPattern(tag: string): RegExp {
  return new RegExp(`^DECLAW-${escapeRegex(tag)}-[a-z0-9]{10}-[A-Z]+$`);
}

/**
 * @example
 * const fw = new Firewall();
 * await fw.install(plan);          // both families, or nothing
 * await fw.remove(plan.names);     // exactly this sandbox's chains and jumps
 */
export class Firewall {
  private tail: Promise<unknown> = Promise.resolve();
  /** Removal scripts of the sandboxes installed by this object, per family: removal needs no dump. */
  private readonly installed = new Map<string, [string, string]>();

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(fn, fn);
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** Install a sandbox's rules. If either family fails, both are removed and the error is thrown. */
  install(plan: FirewallPlan): Promise<void> {
    return this.serial(async () => {
      const pattern = sandboxChainPattern(plan.names);
      const scripts = FAMILIES.map((f) => firewallScript(plan, f.family));
      try {
        // IPv4 and IPv6 live in separate tables: install both at once.
        await Promise.all(FAMILIES.map((f, i) => restore(f.restore, scripts[i] as string)));
      } catch (err) {
        await this.removeNow(pattern);
        throw err;
      }
      // The jumps go in with -I; removing them is the same rule with -D.
      const undo = scripts.map((s) => removalScript(s.replace(/^-I (\S+) 1 /gm, '-A $1 '), pattern));
      this.installed.set(plan.names.chain, [undo[0] as string, undo[1] as string]);
    });
  }

  /** Remove every chain and jump of one sandbox. */
  remove(names: SandboxNames): Promise<void> {
    return this.serial(async () => {
      const undo = this.installed.get(names.chain);
      this.installed.delete(names.chain);
      if (undo) {
        try {
          await Promise.all(FAMILIES.map((f, i) => restore(f.restore, undo[i] as string)));
          return;
        } catch {
          // Someone changed the rules under us (a flush, a reconcile): fall back to the live dump.
        }
      }
      await this.removeNow(sandboxChainPattern(names));
    });
  }

  /** Remove every chain and jump matching `pattern` (all sandboxes of a tag, after a crash). */
  removeMatching(pattern: RegExp): Promise<void> {
    return this.serial(() => this.removeNow(pattern));
  }

  private async removeNow(pattern: RegExp): Promise<void> {
    for (const f of FAMILIES) {
      const saved = (await runHostTool(f.save, [])).stdout;
      const script = removalScript(saved, pattern);
      if (script) await restore(f.restore, script);
    }
  }
}

/** Rules and chains whose names match `pattern`, per family: what a leak test counts. */
export async function countRules(pattern: RegExp): Promise<{ chains: number; rules: number }> {
  let chains = 0;
  let rules = 0;
  for (const f of FAMILIES) {
    for (const line of (await runHostTool(f.save, [])).stdout.split('\n')) {
      if (line.startsWith(':') && pattern.test(line.slice(1).split(' ')[0] ?? '')) chains++;
      else if (line.startsWith('-A ')) {
        const owner = line.split(' ')[1] ?? '';
        const target = line.match(/ -[jg] (\S+)/)?.[1] ?? '';
        if (pattern.test(owner) || pattern.test(target)) rules++;
      }
    }
  }
  return { chains, rules };
}

async function restore(tool: string, script: string): Promise<void> {
  // Another program committing to the same tables at the same moment makes nft refuse ours; retry.
  for (let attempt = 0; ; attempt++) {
    try {
      await runHostTool(tool, ['-w', '--noflush'], { input: script });
      return;
    } catch (err) {
      const busy =
        err instanceof HostToolError && /temporarily unavailable|resource busy|try again/i.test(err.stderr);
      if (!busy || attempt >= 5) throw err;
      await sleep(10 * (attempt + 1));
    }
  }
}
