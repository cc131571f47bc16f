/**
 * A `declaw serve` daemon for one e2e test file, in-process on loopback port 0, with its own tag,
 * address pool, uids and state root, an API key of its own, and a DNS map instead of the host's
 * resolvers. @declaw/sdk is pointed at it through DECLAW_DOMAIN / DECLAW_API_KEY, as a user would.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiKeys } from '../../../src/server/api-keys.js';
import { Daemon, type DaemonOptions } from '../../../src/server/daemon.js';
import { mapDnsUpstream } from '../../../src/sandbox/dns/dns-upstream.js';

/** `subnet` (1-250) must be unique per test file. */
export async function startTestDaemon(
  tag: string,
  subnet: number,
  o: Partial<DaemonOptions> & { dnsMap?: Record<string, string> } = {},
): Promise<{ daemon: Daemon; key: string }> {
  const key = `test-key-${tag}-${process.pid}`;
  const { dnsMap, ...rest } = o;
  const daemon = await Daemon.start({
    listen: { host: '127.0.0.1', port: 0 },
    dataDir: mkdtempSync(join(tmpdir(), `declaw-srv-${tag}-`)),
    keys: ApiKeys.of([key]),
    tag,
    stateRoot: mkdtempSync(join(tmpdir(), `declaw-${tag}-`)),
    ipv4Pool: `10.215.${subnet}.0/24`,
    ipv6Pool: null,
    uidBase: 1_300_000_000 + subnet * 1000,
    dnsUpstream: mapDnsUpstream(dnsMap ?? {}),
    warmPoolSize: 0,
    hostAddresses: [],
    ...rest,
  });
  process.env.DECLAW_DOMAIN = daemon.url.replace(/^http:\/\//, '');
  process.env.DECLAW_API_KEY = key;
  return { daemon, key };
}
