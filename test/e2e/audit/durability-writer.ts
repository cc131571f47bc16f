/**
 * Child process of the kill -9 test: writes audit events as fast as it can, in bursts, and after each
 * burst's flush() resolved prints `ack N` (events 0..N-1 are acknowledged). It never stops on its own;
 * the test kills it with SIGKILL at an arbitrary moment.
 * argv: dataDir [table] (DECLAW_AUDIT_URL in the environment selects PostgreSQL).
 */
import { openAuditStore } from '../../../src/audit/open-store.js';

const [dataDir, table] = process.argv.slice(2);
const store = await openAuditStore({ dataDir, ...(table ? { table } : {}), purgeIntervalMs: 0 });
let n = 0;
for (;;) {
  const burst = 1 + (n % 97);
  for (let i = 0; i < burst; i++, n++) {
    store.record({
      type: 'egress_blocked',
      time: new Date().toISOString(),
      sandboxId: `ack-${n}`,
      flowId: String(n),
      host: 'denied.example',
      reason: 'deny_rule',
      detail: 'denied',
      frontDoor: 'transparent',
    });
  }
  await store.flush();
  process.stdout.write(`ack ${n}\n`);
}
