import { invalidField } from './errors.js';
import { isCurrency } from './money.js';

export interface Tenant {
  id: string;
  name: string;
  defaultCurrency: string;
  createdAt: string;
  version: number;
}

export interface NewTenant {
  name: string;
  defaultCurrency?: string;
}

export const DEFAULT_CURRENCY = 'EUR';

export const createTenant = (input: NewTenant, id: string, now: Date): Tenant => {
  const defaultCurrency = input.defaultCurrency ?? DEFAULT_CURRENCY;
  if (!isCurrency(defaultCurrency)) throw invalidField('defaultCurrency', 'invalid_currency', 'must be an ISO 4217 code');
  return { id, name: input.name, defaultCurrency, createdAt: now.toISOString(), version: 1 };
};
