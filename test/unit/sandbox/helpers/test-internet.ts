/**
 * A test "internet": hosts in network namespaces this test creates, each joined to the host by a
 * veth pair, running a tiny TCP/UDP server. Nothing is routed off the machine: the hosts' addresses
 * come from a range the test passes to the sandbox manager as trusted, and everything is removed by
 * destroy() (and by a reconcile of the same label at the next start, after a crash).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runHostTool } from '../../../../src/sandbox/host-exec.js';

const SERVER = fileURLToPath(new URL('./test-host-server.mjs', import.meta.url));
/** The connectivity probe script (python3). */
export const PROBE = fileURLToPath(new URL('./probe.py', import.meta.url));

/** One test host. */
export interface TestHost {
  name: string;
  netns: string;
  v4: string;
  v6: string;
  /** The host-side end of its link (an address of the declaw host). */
  hostSideV4: string;
}

/** What to run on a host. */
export interface TestHostSpec {
  name: string;
  tcp?: number[];
  udp?: number[];
}

/** A running test internet. */
export interface TestInternet {
  hosts: TestHost[];
  /** Give these to the sandbox manager as trusted ranges. */
  trustedRanges: string[];
  host(name: string): TestHost;
  destroy(): Promise<void>;
}

async function removeLabel(label: string): Promise<void> {
  const { stdout } = await runHostTool('ip', ['netns', 'list']);
  for (const ns of stdout.split('\n').map((l) => l.split(' ')[0] ?? '')) {
    if (ns.startsWith(`dti-${label}-`)) {
      await runHostTool('ip', ['netns', 'pids', ns], { allowFailure: true }).then(async (r) => {
        for (const pid of r.stdout.split('\n').filter(Boolean)) {
          try {
            process.kill(Number(pid), 'SIGKILL');
          } catch {
            // gone
          }
        }
      });
      await runHostTool('ip', ['netns', 'delete', ns], { allowFailure: true });
    }
  }
  const links = JSON.parse((await runHostTool('ip', ['-j', 'link', 'show'])).stdout) as Array<{
    ifname: string;
  }>;
  for (const l of links) {
    if (l.ifname.startsWith(`dti${label}`))
      await runHostTool('ip', ['link', 'delete', l.ifname], { allowFailure: true });
  }
}

/**
 * Build the hosts. `label` is 2 lowercase letters/digits unique per test file; `subnet` (1-254) picks
 * 198.19.<subnet>.0/24 and fd65:0:<subnet>::/64 for this file's hosts.
 */
export async function createTestInternet(
  label: string,
  subnet: number,
  specs: readonly TestHostSpec[],
): Promise<TestInternet> {
  await removeLabel(label);
  const hosts: TestHost[] = [];
  const servers: ChildProcess[] = [];
  const destroy = async () => {
    for (const s of servers) s.kill('SIGKILL');
    await removeLabel(label);
  };
  try {
    for (const [i, spec] of specs.entries()) {
      const netns = `dti-${label}-${i}`;
      const hostIf = `dti${label}${i}`;
      const v4 = `198.19.${subnet}.${4 * i + 2}`;
      const hostSideV4 = `198.19.${subnet}.${4 * i + 1}`;
      const v6 = `fd65:0:${subnet}::${(4 * i + 2).toString(16)}`;
      const hostSideV6 = `fd65:0:${subnet}::${(4 * i + 1).toString(16)}`;
      await runHostTool('ip', ['netns', 'add', netns]);
      await runHostTool('ip', [
        'link',
        'add',
        hostIf,
        'type',
        'veth',
        'peer',
        'name',
        'eth0',
        'netns',
        netns,
      ]);
      await runHostTool('ip', ['addr', 'add', `${hostSideV4}/30`, 'dev', hostIf]);
      await runHostTool('ip', ['addr', 'add', `${hostSideV6}/126`, 'dev', hostIf, 'nodad']);
      await runHostTool('ip', ['link', 'set', hostIf, 'up']);
      const inside = [
        `addr add ${v4}/30 dev eth0`,
        `addr add ${v6}/126 dev eth0 nodad`,
        'link set lo up',
        'link set eth0 up',
        `route add default via ${hostSideV4}`,
        `route add default via ${hostSideV6}`,
      ];
      await runHostTool('ip', ['-n', netns, '-batch', '-'], { input: `${inside.join('\n')}\n` });
      // Replies from this host to a sandbox cross the declaw host: forward them, on this link only.
      writeFileSync(`/proc/sys/net/ipv4/conf/${hostIf}/forwarding`, '1');
      try {
        writeFileSync(`/proc/sys/net/ipv6/conf/${hostIf}/force_forwarding`, '1');
      } catch {
        // Kernels before 6.17 have no per-interface IPv6 forwarding; IPv6 tests then see no route.
      }
      const server = spawn(
        'ip',
        [
          'netns',
          'exec',
          netns,
          process.execPath,
          SERVER,
          spec.name,
          (spec.tcp ?? []).join(','),
          (spec.udp ?? []).join(','),
        ],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('exit', (code) => reject(new Error(`test host ${spec.name} exited ${code}`)));
        server.stdout?.once('data', () => resolve());
      });
      hosts.push({ name: spec.name, netns, v4, v6, hostSideV4 });
    }
  } catch (err) {
    await destroy();
    throw err;
  }
  return {
    hosts,
    trustedRanges: [`198.19.${subnet}.0/24`, `fd65:0:${subnet}::/64`],
    host(name) {
      const h = hosts.find((x) => x.name === name);
      if (!h) throw new Error(`no test host ${name}`);
      return h;
    },
    destroy,
  };
}
