import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BlockList } from 'node:net';
import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { specialRange } from '../../../src/proxy/egress/special-ranges.js';
import {
  firewallScript,
  removalScript,
  SPECIAL_V4,
  SPECIAL_V6,
  type FirewallPlan,
} from '../../../src/sandbox/firewall-rules.js';
import { sandboxNames } from '../../../src/sandbox/names.js';
import { parseNetworkEntry } from '../../../src/policy/network-entry.js';
import { AddressPool } from '../../../src/sandbox/address-pool.js';

const names = sandboxNames('dc', 'abcdefghij');

function plan(allow: string[], deny: string[], extra: Partial<FirewallPlan> = {}): FirewallPlan {
  return {
    names,
    sandboxV4: '10.213.0.2',
    gatewayV4: '10.213.0.1',
    sandboxV6: 'fd64:dec1:a000::2',
    allow: allow.map((e) => parseNetworkEntry(e)),
    deny: deny.map((e) => parseNetworkEntry(e)),
    dns: { host: '127.0.0.1', port: 5300 },
    ...extra,
  };
}

function chain(script: string, suffix: string): string[] {
  return script
    .split('\n')
    .filter((l) => l.startsWith(`-A DECLAW-dc-abcdefghij-${suffix} `))
    .map((l) => l.replace(`-A DECLAW-dc-abcdefghij-${suffix} `, ''));
}

test('allow_out IPs are accepted before any deny_out rule is looked at', () => {
  const s = firewallScript(plan(['203.0.113.7', '8.8.8.0/24'], ['8.8.8.8', '0.0.0.0/0']), 4);
  const out = chain(s, 'OUT');
  const accept = out.indexOf('-d 8.8.8.0/24 -j ACCEPT');
  assert.ok(accept > 0);
  assert.ok(out.indexOf('-d 203.0.113.7 -j ACCEPT') > 0);
  assert.ok(out.indexOf('-d 203.0.113.0/24 -j DROP') > accept, 'special ranges only after allows');
  assert.deepEqual(chain(s, 'POL'), ['-d 8.8.8.8 -j DROP', '-j DROP']);
});

test('restricted egress drops UDP and DNS/DoT to anything but the responder; open egress does not', () => {
  const restricted = chain(firewallScript(plan([], ['0.0.0.0/0']), 4), 'OUT');
  assert.ok(restricted.includes('-p udp -j DROP'));
  assert.ok(restricted.includes('-p tcp -m multiport --dports 53,853 -j DROP'));
  const open = firewallScript(plan([], []), 4);
  assert.ok(!chain(open, 'OUT').includes('-p udp -j DROP'));
  assert.deepEqual(chain(open, 'POL'), ['-j ACCEPT']);
});

test('IPv6 has no egress unless a rule allows it, and ALL_TRAFFIC in allow_out opens both families', () => {
  assert.deepEqual(chain(firewallScript(plan([], []), 6), 'POL'), ['-j DROP']);
  assert.deepEqual(chain(firewallScript(plan(['0.0.0.0/0'], []), 6), 'POL'), ['-j ACCEPT', '-j DROP']);
  const v6 = chain(firewallScript(plan(['2001:db8::/32'], []), 6), 'OUT');
  assert.ok(v6.includes('-d 2001:db8::/32 -j ACCEPT'));
});

test('the proxy redirect exists only when the plan has a proxy, and IPv6 web traffic cannot bypass it', () => {
  const without = firewallScript(plan(['1.1.1.1'], ['0.0.0.0/0']), 4);
  assert.doesNotMatch(without, /--dports 80,443 -j DNAT/);
  const withProxy = firewallScript(plan([], [], { proxy: { host: '127.0.0.1', port: 8443 } }), 4);
  assert.match(withProxy, /-p tcp -m multiport --dports 80,443 -j DNAT --to-destination 127.0.0.1:8443/);
  assert.match(withProxy, /--ctstate DNAT --ctorigdstport 443 -j ACCEPT/);
  const v6 = chain(firewallScript(plan([], [], { proxy: { host: '127.0.0.1', port: 8443 } }), 6), 'OUT');
  assert.ok(v6.includes('-p tcp -m multiport --dports 80,443 -j DROP'));
});

test('the host is reachable only on DNS and the proxy: its chain ends in DROP', () => {
  const host = chain(firewallScript(plan([], [], { proxy: { host: '127.0.0.1', port: 8443 } }), 4), 'HOST');
  assert.equal(host.at(-1), '-j DROP');
  assert.equal(host.filter((r) => r.endsWith('-j ACCEPT')).length, 5);
  assert.equal(chain(firewallScript(plan([], []), 6), 'HOST').at(-1), '-j DROP');
});

test('trusted ranges skip the special-range drops but still obey the policy', () => {
  const s = firewallScript(plan([], ['0.0.0.0/0'], { trustedRanges: ['198.19.0.0/16'] }), 4);
  assert.ok(chain(s, 'OUT').includes('-d 198.19.0.0/16 -g DECLAW-dc-abcdefghij-POL'));
  assert.deepEqual(chain(s, 'POL'), ['-j DROP']);
});

test('removal deletes exactly the jumps and chains of one sandbox, whatever rules it had', () => {
  const other = sandboxNames('dc', 'zzzzzzzzzz');
  const entry = fc.constantFrom('1.2.3.4', '10.0.0.0/8', '2001:db8::/32', '0.0.0.0/0', 'example.com');
  fc.assert(
    fc.property(
      fc.array(entry, { maxLength: 4 }),
      fc.array(entry, { maxLength: 4 }),
      fc.boolean(),
      (a, d, masq) => {
        const mine = firewallScript(plan(a, d, { masquerade: masq }), 4);
        const theirs = firewallScript({ ...plan(d, a), names: other }, 4);
        // Simulate iptables-save of both sandboxes installed: -I lines become -A lines in built-in chains.
        const saved = (mine + theirs).replace(/-I (\w+) 1 /g, '-A $1 ');
        const removal = removalScript(saved, /^DECLAW-dc-abcdefghij-[A-Z]+$/);
        assert.doesNotMatch(removal, /zzzzzzzzzz/);
        const jumps = (mine.match(/^-I /gm) ?? []).length;
        assert.equal((removal.match(/^-D /gm) ?? []).length, jumps);
        assert.equal((removal.match(/^-X /gm) ?? []).length, (mine.match(/^:/gm) ?? []).length);
      },
    ),
  );
});

test('the address pool refuses ranges the host uses and hands out distinct /30 blocks', async () => {
  await assert.rejects(
    AddressPool.create({ ipv4: '10.0.0.0/16', ipv6: null, hostNetworks: ['10.0.5.0/24'] }),
    /overlaps 10.0.5.0\/24, a network this host already uses/,
  );
  await assert.rejects(
    AddressPool.create({ ipv4: '10.9.0.0/24', ipv6: 'fd00::/64', hostNetworks: ['fd00::2/64'] }),
    /overlaps fd00::2\/64/,
  );
  const pool = await AddressPool.create({
    ipv4: '10.9.0.0/29',
    ipv6: 'fd64::/120',
    hostNetworks: ['10.8.0.0/16'],
  });
  assert.equal(pool.capacity, 2);
  const a = pool.allocate();
  const b = pool.allocate();
  assert.deepEqual(
    [a.gatewayV4, a.sandboxV4, b.gatewayV4, b.sandboxV4],
    ['10.9.0.1', '10.9.0.2', '10.9.0.5', '10.9.0.6'],
  );
  assert.deepEqual([a.sandboxV6, b.sandboxV6], ['fd64::2', 'fd64::6']);
  assert.throws(() => pool.allocate(), /all 2 sandbox address blocks are in use/);
  pool.release(a.slot);
  assert.equal(pool.allocate().sandboxV4, '10.9.0.2');
});

test('the kernel special ranges agree with the proxy: an address is dropped exactly when the proxy refuses it', () => {
  const lists = { 4: new BlockList(), 6: new BlockList() };
  for (const c of SPECIAL_V4) lists[4].addSubnet(c.split('/')[0] as string, Number(c.split('/')[1]), 'ipv4');
  for (const c of SPECIAL_V6) lists[6].addSubnet(c.split('/')[0] as string, Number(c.split('/')[1]), 'ipv6');
  const v4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((b) => b.join('.'));
  const near = fc.constantFrom(
    ...SPECIAL_V6.map((c) => c.split('/')[0] as string),
    '2001:4860::',
    '2606:4700::',
  );
  const v6 = fc
    .tuple(near, fc.array(fc.nat(0xffff), { minLength: 8, maxLength: 8 }), fc.nat(7))
    .map(([base, words, keep]) => {
      const baseWords = ipaddr.IPv6.parse(base).parts;
      return new ipaddr.IPv6(baseWords.map((w, i) => (i <= keep ? w : (words[i] as number)))).toString();
    });
  fc.assert(
    fc.property(v4, (a) => assert.equal(lists[4].check(a, 'ipv4'), specialRange(a) !== undefined, a)),
    { numRuns: 5000 },
  );
  fc.assert(
    fc.property(v6, (a) => assert.equal(lists[6].check(a, 'ipv6'), specialRange(a) !== undefined, a)),
    { numRuns: 5000 },
  );
});
