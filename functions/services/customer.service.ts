import { clock } from '../adapters/clock.js';
import { expectVersion } from '../domain/errors.js';
import {
  createCustomer as newCustomer,
  updateCustomer as changedCustomer,
  type Customer,
  type CustomerFields,
} from '../domain/customer.js';
import { getCustomer, listCustomers, saveCustomer } from '../store/customer.store.js';
import { getTenant } from '../store/tenant.store.js';
import { newId } from './ids.js';
import { retrying } from './retry.js';

export const createCustomer = async (tenantId: string, input: CustomerFields): Promise<Customer> => {
  const tenant = await getTenant(tenantId);
  const customer = newCustomer(input, newId('cus'), tenant.settings.defaultCurrency, clock.now());
  await saveCustomer(tenantId, customer, null);
  return customer;
};

/** `expectedVersion` (from If-Match): a customer at another version is a 412; a lost race reads again. */
export const updateCustomer = (
  tenantId: string,
  id: string,
  patch: Partial<CustomerFields>,
  expectedVersion?: number,
): Promise<Customer> =>
  retrying(async () => {
    const customer = expectVersion(await getCustomer(tenantId, id), expectedVersion, 'customer');
    const next = changedCustomer(customer, patch, clock.now());
    await saveCustomer(tenantId, next, customer.version);
    return next;
  });

export { getCustomer, listCustomers };
