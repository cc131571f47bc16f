// A test "internet" host, run inside a network namespace a test created: answers TCP with one line
// naming itself and the port, and echoes UDP datagrams back with the same prefix. Plain JavaScript
// so it starts without a loader.
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';

const [name, tcpPorts = '', udpPorts = ''] = process.argv.slice(2);
let pending = 0;
const ready = () => {
  if (--pending === 0) process.stdout.write('ready\n');
};
for (const port of tcpPorts.split(',').filter(Boolean).map(Number)) {
  pending++;
  createServer((s) => {
    s.on('error', () => {});
    s.end(`hello from ${name} tcp ${port} to ${s.remoteAddress}\n`);
  }).listen({ port, host: '::', ipv6Only: false }, ready);
}
for (const port of udpPorts.split(',').filter(Boolean).map(Number)) {
  pending++;
  const sock = createSocket({ type: 'udp6', ipv6Only: false });
  sock.on('message', (msg, from) => sock.send(`${name} udp ${port}: ${msg}`, from.port, from.address));
  sock.bind(port, '::', ready);
}
if (pending === 0) process.stdout.write('ready\n');
