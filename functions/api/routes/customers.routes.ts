import * as z from '../../shared/zod.js';
import type { Customer } from '../../domain/customer.js';
import { createCustomer, getCustomer, listCustomers, updateCustomer } from '../../services/customer.service.js';
import { created, route } from '../route.js';
import { atLeastOneField, currencyCode, etag, idParams, pageOf, pageQuery } from '../schemas.js';

const address = z.strictObject({
  line1: z.string().check(z.trim(), z.minLength(1), z.maxLength(200)),
  line2: z.optional(z.string().check(z.trim(), z.maxLength(200))),
  city: z.string().check(z.trim(), z.minLength(1), z.maxLength(100)),
  postalCode: z.optional(z.string().check(z.trim(), z.maxLength(20))),
  region: z.optional(z.string().check(z.trim(), z.maxLength(100))),
  country: z.string().check(z.regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as "DE"')),
});

const customerFields = {
  name: z.string().check(z.trim(), z.minLength(1), z.maxLength(200)),
  email: z.nullish(z.email().check(z.maxLength(254))),
  currency: z.optional(currencyCode),
  billingAddress: z.nullish(address),
  taxId: z.nullish(z.string().check(z.trim(), z.minLength(1), z.maxLength(50))),
};

const newCustomer = z.withMeta(z.strictObject(customerFields), {
  examples: [
    {
      name: 'Acme Ltd',
      email: 'billing@acme.example',
      currency: 'EUR',
      billingAddress: { line1: 'Hauptstrasse 1', city: 'Berlin', postalCode: '10115', country: 'DE' },
      taxId: 'DE123456789',
    },
  ],
});
const customerPatch = z.partial(z.strictObject(customerFields)).check(z.refine(atLeastOneField, 'give at least one field'));

export const customerSchema = z.withMeta(
  z.object({
    id: z.string(),
    name: z.string(),
    email: z.nullable(z.string()),
    currency: currencyCode,
    billingAddress: z.nullable(address),
    taxId: z.nullable(z.string()),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    version: z.number().check(z.int()),
  }),
  { id: 'Customer' },
);

const customer = (status: number, c: Customer) => ({ status, body: c, headers: etag(c) });
const customerResponse = { description: 'The customer', schema: customerSchema, headers: ['ETag'] } as const;

export const customerRoutes = [
  route<object, object, z.infer<typeof newCustomer>>({
    method: 'POST',
    path: '/v1/customers',
    operationId: 'createCustomer',
    summary: 'Creates a customer',
    description:
      "Its `currency` (by default the tenant's `defaultCurrency`) is the one its jobs bill in unless a job names another.",
    body: newCustomer,
    responses: { 201: customerResponse },
    handle: async ({ tenantId, body }) => {
      const made = await createCustomer(tenantId, body);
      return created(`/v1/customers/${made.id}`, made, etag(made));
    },
  }),
  route<object, z.infer<typeof pageQuery>>({
    method: 'GET',
    path: '/v1/customers',
    operationId: 'listCustomers',
    summary: 'Lists customers, newest first',
    query: pageQuery,
    responses: { 200: { description: 'A page of customers', schema: pageOf(customerSchema) } },
    handle: async ({ tenantId, query }) => ({ status: 200, body: await listCustomers(tenantId, query.limit, query.cursor) }),
  }),
  route<z.infer<typeof idParams>>({
    method: 'GET',
    path: '/v1/customers/{id}',
    operationId: 'getCustomer',
    summary: 'Gets a customer',
    description: 'With its `ETag`, to send back as `If-Match` when changing it.',
    params: idParams,
    errors: { 404: ['CUSTOMER_NOT_FOUND'] },
    responses: { 200: customerResponse },
    handle: async ({ tenantId, params }) => customer(200, await getCustomer(tenantId, params.id)),
  }),
  route<z.infer<typeof idParams>, object, z.infer<typeof customerPatch>>({
    method: 'PATCH',
    path: '/v1/customers/{id}',
    operationId: 'updateCustomer',
    summary: 'Changes a customer (If-Match: its ETag, to refuse a concurrent change)',
    description: 'Changes the fields given; `null` clears an optional one.',
    ifMatch: true,
    params: idParams,
    body: customerPatch,
    errors: { 404: ['CUSTOMER_NOT_FOUND'] },
    responses: { 200: customerResponse },
    handle: async ({ tenantId, params, body, expectedVersion }) =>
      customer(200, await updateCustomer(tenantId, params.id, body, expectedVersion)),
  }),
];
