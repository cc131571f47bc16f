/**
 * A sandbox manager for one test file: its own tag, address pools, uids and state root, so test
 * files running in parallel never touch each other's sandboxes, and a DNS map instead of the host's
 * resolvers so nothing is ever looked up outside the machine.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mapDnsUpstream } from '../../../../src/sandbox/dns/dns-upstream.js';
import type { SandboxEvent } from '../../../../src/sandbox/events.js';
import { SandboxManager, type SandboxManagerOptions } from '../../../../src/sandbox/sandbox-manager.js';

/** `subnet` (1-250) must be unique per test file. */
export async function testManager(
  tag: string,
  subnet: number,
  options: Partial<SandboxManagerOptions> & { dnsMap?: Record<string, string | string[]> } = {},
): Promise<{ manager: SandboxManager; events: SandboxEvent[] }> {
  const events: SandboxEvent[] = [];
  const { dnsMap, ...rest } = options;
  const manager = await SandboxManager.start({
    tag,
    stateRoot: mkdtempSync(join(tmpdir(), `declaw-${tag}-`)),
    ipv4Pool: `10.215.${subnet}.0/24`,
    ipv6Pool: `fd64:dec1:b0:${subnet.toString(16)}::/64`,
    uidBase: 1_300_000_000 + subnet * 1000,
    dnsUpstream: mapDnsUpstream(dnsMap ?? {}),
    onEvent: (e) => events.push(e),
    ...rest,
  });
  return { manager, events };
}
