import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCustomer } from '../../functions/services/customer.service.js';
import { issueInvoice } from '../../functions/services/issue-invoice.service.js';
import { createDraft } from '../../functions/services/invoice.service.js';
import { recordPayment } from '../../functions/services/invoice-status.service.js';
import { addCharge, createJob, getJob } from '../../functions/services/job.service.js';
import { withMilestones } from '../../functions/services/milestone.service.js';
import { registerTenant } from '../../functions/services/tenant.service.js';
import { config } from '../../functions/shared/config.js';
import { db, dbMetrics, resetDbMetrics, setCapacityMetering, tableName, type DbMetrics } from '../../functions/store/client.js';
import { itemSize } from '../../functions/store/item-size.js';
import { indexes, type Key } from '../../functions/store/keys.js';

/**
 * What the operations of issue 10 may cost at most (without an Idempotency-Key): reads are single-item
 * reads or batches of them (the authorizer's API key read is cached and not counted here:
 * test/e2e/authorizer-cache.test.ts), writes one transaction or one write; write units both as
 * DynamoDB Local reports them and by DynamoDB's documented rules (below), since DynamoDB Local
 * reports some transactions below those rules.
 */
const BUDGET = {
  draft: { reads: 2, writes: 1, writeUnits: 12 },
  issue: { reads: 2, writes: 1, writeUnits: 16 },
  payment: { reads: 2, writes: 1, writeUnits: 12 },
  getJob: { reads: 1, writes: 0, writeUnits: 0 },
};

type Item = Record<string, unknown>;

/** DynamoDB counts an index entry as its keys and 100 bytes more. */
const INDEX_ENTRY_OVERHEAD = 100;

const kilobytes = (bytes: number): number => Math.ceil(bytes / 1024);

const entryOf = (item: Item | undefined, index: (typeof indexes)[keyof typeof indexes]): Item | undefined =>
  item?.[index.pk] !== undefined && item[index.sk] !== undefined
    ? { PK: item.PK, SK: item.SK, [index.pk]: item[index.pk], [index.sk]: item[index.sk] }
    : undefined;

/**
 * The documented write units of one item of a transaction, from the item before and after it: 2 per
 * KB of the larger, and as much again for every index entry written or deleted (both when its key
 * moves); none for an entry whose keys stay, the indexes projecting keys only. A ConditionCheck is
 * not counted (DynamoDB Local counts none either).
 */
const documentedUnits = (before: Item | undefined, after: Item | undefined): number =>
  2 * kilobytes(Math.max(before ? itemSize(before) : 0, after ? itemSize(after) : 0)) +
  Object.values(indexes).reduce((sum, index) => {
    const [was, is] = [entryOf(before, index), entryOf(after, index)];
    if (JSON.stringify(was) === JSON.stringify(is)) return sum;
    const units = (entry: Item | undefined) => (entry ? 2 * kilobytes(itemSize(entry) + INDEX_ENTRY_OVERHEAD) : 0);
    return sum + units(was) + units(is);
  }, 0);

// A client outside the metrics, to read what a transaction's items were before it and are after it.
const peek = DynamoDBDocumentClient.from(
  new DynamoDBClient({
    endpoint: config().dynamoEndpoint,
    region: config().region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  }),
);
const stored = async (key: Key): Promise<Item | undefined> =>
  (await peek.send(new GetCommand({ TableName: tableName(), Key: key, ConsistentRead: true }))).Item;

let documented = 0;
db().middlewareStack.add(
  (next) => async (args) => {
    const { TransactItems } = args.input as Partial<TransactWriteCommandInput>;
    if (!TransactItems) return next(args);
    const written = TransactItems.flatMap((a) => {
      const key = a.Put ? { PK: a.Put.Item!.PK, SK: a.Put.Item!.SK } : (a.Update?.Key ?? a.Delete?.Key);
      return key ? [key as Key] : [];
    });
    const before = await Promise.all(written.map(stored));
    const result = await next(args);
    const after = await Promise.all(written.map(stored));
    documented += written.reduce((sum, _, i) => sum + documentedUnits(before[i], after[i]), 0);
    return result;
  },
  { step: 'initialize', name: 'documentedWriteUnits' },
);

const READS = ['GetItem', 'BatchGetItem', 'Query', 'Scan', 'TransactGetItems'];
const WRITES = ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems'];

const costOf = (metrics: DbMetrics) => {
  const sum = (names: string[], of: 'requests' | 'writeUnits') =>
    names.reduce((total, name) => total + (metrics[name]?.[of] ?? 0), 0);
  return { reads: sum(READS, 'requests'), writes: sum(WRITES, 'requests'), writeUnits: sum(WRITES, 'writeUnits') };
};

/** What one run of the operation sent, with capacity metering on, and its documented write units. */
const measured = async (operation: () => Promise<unknown>) => {
  setCapacityMetering(true);
  resetDbMetrics();
  documented = 0;
  await operation();
  return { cost: costOf(dbMetrics()), documentedUnits: documented, metrics: dbMetrics() };
};

describe('the requests and write units of the invoice operations (issue 10)', () => {
  afterAll(() => {
    db().middlewareStack.remove('documentedWriteUnits');
    peek.destroy();
  });

  let tenantId: string;
  let jobId: string;

  // As the bench's: a fixed-price job of 5 charges of 200,000.00 EUR at 20%.
  beforeAll(async () => {
    tenantId = (await registerTenant({ name: 'Costs', defaultCurrency: 'EUR' })).tenant.id;
    const customer = await createCustomer(tenantId, { name: 'Client', email: 'client@example.test' });
    jobId = (await createJob(tenantId, { customerId: customer.id, name: 'Job', billingType: 'fixed_price' })).id;
    for (let c = 1; c <= 5; c++) {
      await addCharge(tenantId, jobId, {
        description: `Phase ${c}`,
        group: 'Works',
        quantity: '1',
        unitPrice: '200000.00',
        taxRate: '20',
      });
    }
  });

  afterEach(() => {
    setCapacityMetering(false);
    resetDbMetrics();
  });

  it('drafts, issues and pays an invoice, and reads its job, within their requests and write units', async () => {
    let invoiceId = '';
    const draft = await measured(async () => {
      invoiceId = (await createDraft(tenantId, jobId, { policy: 'deposit', amount: '10.00' })).invoice.id;
    });
    const issue = await measured(() => issueInvoice(tenantId, invoiceId));
    const payment = await measured(() =>
      recordPayment(tenantId, invoiceId, {
        amount: '1.00',
        date: new Date().toISOString().slice(0, 10),
        method: 'bank_transfer',
        reference: null,
        note: null,
      }),
    );
    const job = await measured(async () => withMilestones(tenantId, await getJob(tenantId, jobId)));

    // Each within its budget; one over it is named with what it sent.
    const over = Object.entries({ draft, issue, payment, getJob: job }).flatMap(([name, run]) => {
      const { cost, documentedUnits, metrics } = run;
      const budget = BUDGET[name as keyof typeof BUDGET];
      const units = Math.max(cost.writeUnits, documentedUnits);
      const within = cost.reads <= budget.reads && cost.writes <= budget.writes && units <= budget.writeUnits;
      return within
        ? []
        : [`${name}: ${JSON.stringify({ ...cost, documentedUnits })} over ${JSON.stringify(budget)}: ${JSON.stringify(metrics)}`];
    });
    expect(over).toEqual([]);
    // Units are measured at all: an issue writes something, by both counts.
    expect(issue.cost.writeUnits).toBeGreaterThan(0);
    expect(issue.documentedUnits).toBeGreaterThan(0);
    // GET job reads exactly the job.
    expect(job.metrics).toEqual({ GetItem: expect.objectContaining({ requests: 1 }) });
  });
});
