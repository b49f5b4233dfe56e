import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCustomer } from '../../functions/services/customer.service.js';
import { issueInvoice } from '../../functions/services/issue-invoice.service.js';
import { createDraft } from '../../functions/services/invoice.service.js';
import { recordPayment } from '../../functions/services/invoice-status.service.js';
import { addCharge, createJob, getJob } from '../../functions/services/job.service.js';
import { withMilestones } from '../../functions/services/milestone.service.js';
import { rollUpOf } from '../../functions/services/phase.service.js';
import { registerTenant } from '../../functions/services/tenant.service.js';
import { dbMetrics, resetDbMetrics, setCapacityMetering, type DbMetrics } from '../../functions/store/client.js';

/**
 * What the operations of issue 10 may cost at most (without an Idempotency-Key): reads are single-item
 * reads or batches of them (the authorizer's API key read is cached and not counted here:
 * test/e2e/authorizer-cache.test.ts), writes one transaction or one write; write units both as
 * DynamoDB Local reports them and by DynamoDB's documented rules (functions/store/documented-units.ts),
 * since DynamoDB Local reports some transactions below those rules.
 */
const BUDGET = {
  draft: { reads: 2, writes: 1, writeUnits: 12 },
  issue: { reads: 2, writes: 1, writeUnits: 16 },
  payment: { reads: 2, writes: 1, writeUnits: 12 },
  getJob: { reads: 1, writes: 0, writeUnits: 0 },
};

const READS = ['GetItem', 'BatchGetItem', 'Query', 'Scan', 'TransactGetItems'];
const WRITES = ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems'];

const costOf = (metrics: DbMetrics) => {
  const sum = (names: string[], of: 'requests' | 'writeUnits' | 'documentedWriteUnits') =>
    names.reduce((total, name) => total + (metrics[name]?.[of] ?? 0), 0);
  return {
    reads: sum(READS, 'requests'),
    writes: sum(WRITES, 'requests'),
    writeUnits: sum(WRITES, 'writeUnits'),
    documentedUnits: sum(WRITES, 'documentedWriteUnits'),
  };
};

/** What one run of the operation sent, with capacity metering on. */
const measured = async (operation: () => Promise<unknown>) => {
  setCapacityMetering(true);
  resetDbMetrics();
  await operation();
  return { cost: costOf(dbMetrics()), metrics: dbMetrics() };
};

describe('the requests and write units of the invoice operations (issue 10)', () => {
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
    // As GET /v1/jobs/{id} reads it: its milestones and, for a master, its phases (none here: no read).
    const job = await measured(async () => {
      const read = await getJob(tenantId, jobId);
      return Promise.all([withMilestones(tenantId, read), rollUpOf(tenantId, read)]);
    });

    // Each within its budget; one over it is named with what it sent.
    const over = Object.entries({ draft, issue, payment, getJob: job }).flatMap(([name, run]) => {
      const { cost, metrics } = run;
      const budget = BUDGET[name as keyof typeof BUDGET];
      const units = Math.max(cost.writeUnits, cost.documentedUnits);
      const within = cost.reads <= budget.reads && cost.writes <= budget.writes && units <= budget.writeUnits;
      return within ? [] : [`${name}: ${JSON.stringify(cost)} over ${JSON.stringify(budget)}: ${JSON.stringify(metrics)}`];
    });
    expect(over).toEqual([]);
    // Units are measured at all: an issue writes something, by both counts.
    expect(issue.cost.writeUnits).toBeGreaterThan(0);
    expect(issue.cost.documentedUnits).toBeGreaterThan(0);
    // GET job reads exactly the job.
    expect(job.metrics).toEqual({ GetItem: expect.objectContaining({ requests: 1 }) });
  });
});
