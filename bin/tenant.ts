import { parseArgs } from 'node:util';
import { DomainError } from '../functions/domain/errors.js';
import { registerTenant } from '../functions/services/tenant.service.js';

/**
 * Creates a tenant and its API key in the table named by TABLE_NAME (AWS credentials and region
 * from the environment, as the AWS CLI takes them): `npm run tenant -- create --name "Acme"`.
 */
const USAGE = 'usage: npm run tenant -- create --name <name> [--currency EUR]   (needs TABLE_NAME)';

const refuse = (why?: string): never => {
  if (why) console.error(why);
  console.error(USAGE);
  process.exit(2);
};

const args = (() => {
  try {
    return parseArgs({ allowPositionals: true, options: { name: { type: 'string' }, currency: { type: 'string' } } });
  } catch (error) {
    return refuse((error as Error).message);
  }
})();

const name = args.values.name?.trim();
if (args.positionals[0] !== 'create' || !name) refuse();

try {
  const currency = args.values.currency;
  const { tenant, apiKey } = await registerTenant({ name: name!, ...(currency ? { defaultCurrency: currency } : {}) });
  console.log(JSON.stringify({ tenantId: tenant.id, apiKey }));
} catch (error) {
  if (error instanceof DomainError) refuse(error.message);
  throw error;
}
