/**
 * The network half of a sandbox: a named network namespace joined to the host by a veth pair. The
 * sandbox end is `eth0` inside the namespace with a default route to the host end; nothing is
 * forwarded until the firewall is installed and {@link enableForwarding} is called.
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { runHostTool } from './host-exec.js';
import type { SandboxAddresses } from './address-pool.js';
import type { SandboxNames } from './names.js';

/** Path of a named namespace, for nsenter. */
export function netnsPath(names: SandboxNames): string {
  return `/run/netns/${names.netns}`;
}

/**
 * Create the namespace, the veth pair and the addresses and routes on both ends, in two `ip -batch`
 * runs (one per side) to keep creation fast. On failure whatever was made is removed again.
 *
 * @example await createNetwork(sandboxNames('dc', id), pool.allocate());
 */
export async function createNetwork(names: SandboxNames, addr: SandboxAddresses): Promise<void> {
  const host = [
    `netns add ${names.netns}`,
    `link add ${names.hostIf} type veth peer name ${names.peerIf} netns ${names.netns}`,
    `addr add ${addr.gatewayV4}/${addr.prefixV4} dev ${names.hostIf}`,
  ];
  if (addr.gatewayV6) host.push(`addr add ${addr.gatewayV6}/${addr.prefixV6} dev ${names.hostIf} nodad`);
  host.push(`link set ${names.hostIf} up`);
  const inside = [
    `link set ${names.peerIf} name eth0`,
    `addr add ${addr.sandboxV4}/${addr.prefixV4} dev eth0`,
  ];
  if (addr.sandboxV6) inside.push(`addr add ${addr.sandboxV6}/${addr.prefixV6} dev eth0 nodad`);
  inside.push('link set lo up', 'link set eth0 up', `route add default via ${addr.gatewayV4} dev eth0`);
  if (addr.gatewayV6) inside.push(`route add default via ${addr.gatewayV6} dev eth0`);
  try {
    await runHostTool('ip', ['-batch', '-'], { input: `${host.join('\n')}\n` });
    await runHostTool('ip', ['-n', names.netns, '-batch', '-'], { input: `${inside.join('\n')}\n` });
  } catch (err) {
    await deleteNetwork(names);
    throw err;
  }
}

/**
 * Let the host forward what arrives on the sandbox's interface (per interface, so the host's own
 * forwarding settings are untouched), and accept redirected packets to a loopback service
 * (route_localnet) when the proxy or DNS responder listens on 127.0.0.1. Call after the firewall.
 */
export async function enableForwarding(
  names: SandboxNames,
  options: { loopbackServices: boolean; ipv6: boolean },
): Promise<void> {
  const base = `/proc/sys/net/ipv4/conf/${names.hostIf}`;
  await writeFile(`${base}/forwarding`, '1');
  if (options.loopbackServices) await writeFile(`${base}/route_localnet`, '1');
  const v6 = `/proc/sys/net/ipv6/conf/${names.hostIf}/force_forwarding`;
  if (options.ipv6 && existsSync(v6)) await writeFile(v6, '1');
}

/**
 * Remove the veth pair and the namespace. Safe to call on a half-built or already removed sandbox.
 * Processes still inside the namespace must be killed first (the cgroup does that), or the
 * namespace lives on until they exit.
 */
export async function deleteNetwork(names: SandboxNames): Promise<void> {
  // Deleting the host end takes the peer with it; the namespace goes at the same time.
  await Promise.all([
    runHostTool('ip', ['link', 'delete', names.hostIf], { allowFailure: true }),
    runHostTool('ip', ['netns', 'delete', names.netns], { allowFailure: true }),
  ]);
}

/** Names of the network namespaces on this host (`ip netns list`). */
export async function listNetns(): Promise<string[]> {
  const { stdout } = await runHostTool('ip', ['netns', 'list']);
  return stdout
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter(Boolean);
}

/** Names of the network interfaces in the host namespace. */
export async function listLinks(): Promise<string[]> {
  const { stdout } = await runHostTool('ip', ['-j', 'link', 'show']);
  return (JSON.parse(stdout) as Array<{ ifname: string }>).map((l) => l.ifname);
}
