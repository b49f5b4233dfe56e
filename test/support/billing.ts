import { expect } from 'vitest';
import { newTenant, type ApiClient } from './api.js';

export interface Charge {
  description: string;
  quantity: string;
  unitPrice: string;
  taxRate?: string;
  group?: string;
}

/** A tenant with one customer and one fixed-price job carrying the given charges. */
export const jobWithCharges = async (charges: Charge[], jobFields: object = {}, api?: ApiClient) => {
  const client = api ?? (await newTenant('Billing', 'EUR'));
  const customer = (await client.request('POST', '/v1/customers', { name: 'Client', email: 'client@example.test' })).body;
  const created = (await client.request('POST', '/v1/jobs', { customerId: customer.id, name: 'Job', billingType: 'fixed_price', ...jobFields })).body;
  for (const charge of charges) await client.request('POST', `/v1/jobs/${created.id}/charges`, charge);
  const job = (await client.request('GET', `/v1/jobs/${created.id}`)).body;
  return { api: client, customer, job };
};

/** Drafts an invoice and asserts it was created. */
export const draft = async (api: ApiClient, jobId: string, body: object) => {
  const response = await api.request('POST', `/v1/jobs/${jobId}/invoices`, body);
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body;
};

/** Issues a draft and asserts it was issued. */
export const issue = async (api: ApiClient, invoiceId: string) => {
  const response = await api.request('POST', `/v1/invoices/${invoiceId}/issue`);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body;
};

export const daysAgo = (days: number): string => new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);
