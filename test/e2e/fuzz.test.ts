import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { keys } from '../../functions/store/keys.js';
import { TABLE_NAME } from '../../local/stack.js';
import { apiUrl, newTenant, send } from '../support/api.js';
import {
  describeRequest,
  invalidRequests,
  unknownFieldRequests,
  type FuzzContext,
  type FuzzRequest,
  type Seeded,
} from '../support/fuzz-requests.js';
import { schemasOf, type OpenApiDocument, type Operation } from '../support/openapi-schemas.js';
import { sendRaw, type RawResponse } from '../support/raw-http.js';
import { changesBetween, tenantItemReader, type TenantItems } from '../support/tenant-items.js';

// Every route of the served document is fuzzed: a new route needs no change here.
const document = (await send<OpenApiDocument>('GET', '/v1/openapi.json')).body;
const schemas = schemasOf(document);
const operations = schemas.operations();

// Runs per operation, for the whole file to stay within a minute on two cores; a failure's shrinking
// stops after SHRINK_MS with the smallest counterexample found by then.
const INVALID_RUNS = 40;
const UNKNOWN_FIELD_RUNS = 10;
const SHRINK_MS = 10_000;
// A new seed on every run, as fast-check would pick; chosen here so that the write check can print it too.
// FUZZ_SEED replays a failed run.
const seed = Number(process.env.FUZZ_SEED ?? Date.now() ^ (Math.random() * 0x100000000));

interface Exchange {
  request: FuzzRequest;
  response: RawResponse;
}

const CHARGES = [
  { description: 'Cabinets', quantity: '1', unitPrice: '1000.00', taxRate: '20', group: 'Fit-out' },
  { description: 'Worktop', quantity: '2', unitPrice: '250.00', taxRate: '10' },
];

const MILESTONES = [
  { name: 'Framing', amount: '500.00', taxRate: '20', requiresClientApproval: true },
  { name: 'Finishing', amount: '250.00', requiresClientApproval: false },
];

/** A fresh tenant with one of everything a path can name: a customer, a job with charges, milestones, expenditures and a change order, an issued invoice with a payment, a draft, a partial invoice draft. */
const seedTenant = async (): Promise<Seeded> => {
  const api = await newTenant('Fuzz', 'EUR');
  const ok = async (method: string, path: string, body?: unknown) => {
    const response = await api.request(method, path, body);
    if (response.status >= 300)
      throw new Error(`seeding: ${method} ${path} answered ${response.status} ${JSON.stringify(response.body)}`);
    return response.body;
  };
  const customer = await ok('POST', '/v1/customers', { name: 'Fuzz client', email: 'client@example.test' });
  const job = await ok('POST', '/v1/jobs', { customerId: customer.id, name: 'Fuzz job', billingType: 'fixed_price' });
  for (const charge of CHARGES) await ok('POST', `/v1/jobs/${job.id}/charges`, charge);
  const milestones = [];
  for (const milestone of MILESTONES) milestones.push(await ok('POST', `/v1/jobs/${job.id}/milestones`, milestone));
  const expenditures = [];
  for (const booked of [true, false]) {
    const expenditure = {
      kind: 'hours',
      date: '2026-03-02',
      description: 'Fuzz work',
      quantity: '2',
      unitCost: '40',
      unitPrice: '65',
    };
    expenditures.push(await ok('POST', `/v1/jobs/${job.id}/expenditures`, { ...expenditure, booked }));
  }
  const changeOrder = await ok('POST', `/v1/jobs/${job.id}/change-orders`, {
    description: 'Fuzz scope change',
    changes: [{ op: 'modify', milestoneId: milestones[0].id, fields: { amount: '600.00' } }],
  });
  const issued = await ok('POST', `/v1/jobs/${job.id}/invoices`, { policy: 'deposit', amount: '100.00' });
  await ok('POST', `/v1/invoices/${issued.id}/issue`);
  await ok('POST', `/v1/invoices/${issued.id}/payments`, {
    amount: '10.00',
    date: new Date().toISOString().slice(0, 10),
    method: 'card',
  });
  const draft = await ok('POST', `/v1/jobs/${job.id}/invoices`, { policy: 'progress_summary', percent: '10' });
  // A phase of the fixed price: its charges are taxed at several rates, so it says its own.
  const partial = await ok('POST', `/v1/jobs/${job.id}/partial-invoices`, {
    expenditureIds: [expenditures[0].id],
    taxRate: '20',
  });
  const estimate = await ok('POST', '/v1/estimates', { customerId: customer.id, name: 'Fuzz estimate', billingType: 'fixed_price' });
  await ok('POST', `/v1/estimates/${estimate.id}/charges`, CHARGES[0]);
  const { charges } = await ok('GET', `/v1/jobs/${job.id}`);
  const { payments } = await ok('GET', `/v1/invoices/${issued.id}`);
  return {
    tenantId: api.tenantId,
    apiKey: api.apiKey,
    ids: {
      customers: [customer.id],
      jobs: [job.id],
      charges: charges.map((charge: { id: string }) => charge.id),
      milestones: milestones.map((milestone: { id: string }) => milestone.id),
      expenditures: expenditures.map((expenditure: { id: string }) => expenditure.id),
      'change-orders': [changeOrder.id],
      estimates: [estimate.id],
      invoices: [draft.id, issued.id],
      'partial-invoices': [partial.id],
      payments: payments.map((payment: { id: string }) => payment.id),
    },
  };
};

const listings = operations.filter(
  (o) => o.method === 'GET' && o.parameters.some((p) => p.in === 'query' && p.name === 'cursor'),
);

/** The cursors a tenant's listings give for their second page, by listing path. */
const cursorsOf = async ({ apiKey }: Seeded): Promise<Map<string, string>> => {
  const found = await Promise.all(
    listings
      .filter((listing) => !listing.path.includes('{'))
      .map(async (listing) => {
        const page = await send('GET', `${listing.path}?limit=1`, { headers: { authorization: `Bearer ${apiKey}` } });
        return [listing.path, page.body?.nextCursor] as const;
      }),
  );
  return new Map(found.filter((entry): entry is readonly [string, string] => typeof entry[1] === 'string'));
};

const describeExchange = ({ request, response }: Exchange): string =>
  `${describeRequest(request)}\n-> ${response.status} ${response.headers['content-type'] ?? ''} ${response.text.slice(0, 600)}`;

/** One line per exchange, for the list of all that a tenant saw. */
const summaryOf = ({ request, response }: Exchange): string =>
  `${request.method} ${request.target.slice(0, 160)} (${request.defect}) -> ${response.status} ${/"code":"(\w+)"/.exec(response.text)?.[1] ?? ''}`;

const fail = (exchange: Exchange, why: string): never => {
  throw new Error(`${why}\n${describeExchange(exchange)}`);
};

const problemOf = (exchange: Exchange): { code?: unknown; status?: unknown; errors?: { field: string }[] } => {
  const { response } = exchange;
  if (!/^application\/problem\+json/.test(response.headers['content-type'] ?? ''))
    fail(exchange, 'a refusal is not application/problem+json');
  try {
    return JSON.parse(response.text);
  } catch {
    return fail(exchange, 'a refusal is not JSON');
  }
};

/** Every request here has a defect: it must be refused, as an RFC 9457 problem with a code, and never with a 5xx. */
const assertRefused = (exchange: Exchange): void => {
  const { status } = exchange.response;
  if (status >= 500) fail(exchange, `a ${status}`);
  if (status < 400) fail(exchange, `a ${status} for a request with a defect`);
  const problem = problemOf(exchange);
  if (typeof problem.code !== 'string' || problem.code === '') fail(exchange, 'a problem without a code');
  if (problem.status !== status) fail(exchange, 'a problem whose status is not the response status');
};

/** An unknown field is 400 on every route (docs/api.md "Requests"), named by its path where the route documents a body. */
const assertUnknownFieldRefused = (operation: Operation) => (exchange: Exchange) => {
  assertRefused(exchange);
  if (exchange.response.status !== 400) fail(exchange, 'an unknown field is not a 400');
  const fields = (problemOf(exchange).errors ?? []).map((error) => error.field);
  if (operation.body && !fields.includes(exchange.request.unknownField!))
    fail(exchange, `the problem does not name ${exchange.request.unknownField}`);
};

describe.concurrent('every operation of the OpenAPI document, fuzzed with invalid requests', () => {
  const items = tenantItemReader(inject('dynamoEndpoint'), TABLE_NAME);
  let other: Seeded;
  let otherCursors: Map<string, string>;
  let otherItems: TenantItems;

  beforeAll(async () => {
    other = await seedTenant();
    otherCursors = await cursorsOf(other);
    otherItems = await items.read(other.tenantId);
  });
  // Every operation sent the other tenant's ids and cursors; none of its items may have changed.
  afterAll(async () => {
    const changes = changesBetween(otherItems, await items.read(other.tenantId));
    items.close();
    expect(changes, `requests naming another tenant's ids changed its items (seed ${seed})`).toEqual([]);
  });

  it.for(operations)(
    '$method $path refuses them with a problem, never a 5xx, and writes nothing',
    { timeout: 60_000 },
    async (operation, { expect }) => {
      // Prepare
      const mine = await seedTenant();
      const myCursors = await cursorsOf(mine);
      const ctx: FuzzContext = {
        schemas,
        operation,
        mine,
        other,
        foreignCursors: [
          ...otherCursors.values(),
          ...[...myCursors].filter(([path]) => path !== operation.path).map(([, cursor]) => cursor),
        ],
      };
      const methods = operations.filter((o) => o.path === operation.path).map((o) => o.method);
      const before = await items.read(mine.tenantId);
      const exchanges: Exchange[] = [];
      const property = (requests: fc.Arbitrary<FuzzRequest>, assess: (exchange: Exchange) => void) =>
        fc.asyncProperty(requests, async (request) => {
          const exchange = { request, response: await sendRaw(apiUrl(), request) };
          exchanges.push(exchange);
          assess(exchange);
        });

      // Act
      const invalid = await fc.check(property(invalidRequests(ctx, methods), assertRefused), {
        numRuns: INVALID_RUNS,
        seed,
        includeErrorInReport: true,
        interruptAfterTimeLimit: SHRINK_MS,
      });
      const unknown = await fc.check(property(unknownFieldRequests(ctx), assertUnknownFieldRefused(operation)), {
        numRuns: UNKNOWN_FIELD_RUNS,
        seed,
        includeErrorInReport: true,
        interruptAfterTimeLimit: SHRINK_MS,
      });
      const after = await items.read(mine.tenantId);

      // Assess
      expect.soft(invalid.failed, fc.defaultReportMessage(invalid)).toBe(false);
      expect.soft(unknown.failed, fc.defaultReportMessage(unknown)).toBe(false);
      // A kept 404 or 422 keeps its Idempotency-Key record (docs/api.md "Idempotency"): the one write a refusal makes.
      const kept = new Set(
        exchanges
          .filter(
            ({ request, response }) => [404, 422].includes(response.status) && request.headers['idempotency-key'] !== undefined,
          )
          .map(({ request }) => {
            const key = keys.idempotency(mine.tenantId, request.headers['idempotency-key']!);
            return `${key.PK} ${key.SK}`;
          }),
      );
      const writes = changesBetween(before, after).filter(({ key }) => !kept.has(key));
      // An accepted request (already a failure above) may write; then the writes cannot be told apart.
      if (exchanges.every(({ response }) => response.status >= 400)) {
        expect
          .soft(
            writes,
            `refused requests wrote (seed ${seed}); the ${exchanges.length} requests:\n${exchanges.map(summaryOf).join('\n')}`,
          )
          .toEqual([]);
      }
    },
  );
});
