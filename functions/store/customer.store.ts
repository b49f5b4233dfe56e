import type { Customer } from '../domain/customer.js';
import { getItem, putVersioned, queryPage, type Page } from './aggregate.js';
import { keys } from './keys.js';
import { write } from './write.js';

const customerItem = (tenantId: string, customer: Customer) => ({
  ...keys.customer(tenantId, customer.id),
  GSI2PK: keys.customers(tenantId),
  GSI2SK: customer.id,
  ...customer,
});

export const getCustomer = (tenantId: string, id: string): Promise<Customer> =>
  getItem<Customer>(keys.customer(tenantId, id), 'customer');

/** Writes the customer's next version; `previousVersion` is null for a new one. */
export const saveCustomer = async (tenantId: string, customer: Customer, previousVersion: number | null): Promise<void> =>
  write(putVersioned('customer', customerItem(tenantId, customer), previousVersion));

export const listCustomers = (tenantId: string, limit: number, cursor?: string): Promise<Page<Customer>> =>
  queryPage<Customer>({ tenantId, index: 'byTenant', partition: keys.customers(tenantId), limit, cursor });
