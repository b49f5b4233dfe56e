import { describe, expect, it } from 'vitest';
import { isoDate } from '../../functions/domain/dates.js';
import { invoiceEvent } from '../../functions/domain/event.js';
import { issue } from '../../functions/domain/invoice-lifecycle.js';
import { applyInvoice } from '../../functions/domain/job-ledger.js';
import { createCustomer } from '../../functions/services/customer.service.js';
import { createDraft, getInvoice } from '../../functions/services/invoice.service.js';
import { issueInvoice } from '../../functions/services/issue-invoice.service.js';
import { addCharge, createJob, getJob } from '../../functions/services/job.service.js';
import { newId } from '../../functions/services/ids.js';
import { updateSettings } from '../../functions/services/settings.service.js';
import { registerTenant } from '../../functions/services/tenant.service.js';
import { getCounter, saveIssue } from '../../functions/store/invoice.store.js';
import { getTenant } from '../../functions/store/tenant.store.js';

describe('issuing against settings that change', () => {
  it('refuses, as a lost race, an issue numbered with formats changed since it read them, and numbers it anew', async () => {
    // Prepare: a draft, and an issue prepared with the formats as they were
    const { tenant } = await registerTenant({ name: 'Formats race', defaultCurrency: 'EUR' });
    const customer = await createCustomer(tenant.id, { name: 'Client' });
    const job = await createJob(tenant.id, { customerId: customer.id, name: 'Job', billingType: 'fixed_price' });
    await addCharge(tenant.id, job.id, { description: 'Work', quantity: '1', unitPrice: '100' });
    const { invoice: draft } = await createDraft(tenant.id, job.id, { policy: 'deposit', amount: '10' });
    const before = await getTenant(tenant.id);
    const now = new Date();
    const [stored, jobRead] = await Promise.all([getInvoice(tenant.id, draft.id), getJob(tenant.id, job.id)]);
    const issued = issue(stored, 'OLD-1', isoDate(now), before.settings, now);
    // Act: the formats change in between, then the prepared issue commits
    await updateSettings(tenant.id, { invoiceNumberFormat: 'NEW-{SEQ}' });
    const stale = await saveIssue(tenant.id, {
      invoice: { next: issued, previous: stored },
      job: { next: applyInvoice(jobRead, issued, 1, now), previous: jobRead },
      counter: { series: 'invoice', scope: 'all', previous: undefined },
      event: invoiceEvent('invoice.issued', issued, newId('evt'), now),
      corrected: [],
      settingsVersion: before.version,
      source: [],
    }).catch((error: unknown) => error);
    // Assess: nothing written; the use case, reading again, numbers with the new format
    expect(stale).toMatchObject({ code: 'VERSION_CONFLICT', retryable: true });
    expect((await getInvoice(tenant.id, draft.id)).status).toBe('draft');
    expect(await getCounter(tenant.id, 'invoice', 'all')).toBeUndefined();
    expect((await issueInvoice(tenant.id, draft.id)).number).toBe('NEW-1');
  });
});
