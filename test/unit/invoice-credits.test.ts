import { describe, expect, it } from 'vitest';
import { addCharge } from '../../functions/domain/charge.js';
import type { Invoice } from '../../functions/domain/invoice.js';
import { applyCredits, MAX_CORRECTED_INVOICES } from '../../functions/domain/invoice-credits.js';
import { issue, transition } from '../../functions/domain/invoice-lifecycle.js';
import { draftInvoice, type CorrectionLineInput, type DraftInput } from '../../functions/domain/invoice-policies.js';
import { applyInvoice } from '../../functions/domain/job-ledger.js';
import { closeJob, createJob, type Job } from '../../functions/domain/job.js';
import { expectDomainError } from '../support/domain-errors.js';
import { refused, SETTINGS, T0 } from '../support/invoice-domain.js';

/** A billed job and the issued invoices it knows, as the services keep them: each at its latest version. */
interface World {
  job: Job;
  invoices: Invoice[];
}

let sequence = 0;

/** Drafts, issues and applies an invoice as the issue service does: the job's ledger and the credits against the invoices it names. */
const bill = (world: World, input: Omit<DraftInput, 'customerId'>): World & { invoice: Invoice } => {
  const id = `inv_${++sequence}`;
  const { invoice: drafted } = draftInvoice(world.job, { customerId: 'cus_1', ...input }, id, T0, world.invoices);
  const invoice = issue(drafted, `N-${id}`, '2025-03-01', SETTINGS, T0);
  return settle(world, invoice, applyInvoice(world.job, invoice, 1, T0), applyCredits(invoice, world.invoices, 1, T0), invoice);
};

/** Voids an issued invoice as the void service does. */
const voidOf = (world: World, invoice: Invoice): World & { invoice: Invoice } => {
  const current = world.invoices.find((i) => i.id === invoice.id)!;
  const voided = transition(current, 'void', SETTINGS, T0);
  return settle(world, voided, applyInvoice(world.job, current, -1, T0), applyCredits(current, world.invoices, -1, T0), voided);
};

const settle = (world: World, invoice: Invoice, job: Job, credited: { next: Invoice }[], result: Invoice) => {
  const changed = [invoice, ...credited.map((c) => c.next)];
  const invoices = [...world.invoices.filter((i) => !changed.some((c) => c.id === i.id)), ...changed];
  return { job, invoices, invoice: result };
};

// Rebills here bill the job past its price: that is the job's rule, not the one under test.
const correct = (world: World, ...lines: CorrectionLineInput[]) =>
  bill(world, { policy: 'correction', lines, allowOverbilling: true });
const creditedNet = (world: World, invoice: Invoice) => world.invoices.find((i) => i.id === invoice.id)!.creditedNet;
const line = (value: string, corrects?: Invoice): CorrectionLineInput => ({
  description: 'Correction',
  amount: value,
  taxRate: '20',
  ...(corrects ? { correctsInvoiceId: corrects.id } : {}),
});

/** A job of 2,000.00 billed 1,000.00 by a progress invoice and 1,000.00 by its final invoice. */
const billedJob = () => {
  const job = ['chg_1', 'chg_2'].reduce(
    (j, id) => addCharge(j, { description: id, quantity: '1', unitPrice: '1000', taxRate: '20' }, id, T0),
    createJob({ customerId: 'cus_1', name: 'Job', billingType: 'fixed_price', currency: 'EUR' }, 'job_1', T0),
  );
  const progressed = bill({ job, invoices: [] }, { policy: 'progress_summary', amount: '1000' });
  const billed = bill({ ...progressed, job: closeJob(progressed.job, T0) }, { policy: 'final' });
  return { world: billed as World, progress: progressed.invoice, final: billed.invoice };
};

describe('credits against an invoice', () => {
  it('start at zero and move by what the lines against each invoice take back, several lines and invoices at once', () => {
    // Prepare
    const { world, progress, final } = billedJob();
    // Act
    const after = correct(world, line('-100', progress), line('-50.50', progress), line('-200', final), line('-30'));
    // Assess
    expect([progress.creditedNet, creditedNet(after, progress), creditedNet(after, final)]).toEqual(['0.00', '150.50', '200.00']);
    expect(after.invoices.find((i) => i.id === progress.id)!.version).toBe(progress.version + 1);
  });

  it('may take back exactly the net, and nothing more: INVOICE_OVERCREDITED naming lines, at draft and at issue', () => {
    // Prepare: the job has invoiced 2,000.00, enough for either credit
    const { world, progress } = billedJob();
    // Act / Assess
    refused(() => correct(world, line('-1000.01', progress)), 'rule', 'INVOICE_OVERCREDITED', 'lines');
    refused(() => correct(world, line('-600', progress), line('-400.01', progress)), 'rule', 'INVOICE_OVERCREDITED', 'lines');
    const exact = correct(world, line('-1000', progress));
    expect(creditedNet(exact, progress)).toBe('1000.00');
    refused(() => correct(exact, line('-0.01', progress)), 'rule', 'INVOICE_OVERCREDITED', 'lines');
    // A draft made before the credit was issued is refused when it is issued
    const late = draftInvoice(
      world.job,
      { customerId: 'cus_1', policy: 'correction', lines: [line('-1', progress)] },
      'inv_late',
      T0,
      world.invoices,
    );
    refused(
      () => applyCredits(issue(late.invoice, 'CN-9', '2025-03-01', SETTINGS, T0), exact.invoices, 1, T0),
      'rule',
      'INVOICE_OVERCREDITED',
      'lines',
    );
  });

  it('bills back at most what was credited: a rebill moves it back, never below zero (INVOICE_REBILLED_PAST_CREDITS)', () => {
    // Prepare
    const { world, progress } = billedJob();
    const credited = correct(world, line('-300', progress));
    // Act
    const rebilled = correct(credited, line('200', progress));
    // Assess
    expect(creditedNet(rebilled, progress)).toBe('100.00');
    refused(() => correct(rebilled, line('100.01', progress)), 'rule', 'INVOICE_REBILLED_PAST_CREDITS', 'lines');
    refused(() => correct(world, line('1', progress)), 'rule', 'INVOICE_REBILLED_PAST_CREDITS', 'lines');
    // A credit and a rebill of the same invoice in one correction net out
    expect(creditedNet(correct(world, line('-100', progress), line('100', progress), line('-1')), progress)).toBe('0.00');
  });

  it('against a credit note take it back up to its amount, and never deepen it', () => {
    // Prepare: a credit note of -400.00 against the progress invoice
    const { world, progress } = billedJob();
    const { invoice: creditNote, ...credited } = correct(world, line('-400', progress));
    // Act
    const reversed = correct(credited, line('150', creditNote));
    // Assess
    expect(creditedNet(reversed, creditNote)).toBe('-150.00');
    refused(() => correct(reversed, line('250.01', creditNote)), 'rule', 'INVOICE_OVERCREDITED', 'lines');
    refused(() => correct(credited, line('-1', creditNote)), 'rule', 'INVOICE_REBILLED_PAST_CREDITS', 'lines');
  });

  it('are given back when the correction is voided; a void that a rebill depends on is refused', () => {
    // Prepare
    const { world, progress } = billedJob();
    const credit = correct(world, line('-300', progress));
    // Room below the price, so that voiding the credit bills nothing past it
    const rebill = correct(correct(credit, line('-500')), line('300', progress));
    // Act / Assess: the credit's 300.00 were billed back, so voiding it would leave -300.00 credited
    const error = refused(() => voidOf(rebill, credit.invoice), 'rule', 'INVOICE_REBILLED_PAST_CREDITS');
    expect(error.errors).toEqual([]); // a void has no lines to name
    const unrebilled = voidOf(rebill, rebill.invoice);
    expect(creditedNet(unrebilled, progress)).toBe('300.00');
    expect(creditedNet(voidOf(unrebilled, credit.invoice), progress)).toBe('0.00');
  });

  it('keep the invoice from being voided: INVOICE_HAS_CREDITS until the credit notes are voided', () => {
    // Prepare: the status rule alone (the ledger of a billed job keeps its partial invoices anyway)
    const { world, progress } = billedJob();
    const credited = correct(world, line('-100', progress));
    const current = credited.invoices.find((i) => i.id === progress.id)!;
    // Act / Assess
    expectDomainError(() => transition(current, 'void', SETTINGS, T0), 'conflict', 'INVOICE_HAS_CREDITS');
    const restored = voidOf(credited, credited.invoice);
    expect(
      transition(
        restored.invoices.find((i) => i.id === progress.id)!,
        'void',
        SETTINGS,
        T0,
      ).status,
    ).toBe('voided');
  });

  it('keep the invoice from being voided while any stands, even when they net to zero', () => {
    // Prepare: 60.00 credited, then billed back
    const { world, progress } = billedJob();
    const both = correct(correct(world, line('-60', progress)), line('60', progress));
    const current = both.invoices.find((i) => i.id === progress.id)!;
    // Act / Assess
    expect([current.creditedNet, current.correctedBy]).toEqual(['0.00', 2]);
    expectDomainError(() => transition(current, 'void', SETTINGS, T0), 'conflict', 'INVOICE_HAS_CREDITS');
  });

  it('are refused against an invoice voided since the draft: naming lines.N.correctsInvoiceId at issue; a void gives back all the same', () => {
    // Prepare
    const { world, progress, final } = billedJob();
    const drafted = draftInvoice(
      world.job,
      { customerId: 'cus_1', policy: 'correction', lines: [line('-1'), line('-5', final)] },
      'inv_d',
      T0,
      world.invoices,
    );
    const issued = issue(drafted.invoice, 'CN-1', '2025-03-01', SETTINGS, T0);
    const voidedFinal = { ...final, status: 'voided' as const };
    // Act / Assess
    refused(() => applyCredits(issued, [voidedFinal], 1, T0), 'rule', 'INVOICE_NOT_FOUND', 'lines.1.correctsInvoiceId');
    const credited = { ...voidedFinal, creditedNet: '5.00' };
    expect(applyCredits(issued, [credited, progress], -1, T0).map((c) => c.next.creditedNet)).toEqual(['0.00']);
  });

  it(`names at most ${MAX_CORRECTED_INVOICES} invoices per correction, so its transaction stays within DynamoDB's 100 actions`, () => {
    // Prepare
    const { world, progress } = billedJob();
    const lines = Array.from({ length: MAX_CORRECTED_INVOICES + 1 }, (_, i) => ({
      ...line('-1'),
      correctsInvoiceId: `inv_x${i}`,
    }));
    // Act / Assess: refused before any invoice is looked for; the same invoice on many lines counts once
    refused(() => correct(world, ...lines), 'invalid', 'VALIDATION_FAILED', 'lines');
    const many = Array.from({ length: 50 }, () => line('-1', progress));
    expect(creditedNet(correct(world, ...many), progress)).toBe('50.00');
  });
});
