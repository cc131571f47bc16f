// Writes schema/policy.schema.json from the zod schema. A test fails when the committed file is stale.
import { writeFileSync, mkdirSync } from 'node:fs';
import { policyJsonSchema } from '../src/policy/json-schema.js';

mkdirSync('schema', { recursive: true });
writeFileSync('schema/policy.schema.json', `${JSON.stringify(policyJsonSchema(), null, 2)}\n`);
process.stdout.write('wrote schema/policy.schema.json\n');
