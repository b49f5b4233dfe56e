import { DomainError } from '../domain/errors.js';
import { assertBillsInCurrency, type CustomerChange } from '../domain/invoice-lifecycle.js';
import type { Customer } from '../domain/customer.js';
import type { Job } from '../domain/job.js';
import { getCustomer } from '../store/customer.store.js';
import { getJob } from '../store/job.store.js';

/** The customer of that id; null when there is none (the domain refuses it naming the field). */
const customerOrNull = (tenantId: string, customerId: string): Promise<Customer | null> =>
  getCustomer(tenantId, customerId).catch((error: unknown) => {
    if (error instanceof DomainError && error.kind === 'not_found') return null;
    throw error;
  });

/** The customer a draft's change names instead of its own, and its job's customer, for the domain to check. */
export const customerChange = async (tenantId: string, customerId: string, jobId: string | null): Promise<CustomerChange> => {
  const [customer, jobCustomerId] = await Promise.all([
    customerOrNull(tenantId, customerId),
    jobId ? getJob(tenantId, jobId).then((job) => job.customerId) : null,
  ]);
  return { customer, jobCustomerId };
};

/** A new draft that names another customer than its job's bills that customer in the job's currency (else 422). */
export const assertCustomerOfDraft = async (tenantId: string, job: Job, customerId: string | undefined): Promise<void> => {
  if (customerId === undefined || customerId === job.customerId) return;
  const customer = await customerOrNull(tenantId, customerId);
  assertBillsInCurrency(job.currency, customerId, { customer, jobCustomerId: job.customerId });
};
