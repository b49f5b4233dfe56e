import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { createCustomer } from '../../functions/services/customer.service.js';
import { createDraft, deleteDraft } from '../../functions/services/invoice.service.js';
import { issueInvoice } from '../../functions/services/issue-invoice.service.js';
import { addCharge, createJob, deleteJob } from '../../functions/services/job.service.js';
import { registerTenant } from '../../functions/services/tenant.service.js';
import { outcome } from '../support/domain-errors.js';

const ROUNDS = 20;

describe('a delete racing the change that forbids it', () => {
  it('refuses a draft that is issued meanwhile as no longer a draft, never as a conflict', async () => {
    // Prepare
    const { tenant } = await registerTenant({ name: 'Delete races', defaultCurrency: 'EUR' });
    const customer = await createCustomer(tenant.id, { name: 'Client' });
    const job = await createJob(tenant.id, { customerId: customer.id, name: 'Kitchen', billingType: 'fixed_price' });
    await addCharge(tenant.id, job.id, { description: 'Works', quantity: '1', unitPrice: '10000.00', taxRate: '20' });
    for (let round = 0; round < ROUNDS; round++) {
      const { invoice } = await createDraft(tenant.id, job.id, { policy: 'deposit', amount: '10.00' });
      // Act
      const outcomes = await Promise.all([
        outcome(issueInvoice(tenant.id, invoice.id)),
        // Started a little later at random: the issue's commit then falls anywhere in the delete
        sleep(Math.random() * 12).then(() => outcome(deleteDraft(tenant.id, invoice.id))),
      ]);
      // Assess: one of them wins, and the other is told why
      expect([
        ['ok', 'INVOICE_NOT_DRAFT'],
        ['INVOICE_NOT_FOUND', 'ok'],
      ]).toContainEqual(outcomes);
    }
  }, 60_000);

  it('refuses a job that gets a draft meanwhile as having invoices, never as a conflict', async () => {
    const { tenant } = await registerTenant({ name: 'Delete races', defaultCurrency: 'EUR' });
    const customer = await createCustomer(tenant.id, { name: 'Client' });
    for (let round = 0; round < ROUNDS; round++) {
      const job = await createJob(tenant.id, { customerId: customer.id, name: 'Kitchen', billingType: 'fixed_price' });
      await addCharge(tenant.id, job.id, { description: 'Works', quantity: '1', unitPrice: '100.00' });
      const outcomes = await Promise.all([
        outcome(createDraft(tenant.id, job.id, { policy: 'deposit', amount: '10.00' })),
        outcome(deleteJob(tenant.id, job.id)),
      ]);
      expect([
        ['ok', 'JOB_HAS_INVOICES'],
        ['JOB_NOT_FOUND', 'ok'],
      ]).toContainEqual(outcomes);
    }
  }, 60_000);
});
