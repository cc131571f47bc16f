/**
 * The demo's offline "internet": a network namespace joined to the host by a veth pair, holding the
 * fake LLM host (its own process, see fake-llm-host.ts) on port 443 with a certificate from the run's
 * demo CA. The namespace and link are named like a sandbox's under the demo's tag, so the
 * reconciliation that cleans up after a killed run finds them too. Nothing in it can reach anything
 * but the host end of its link, and the proxy reaches it only because the demo lists its one address.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { createInterface } from 'node:readline';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ipaddr from 'ipaddr.js';
import { runHostTool } from '../sandbox/host-exec.js';
import { newSandboxId, sandboxNames, type SandboxNames } from '../sandbox/names.js';
import { deleteNetwork } from '../sandbox/netns.js';
import { SandboxSetupError } from '../errors.js';
import type { DemoServerCredentials } from './demo-pki.js';
import type { UpstreamRequest } from './fake-llm.js';

const READY_TIMEOUT_MS = 15_000;

/** The running world. */
export interface DemoWorld {
  names: SandboxNames;
  /** Address of the fake LLM host (inside the namespace). */
  hostAddress: string;
  /** Every request the fake host received, oldest first. */
  readonly requests: readonly UpstreamRequest[];
  /** Stops the host and removes the namespace and link. Safe to call twice. */
  close(): Promise<void>;
}

/** Host IPv4 networks in use, so the world's /30 can avoid them. */
async function usedNetworks(): Promise<Array<[ipaddr.IPv4, number]>> {
  const { stdout } = await runHostTool('ip', ['-j', '-4', 'addr', 'show']);
  const links = JSON.parse(stdout) as Array<{ addr_info?: Array<{ local: string; prefixlen: number }> }>;
  return links.flatMap((l) =>
    (l.addr_info ?? []).map((a) => [ipaddr.IPv4.parse(a.local), a.prefixlen] as [ipaddr.IPv4, number]),
  );
}

/** The world's /30: the host end of the link and the fake LLM host. */
export interface DemoSubnet {
  gateway: string;
  host: string;
}

/**
 * A free /30 in 10.213.0.0/16 (.1 the host end, .2 the fake LLM host), picked before the world is
 * built so the proxy can be told the one address it may reach.
 *
 * @example
 * const { gateway, host } = await pickDemoSubnet(); // e.g. 10.213.22.253 and 10.213.22.254
 */
export async function pickDemoSubnet(): Promise<DemoSubnet> {
  const used = await usedNetworks();
  for (let attempt = 0; attempt < 64; attempt++) {
    const base = randomInt(0, 16_384) * 4;
    const net = ipaddr.IPv4.parse(`10.213.${base >> 8}.${base & 255}`);
    const clash = used.some(([addr, len]) => net.match(addr, 30) || addr.match(net, Math.min(len, 30)));
    if (!clash) {
      const [a, b, c, d] = net.octets;
      return { gateway: `${a}.${b}.${c}.${(d ?? 0) + 1}`, host: `${a}.${b}.${c}.${(d ?? 0) + 2}` };
    }
  }
  throw new SandboxSetupError(
    'demo world',
    'no free /30 left in 10.213.0.0/16 for the demo host; remove stale interfaces and retry',
  );
}

/** How to start fake-llm-host in a child: compiled JavaScript, or TypeScript through tsx when run from source. */
function hostCommand(): string[] {
  const here = fileURLToPath(import.meta.url);
  const entry = join(dirname(here), here.endsWith('.ts') ? 'fake-llm-host.ts' : 'fake-llm-host.js');
  return here.endsWith('.ts') ? [process.execPath, '--import', 'tsx', entry] : [process.execPath, entry];
}

function waitReady(child: ChildProcess, requests: UpstreamRequest[]): Promise<void> {
  return new Promise((resolve, reject) => {
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-2000);
    });
    const fail = (why: string) => {
      clearTimeout(timer);
      reject(new SandboxSetupError('demo world', `the demo's fake LLM host did not start: ${why}`));
    };
    const timer = setTimeout(
      () => fail(`no answer within ${READY_TIMEOUT_MS} ms ${stderr}`),
      READY_TIMEOUT_MS,
    );
    child.once('exit', (code) => fail(`it exited with ${code}: ${stderr.trim()}`));
    child.once('error', (err) => fail(err.message));
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      let msg: { ready?: number; request?: UpstreamRequest; error?: string };
      try {
        msg = JSON.parse(line) as typeof msg;
      } catch {
        return;
      }
      if (msg.request) requests.push(msg.request);
      else if (msg.error) fail(msg.error);
      else if (msg.ready !== undefined) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolve();
      }
    });
  });
}

/**
 * Builds the world: namespace, link, addresses, and the fake host listening on port 443.
 * On failure everything already made is removed again.
 *
 * @example
 * const subnet = await pickDemoSubnet();
 * const world = await createDemoWorld('d1a2', await pki.issueServer(['api.openai.com']), subnet);
 * // map api.openai.com to world.hostAddress in the proxy's resolver
 * await world.close();
 */
export async function createDemoWorld(
  tag: string,
  credentials: DemoServerCredentials,
  subnet: DemoSubnet,
): Promise<DemoWorld> {
  const names = sandboxNames(tag, newSandboxId());
  const { gateway, host } = subnet;
  const requests: UpstreamRequest[] = [];
  let child: ChildProcess | undefined;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child?.once('exit', () => resolve()));
      child.stdin?.end();
      const killer = setTimeout(() => child?.kill('SIGKILL'), 2000);
      await exited;
      clearTimeout(killer);
    }
    await deleteNetwork(names);
  };
  try {
    await runHostTool('ip', ['-batch', '-'], {
      input: [
        `netns add ${names.netns}`,
        `link add ${names.hostIf} type veth peer name ${names.peerIf} netns ${names.netns}`,
        `addr add ${gateway}/30 dev ${names.hostIf}`,
        `link set ${names.hostIf} up`,
        '',
      ].join('\n'),
    });
    await runHostTool('ip', ['-n', names.netns, '-batch', '-'], {
      input: [
        `link set ${names.peerIf} name eth0`,
        `addr add ${host}/30 dev eth0`,
        'link set lo up',
        'link set eth0 up',
        '',
      ].join('\n'),
    });
    const [node, ...args] = hostCommand();
    child = spawn('ip', ['netns', 'exec', names.netns, node as string, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      cwd: join(dirname(fileURLToPath(import.meta.url)), '..', '..'),
    });
    const ready = waitReady(child, requests);
    child.stdin?.write(`${JSON.stringify({ host, port: 443, ...credentials })}\n`);
    await ready;
  } catch (err) {
    await close();
    throw err;
  }
  return { names, hostAddress: host, requests, close };
}
