import { DomainError } from './errors.js';
import { typeOfPolicy, type InvoicePolicy } from './invoice.js';
import type { Job } from './job.js';

/**
 * Which invoices a job takes in its status (seed 001): Open takes partial invoices; Closed takes
 * partial ones or one complete; Billed takes only corrections. Retainage may be released in any status.
 */
export const assertPolicyAllowed = (job: Job, policy: InvoicePolicy, invoiceId: string): void => {
  if (policy === 'retainage_release') return;
  const type = typeOfPolicy(policy);
  if (type === 'correction') {
    if (job.status !== 'billed') {
      throw new DomainError('conflict', 'JOB_NOT_BILLED', `Corrections follow the complete invoice; this job is ${job.status}`);
    }
    return;
  }
  if (job.status === 'billed') {
    throw new DomainError('conflict', 'JOB_BILLED', 'The job is billed: it takes only correction invoices');
  }
  if (type === 'complete') {
    if (job.status !== 'closed') {
      throw new DomainError(
        'conflict',
        'JOB_NOT_CLOSED',
        'Only a closed job takes a complete (final) invoice; close the job first',
      );
    }
    if (job.completeInvoiceId && job.completeInvoiceId !== invoiceId) {
      throw new DomainError(
        'conflict',
        'COMPLETE_INVOICE_EXISTS',
        `The job has its complete invoice already: ${job.completeInvoiceId}`,
      );
    }
  }
};
