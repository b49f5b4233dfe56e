import { checkCurrency } from './money.js';

export interface Address {
  line1: string;
  line2?: string;
  city: string;
  postalCode?: string;
  region?: string;
  /** ISO 3166-1 alpha-2. */
  country: string;
}

export interface Customer {
  id: string;
  name: string;
  email: string | null;
  currency: string;
  billingAddress: Address | null;
  taxId: string | null;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export interface CustomerFields {
  name: string;
  email?: string | null;
  currency?: string;
  billingAddress?: Address | null;
  taxId?: string | null;
}

export const createCustomer = (input: CustomerFields, id: string, defaultCurrency: string, now: Date): Customer => ({
  id,
  name: input.name,
  email: input.email ?? null,
  currency: checkCurrency(input.currency ?? defaultCurrency),
  billingAddress: input.billingAddress ?? null,
  taxId: input.taxId ?? null,
  createdAt: now.toISOString(),
  updatedAt: now.toISOString(),
  version: 1,
});

/** Applies the given fields; jobs keep the currency they were created with. */
export const updateCustomer = (customer: Customer, patch: Partial<CustomerFields>, now: Date): Customer => ({
  ...customer,
  ...Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined)),
  currency: checkCurrency(patch.currency ?? customer.currency),
  updatedAt: now.toISOString(),
  version: customer.version + 1,
});
