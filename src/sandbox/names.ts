/**
 * How the host-side objects of a sandbox are named. Every name carries the manager's tag and the
 * sandbox id, so a sandbox's removal is exact and start-up reconciliation finds a crashed run's
 * leftovers (namespaces, links, chains, cgroups, directories) by prefix without touching anything else.
 */
import { randomBytes } from 'node:crypto';
import { InvalidArgumentError } from '../errors.js';

/** Default tag: the `dc` in `declaw-dc-...`, `dchXXXXXXXXXX`, `DECLAW-dc-...`. */
export const DEFAULT_TAG = 'dc';
const TAG = /^[a-z][a-z0-9]{0,3}$/;
const ID = /^[a-z0-9]{10}$/;
const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** Check a manager tag (1-4 lowercase letters/digits, starting with a letter: interface names are short). */
export function checkTag(tag: string): string {
  if (!TAG.test(tag)) {
    throw new InvalidArgumentError(
      'tag',
      `"${tag}" is not a valid tag; use 1 to 4 lowercase letters or digits starting with a letter, e.g. "dc"`,
    );
  }
  return tag;
}

/** A fresh sandbox id: 10 lowercase letters and digits. */
export function newSandboxId(): string {
  const bytes = randomBytes(10);
  let id = '';
  for (const b of bytes) id += ID_ALPHABET[b % ID_ALPHABET.length];
  return id;
}

/** Whether `id` has the shape of a sandbox id. */
export function isSandboxId(id: string): boolean {
  return ID.test(id);
}

/** Every host-side name of one sandbox. */
export interface SandboxNames {
  tag: string;
  id: string;
  /** Network namespace (under /run/netns). */
  netns: string;
  /** Host end of the veth pair: the interface the firewall keys on. */
  hostIf: string;
  /** Sandbox end of the veth pair (renamed to eth0 inside the namespace). */
  peerIf: string;
  /** Chain prefix; chains are `${chain}-OUT`, `-IN`, `-HOST`, `-POL`, `-NAT`, `-SNAT`. */
  chain: string;
  /** Comment on the rules that jump from built-in chains, for exact removal. */
  comment: string;
  /** cgroup parent directory name (shared by the manager's sandboxes). */
  cgroupParent: string;
  /** Per-sandbox state directory name under the manager's state root. */
  stateDir: string;
}

/**
 * All names of sandbox `id` under manager tag `tag`.
 * @example sandboxNames('dc', 'k3j2x9a1b7').hostIf // 'dchk3j2x9a1b7'
 */
export function sandboxNames(tag: string, id: string): SandboxNames {
  return {
    tag,
    id,
    netns: `declaw-${tag}-${id}`,
    hostIf: `${tag}h${id}`,
    peerIf: `${tag}s${id}`,
    chain: `DECLAW-${tag}-${id}`,
    comment: `declaw:${tag}:${id}`,
    cgroupParent: `declaw-${tag}`,
    stateDir: `${tag}-${id}`,
  };
}

/** Patterns that recognise a tag's objects, for reconciliation. */
export function tagPatterns(tag: string): {
  netns: RegExp;
  hostIf: RegExp;
  chain: RegExp;
  stateDir: RegExp;
} {
  return {
    netns: new RegExp(`^declaw-${tag}-([a-z0-9]{10})$`),
    hostIf: new RegExp(`^${tag}h([a-z0-9]{10})$`),
    chain: new RegExp(`^DECLAW-${tag}-([a-z0-9]{10})-[A-Z]+$`),
    stateDir: new RegExp(`^${tag}-([a-z0-9]{10})$`),
  };
}
