import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays, isoDate } from '../../functions/domain/dates.js';
import { DomainError } from '../../functions/domain/errors.js';
import type { Invoice, Series } from '../../functions/domain/invoice.js';
import type { JobStatus } from '../../functions/domain/job.js';
import { amount, sumAmounts, toAmountString } from '../../functions/domain/money.js';
import { counterScope, defaultSettings, formatNumber } from '../../functions/domain/settings.js';
import { createCustomer } from '../../functions/services/customer.service.js';
import {
  createDraft,
  deleteDraft,
  findInvoiceByNumber,
  getInvoice,
  updateDraft,
  type NewDraft,
} from '../../functions/services/invoice.service.js';
import { voidInvoice } from '../../functions/services/invoice-status.service.js';
import { issueInvoice } from '../../functions/services/issue-invoice.service.js';
import { addCharge, closeJob, createJob, getJob } from '../../functions/services/job.service.js';
import { registerTenant } from '../../functions/services/tenant.service.js';

// The tenant keeps the default formats: INV-{YYYY}-{SEQ:5} and CN-{YYYY}-{SEQ:5}.
const FORMATS = defaultSettings('EUR');
const formatOf = (series: Series): string =>
  series === 'invoice' ? FORMATS.invoiceNumberFormat : FORMATS.creditNoteNumberFormat;
const today = (): string => isoDate(new Date());

/** A tenant with one customer and `jobs` jobs of three charges each, all open. */
const tenantWithJobs = async (jobs: number) => {
  const { tenant } = await registerTenant({ name: 'Numbering test', defaultCurrency: 'EUR' });
  const customer = await createCustomer(tenant.id, { name: 'Client' });
  const jobIds: string[] = [];
  for (let i = 0; i < jobs; i++) {
    const job = await createJob(tenant.id, { customerId: customer.id, name: `Job ${i + 1}`, billingType: 'fixed_price' });
    await addCharge(tenant.id, job.id, {
      description: 'Labour',
      quantity: '10',
      unitPrice: '45.50',
      taxRate: '20',
      group: 'Work',
    });
    await addCharge(tenant.id, job.id, {
      description: 'Material',
      quantity: '3',
      unitPrice: '99.99',
      taxRate: '7',
      group: 'Material',
    });
    await addCharge(tenant.id, job.id, { description: 'Permit', quantity: '1', unitPrice: '120', taxRate: '0' });
    jobIds.push(job.id);
  }
  return { tenantId: tenant.id, jobIds };
};

/** A refusal the use case may give (a DomainError) becomes its code; anything else fails the test. */
const outcome = async <T>(promise: Promise<T>): Promise<T | string> => {
  try {
    return await promise;
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
};

// A random session against the tenant ----------------------------------------------------------

const perMille = fc.integer({ min: 1, max: 1000 });
const opArb = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      op: fc.constant('draft' as const),
      job: fc.nat(2),
      /** Which of the policies the job's status takes (see KINDS). */
      choice: fc.nat(),
      per: perMille,
      backdate: fc.constantFrom(0, 0, 0, 1, 2),
      /** Issue at once (most of the time), or leave as a draft for a later issue, void or delete. */
      issueNow: fc.constantFrom(true, true, false),
    }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('issue' as const), index: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('issue_two_at_once' as const), index: fc.nat(), other: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('void' as const), index: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('delete' as const), index: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('close' as const), job: fc.nat(2) }) },
);
type Op = typeof opArb extends fc.Arbitrary<infer O> ? O : never;
type DraftOp = Extract<Op, { op: 'draft' }>;
type Kind = 'deposit' | 'summary' | 'itemized' | 'final' | 'credit' | 'extra';

/** What a session drafts on a job in each status: mostly what it takes, now and then what it refuses. */
const KINDS: Record<JobStatus, Kind[]> = {
  open: ['deposit', 'summary', 'itemized', 'itemized', 'final'],
  closed: ['final', 'final', 'summary', 'deposit', 'credit'],
  billed: ['credit', 'credit', 'credit', 'extra', 'summary'],
};

const draftInput = (kind: Kind, { per, backdate }: DraftOp): NewDraft => {
  const dated = backdate > 0 ? { issueDate: addDays(today(), -backdate) } : {};
  const share = (whole: number) => (Math.round(whole * per) / 1000).toFixed(2);
  switch (kind) {
    case 'deposit':
      return { policy: 'deposit', amount: share(300), ...dated };
    case 'summary':
      return { policy: 'progress_summary', percent: String(Math.ceil(per / 10)), ...dated };
    case 'itemized':
      return {
        policy: 'progress_itemized',
        progress: [{ chargeId: '', percentComplete: String(Math.ceil(per / 10)) }],
        ...dated,
      };
    case 'final':
      return { policy: 'final', ...dated };
    case 'credit':
      return { policy: 'correction', lines: [{ description: 'Credit', amount: `-${share(50)}` }], ...dated };
    case 'extra':
      return { policy: 'correction', lines: [{ description: 'Extra', amount: share(10) }], ...dated };
  }
};

interface Session {
  tenantId: string;
  jobIds: string[];
  /** Every invoice id ever drafted, and what the session believes is still a draft or issued. */
  all: string[];
  drafts: string[];
  issued: string[];
}

const pick = <T>(list: T[], index: number): T | undefined => list[index % Math.max(1, list.length)];
/** Issues a draft as a user would: when its backdated date falls before the series' last invoice, dated today instead. */
const issueDraft = async (s: Session, id: string): Promise<Invoice | string> => {
  const result = await outcome(issueInvoice(s.tenantId, id));
  if (result !== 'ISSUE_DATE_BEFORE_LAST') return result;
  await updateDraft(s.tenantId, id, { issueDate: null });
  return outcome(issueInvoice(s.tenantId, id));
};

const moveToIssued = (s: Session, id: string): void => {
  s.drafts = s.drafts.filter((d) => d !== id);
  s.issued.push(id);
};

const runOp = async (s: Session, op: Op): Promise<void> => {
  switch (op.op) {
    case 'draft': {
      const job = await getJob(s.tenantId, pick(s.jobIds, op.job)!);
      const input = draftInput(pick(KINDS[job.status], op.choice)!, op);
      if (input.progress) input.progress = [{ ...input.progress[0]!, chargeId: job.charges[op.per % job.charges.length]!.id }];
      const jobId = job.id;
      const result = await outcome(createDraft(s.tenantId, jobId, input));
      if (typeof result === 'string') return;
      s.all.push(result.invoice.id);
      s.drafts.push(result.invoice.id);
      if (op.issueNow && typeof (await issueDraft(s, result.invoice.id)) !== 'string') moveToIssued(s, result.invoice.id);
      return;
    }
    case 'issue': {
      const id = pick(s.drafts, op.index);
      if (id && typeof (await issueDraft(s, id)) !== 'string') moveToIssued(s, id);
      return;
    }
    case 'issue_two_at_once': {
      const ids = [...new Set([pick(s.drafts, op.index), pick(s.drafts, op.other)])].filter((id): id is string => !!id);
      const results = await Promise.all(ids.map((id) => issueDraft(s, id)));
      ids.forEach((id, i) => typeof results[i] !== 'string' && moveToIssued(s, id));
      return;
    }
    case 'void': {
      const id = pick(s.issued, op.index);
      if (id) await outcome(voidInvoice(s.tenantId, id));
      return;
    }
    case 'delete': {
      const id = pick(s.drafts, op.index);
      if (id && (await outcome(deleteDraft(s.tenantId, id))) === undefined) s.drafts = s.drafts.filter((d) => d !== id);
      return;
    }
    case 'close':
      await outcome(closeJob(s.tenantId, pick(s.jobIds, op.job)!));
  }
};

/** Per series and counter scope: numbers 1..n, each formatted from its own date, unique, findable, dates in number order. */
const expectGapFreeNumbers = async (s: Session): Promise<Invoice[]> => {
  const stored = (await Promise.all(s.all.map((id) => outcome(getInvoice(s.tenantId, id))))).filter(
    (i): i is Invoice => typeof i !== 'string',
  );
  const numbered = stored.filter((i) => i.number !== null);
  expect(numbered.every((i) => i.series !== null && i.issueDate !== null && i.status !== 'draft')).toBe(true);
  expect(stored.filter((i) => i.status === 'draft').every((i) => i.number === null)).toBe(true);
  const groups = new Map<string, Invoice[]>();
  for (const invoice of numbered) {
    const key = `${invoice.series}/${counterScope(formatOf(invoice.series!), invoice.issueDate!)}`;
    groups.set(key, [...(groups.get(key) ?? []), invoice]);
  }
  for (const [key, invoices] of groups) {
    const sequenceOf = (i: Invoice) => Number(i.number!.split('-').at(-1));
    const ordered = [...invoices].sort((a, b) => sequenceOf(a) - sequenceOf(b));
    expect(ordered.map(sequenceOf), `${key} is gap-free`).toEqual(ordered.map((_, n) => n + 1));
    expect(ordered.map((i) => i.number)).toEqual(
      ordered.map((i) => formatNumber(formatOf(i.series!), sequenceOf(i), i.issueDate!)),
    );
    const dates = ordered.map((i) => i.issueDate!);
    expect(dates, `${key}: number order is date order`).toEqual([...dates].sort());
    expect(ordered.every((i) => (i.series === 'credit_note') === amount(i.totals.gross).isNegative())).toBe(true);
  }
  expect(new Set(numbered.map((i) => i.number)).size).toBe(numbered.length);
  for (const invoice of numbered) expect((await findInvoiceByNumber(s.tenantId, invoice.number!))?.id).toBe(invoice.id);
  return numbered;
};

/** Each job's invoiced to date is the net of its invoices that are issued and not voided. */
const expectLedgers = async (s: Session, numbered: Invoice[]): Promise<void> => {
  for (const jobId of s.jobIds) {
    const job = await getJob(s.tenantId, jobId);
    const nets = numbered.filter((i) => i.jobId === jobId && i.status !== 'voided').map((i) => i.totals.net);
    expect(toAmountString(job.invoicedToDate, 'EUR'), jobId).toBe(toAmountString(sumAmounts(nets), 'EUR'));
  }
};

describe('invoice numbering through the services', () => {
  it('keeps numbers gap-free, unique and in date order per series through random drafts, issues, voids and deletes', async () => {
    const seen = { invoices: 0, creditNotes: 0, voided: 0 };
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 2, max: 3 }), fc.array(opArb, { minLength: 12, maxLength: 24 }), async (jobs, ops) => {
        // Prepare: job 1 open, job 2 billed by its final invoice (it takes credit notes), job 3 (if any) closed
        const { tenantId, jobIds } = await tenantWithJobs(jobs);
        const s: Session = { tenantId, jobIds, all: [], drafts: [], issued: [] };
        for (const jobId of jobIds.slice(1)) await closeJob(tenantId, jobId);
        const { invoice: final } = await createDraft(tenantId, jobIds[1]!, { policy: 'final' });
        s.all.push(final.id);
        await issueInvoice(tenantId, final.id);
        s.issued.push(final.id);
        // Act
        for (const op of ops) await runOp(s, op);
        // Assess
        const numbered = await expectGapFreeNumbers(s);
        await expectLedgers(s, numbered);
        seen.invoices += numbered.filter((i) => i.series === 'invoice').length;
        seen.creditNotes += numbered.filter((i) => i.series === 'credit_note').length;
        seen.voided += numbered.filter((i) => i.status === 'voided').length;
      }),
      { numRuns: 15 },
    );
    // The runs together did issue both series and voided some
    expect(seen.invoices).toBeGreaterThan(0);
    expect(seen.creditNotes).toBeGreaterThan(0);
    expect(seen.voided).toBeGreaterThan(0);
  }, 180_000);

  it('issues a draft issued twice at once one time: one number, the other call INVOICE_NOT_DRAFT, no gap after', async () => {
    // Prepare
    const { tenantId, jobIds } = await tenantWithJobs(1);
    const jobId = jobIds[0]!;
    const deposit = async () => (await createDraft(tenantId, jobId, { policy: 'deposit', amount: '10.00' })).invoice.id;
    const year = today().slice(0, 4);
    for (let round = 1; round <= 4; round++) {
      const id = await deposit();
      // Act
      const results = await Promise.all([outcome(issueInvoice(tenantId, id)), outcome(issueInvoice(tenantId, id))]);
      // Assess
      const issued = results.filter((r): r is Invoice => typeof r !== 'string');
      expect(issued).toHaveLength(1);
      expect(results.filter((r) => typeof r === 'string')).toEqual(['INVOICE_NOT_DRAFT']);
      expect(issued[0]!.number).toBe(`INV-${year}-${String(round).padStart(5, '0')}`);
      expect((await getInvoice(tenantId, id)).number).toBe(issued[0]!.number);
    }
    // The job billed each deposit once, and the next number follows without a gap
    expect((await getJob(tenantId, jobId)).invoicedToDate).toBe('40.00');
    expect((await issueInvoice(tenantId, await deposit())).number).toBe(`INV-${year}-00005`);
  }, 60_000);
});
