import { DomainError } from './errors.js';
import type { Invoice, LineKind } from './invoice.js';
import { assertPolicyAllowed } from './invoice-rules.js';
import { leftToBill } from './invoice-lines.js';
import { type ByRate, type Job, remainingToBill, totalOf, touched } from './job.js';
import { amount, assertWithinBound, toAmountString, type Amount } from './money.js';
import { clearWip, expenditureTotalsOf } from './expenditure-totals.js';

const stale = (why: string): DomainError =>
  new DomainError('conflict', 'INVOICE_STALE', `${why}; delete the draft and create it again`);

const addByRate = (byRate: ByRate, rate: string, delta: Amount, currency: string): ByRate => {
  const next = amount(byRate[rate] ?? '0').plus(delta);
  const { [rate]: _, ...rest } = byRate;
  return next.isZero() ? rest : { ...rest, [rate]: toAmountString(next, currency) };
};

const isNegative = (byRate: ByRate): boolean => Object.values(byRate).some((v) => amount(v).isNegative());

/** How each kind of line moves what the job holds, for one unit of the line's amount. */
const HOLDINGS: Partial<Record<LineKind, { deposits?: 1; retainage?: 1 | -1 }>> = {
  deposit: { deposits: 1 },
  deposit_applied: { deposits: 1 },
  retainage_withheld: { retainage: -1 },
  retainage_release: { retainage: -1 },
};

/**
 * The job after an invoice is issued (`sign` 1) or voided (-1): what each charge has billed, the
 * deposits and retainage held, invoiced to date, and for a complete invoice the Billed status.
 * Refuses what would bill a charge or the job past its price (unless the invoice allows
 * overbilling), credit a charge or a billed job past zero, hold negative deposits or retainage, or
 * leave a final invoice short.
 */
export const applyInvoice = (job: Job, invoice: Invoice, sign: 1 | -1, now: Date): Job => {
  const { currency } = job;
  if (sign === 1) assertPolicyAllowed(job, invoice.policy, invoice.id);
  if (sign === 1 && invoice.ledgerBasis !== null && invoice.ledgerBasis !== (job.ledgerVersion ?? 0)) {
    throw stale('the job was billed or credited since the draft was made');
  }
  if (sign === -1) assertVoidable(job, invoice);
  const before = remainingToBill(job);
  const billed = new Map(job.charges.map((c) => [c.id, amount(c.billedToDate)]));
  let { depositsHeld, retainageHeld } = job;
  let depositsInvoiced = amount(job.depositsInvoiced);
  for (const line of invoice.lines) {
    const lineAmount = amount(line.amount).times(sign);
    for (const allocation of line.allocations) {
      const current = billed.get(allocation.chargeId);
      if (!current) throw stale(`charge ${allocation.chargeId} is gone from the job`);
      billed.set(allocation.chargeId, current.plus(amount(allocation.amount).times(sign)));
    }
    const holding = HOLDINGS[line.kind];
    if (holding?.deposits) depositsHeld = addByRate(depositsHeld, line.taxRate, lineAmount, currency);
    if (holding?.retainage) retainageHeld = addByRate(retainageHeld, line.taxRate, lineAmount.times(holding.retainage), currency);
    if (line.kind === 'deposit') depositsInvoiced = depositsInvoiced.plus(lineAmount);
  }
  if (isNegative(depositsHeld)) {
    throw sign === 1
      ? stale('it applies more deposit than the job holds')
      : new DomainError('conflict', 'DEPOSIT_ALREADY_APPLIED', 'Later invoices applied this deposit; void them first');
  }
  if (isNegative(retainageHeld)) {
    throw sign === 1
      ? stale('it releases more retainage than the job holds')
      : new DomainError('conflict', 'RETAINAGE_ALREADY_RELEASED', 'A later invoice released this retainage; void it first');
  }
  const complete = invoice.type === 'complete';
  const next = touched(job, now, {
    charges: job.charges.map((c) => ({ ...c, billedToDate: toAmountString(billed.get(c.id)!, currency) })),
    depositsHeld,
    retainageHeld,
    depositsInvoiced: toAmountString(depositsInvoiced, currency),
    invoicedToDate: toAmountString(amount(job.invoicedToDate).plus(amount(invoice.totals.net).times(sign)), currency),
    ledgerVersion: (job.ledgerVersion ?? 0) + 1,
    correctionsIssued: (job.correctionsIssued ?? 0) + (invoice.type === 'correction' ? sign : 0),
    ...(complete ? { status: sign === 1 ? 'billed' : 'closed', completeInvoiceId: sign === 1 ? invoice.id : null } : {}),
    // A partial invoice takes its settled cost out of WIP as it is issued (its reversal's credit note, a negative one, gives it back).
    ...(invoice.settledCost ? { expenditures: clearWip(expenditureTotalsOf(job), invoice.settledCost, sign) } : {}),
  });
  // A void can bill more too: voiding a credit note gives back what it credited.
  if (!(invoice.allowOverbilling && sign === 1)) assertWithinPrice(job, next, before);
  assertWithinCredit(job, next, sign);
  if (sign === 1 && complete) assertFullyBilled(next);
  assertLedgerWithinBound(next);
  return next;
};

/** What a job has billed and holds stays within the one amount bound too, however many invoices overbill it. */
const assertLedgerWithinBound = (job: Job): void => {
  const held = [...Object.values(job.depositsHeld), ...Object.values(job.retainageHeld)];
  const amounts = [job.invoicedToDate, job.depositsInvoiced, ...held, ...job.charges.map((c) => c.billedToDate)].map((a) =>
    amount(a),
  );
  assertWithinBound(
    [...amounts, totalOf(job.depositsHeld), totalOf(job.retainageHeld), remainingToBill(job)],
    job.currency,
    "The job's billing",
    [],
  );
};

/**
 * A Billed job is settled by its complete invoice and corrected only by corrections: its partial
 * invoices stay, and the complete invoice goes only once its corrections are voided.
 */
const assertVoidable = (job: Job, invoice: Invoice): void => {
  if (job.status !== 'billed') return;
  if (invoice.type === 'partial' && invoice.policy !== 'retainage_release') {
    throw new DomainError(
      'conflict',
      'JOB_BILLED',
      'The job is billed: correct a partial invoice with a correction instead of voiding it',
    );
  }
  if (invoice.type === 'complete' && (job.correctionsIssued ?? 0) > 0) {
    throw new DomainError(
      'conflict',
      'VOID_CORRECTIONS_FIRST',
      'Corrections of this job are issued: void them before the complete invoice',
    );
  }
};

/** How far a charge is billed past its amount (or credited past zero), in the direction of its sign. */
const beyond = (billed: Amount, limit: Amount, sign: 1 | -1): boolean => (sign === 1 ? billed.gt(limit) : billed.lt(limit));

/** The charges whose billed to date the change moved, each with the direction it bills in. */
const movedCharges = (job: Job, next: Job) =>
  // A discount (a negative charge) bills towards its negative amount: compare in its direction.
  next.charges
    .map((c, i) => ({
      charge: c,
      now: amount(c.billedToDate),
      was: amount(job.charges[i]!.billedToDate),
      sign: amount(c.amount).isNegative() ? (-1 as const) : (1 as const),
    }))
    .filter(({ now, was }) => !now.eq(was));

const assertWithinPrice = (job: Job, next: Job, before: Amount): void => {
  const after = remainingToBill(next);
  if (after.lt(before) && after.isNegative()) {
    throw new DomainError(
      'rule',
      'JOB_OVERBILLED',
      `This would bill ${toAmountString(after.negated(), job.currency)} past the job's suggested price; send allowOverbilling: true to bill it anyway`,
    );
  }
  const over = movedCharges(job, next).find(
    ({ charge, now, was, sign }) => beyond(now, was, sign) && beyond(now, amount(charge.amount), sign),
  )?.charge;
  if (over) {
    throw new DomainError(
      'rule',
      'CHARGE_OVERBILLED',
      `This would bill charge "${over.description}" past its amount ${over.amount}; send allowOverbilling: true to bill it anyway`,
    );
  }
};

/**
 * Credits never exceed what was billed, whatever allowOverbilling says: no charge is credited
 * past zero, and a billed job (where only credits lower the ledger) never has invoiced below zero.
 */
const assertWithinCredit = (job: Job, next: Job, sign: 1 | -1): void => {
  const overCredited = movedCharges(job, next).find(
    ({ now, was, sign }) => beyond(was, now, sign) && beyond(amount(0), now, sign),
  )?.charge;
  if (overCredited) {
    throw new DomainError(
      'rule',
      'CHARGE_OVERCREDITED',
      `This would credit charge "${overCredited.description}" more than it has billed`,
    );
  }
  const invoiced = amount(next.invoicedToDate);
  if (job.status === 'billed' && invoiced.lt(job.invoicedToDate) && invoiced.isNegative()) {
    const message = `This would leave the job invoiced ${toAmountString(invoiced, job.currency)}: credits may take back at most the ${toAmountString(job.invoicedToDate, job.currency)} it has invoiced`;
    // A void has no lines to name: only a correction being issued points at its own.
    const fields = sign === 1 ? [{ field: 'lines', code: 'job_overcredited', message }] : [];
    throw new DomainError('rule', 'JOB_OVERCREDITED', message, fields);
  }
};

/** A final invoice bills every charge in full (one overbilled stays so) and applies every deposit. */
const assertFullyBilled = (job: Job): void => {
  const short = job.charges.find((c) => !leftToBill(c).isZero());
  if (short) throw stale(`charge "${short.description}" changed after the draft`);
  if (Object.keys(job.depositsHeld).length > 0) throw stale('deposits were billed after the draft');
};
