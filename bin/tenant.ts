import { parseArgs } from 'node:util';
import { registerTenant } from '../functions/services/tenant.service.js';

/**
 * Creates a tenant and its API key in the table named by TABLE_NAME (AWS credentials and region
 * from the environment, as the AWS CLI takes them): `npm run tenant -- create --name "Acme"`.
 */
const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { name: { type: 'string' }, currency: { type: 'string' } },
});

if (positionals[0] !== 'create' || !values.name) {
  console.error('usage: npm run tenant -- create --name <name> [--currency EUR]   (needs TABLE_NAME)');
  process.exit(2);
}

const { tenant, apiKey } = await registerTenant({
  name: values.name,
  ...(values.currency ? { defaultCurrency: values.currency } : {}),
});
console.log(JSON.stringify({ tenantId: tenant.id, apiKey }));
