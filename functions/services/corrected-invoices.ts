import { DomainError } from '../domain/errors.js';
import type { Invoice } from '../domain/invoice.js';
import { correctedIds, type CorrectingLine } from '../domain/invoice-credits.js';
import { getInvoice } from '../store/invoice.store.js';

/** The invoices that correction lines name, those that exist; the domain checks that they are the job's and issued. */
export const correctedInvoices = async (tenantId: string, lines: CorrectingLine[] = []): Promise<Invoice[]> => {
  const found = await Promise.all(
    correctedIds(lines).map((id) =>
      getInvoice(tenantId, id).catch((error: unknown) => {
        if (error instanceof DomainError && error.kind === 'not_found') return undefined;
        throw error;
      }),
    ),
  );
  return found.filter((invoice): invoice is Invoice => invoice !== undefined);
};
