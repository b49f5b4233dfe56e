import { checkCurrency } from './money.js';

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
  const defaultCurrency = checkCurrency(input.defaultCurrency ?? DEFAULT_CURRENCY, 'defaultCurrency');
  return { id, name: input.name, defaultCurrency, createdAt: now.toISOString(), version: 1 };
};
