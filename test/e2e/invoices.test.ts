import { describe, expect, it } from 'vitest';
import { addDays } from '../../functions/domain/dates.js';
import { newTenant } from '../support/api.js';
import { daysAgo, draft, issue, jobWithCharges } from '../support/billing.js';

const kitchen = [
  { description: 'Cabinets', quantity: '1', unitPrice: '1000.00', taxRate: '20', group: 'Fit-out' },
  { description: 'Worktop', quantity: '2', unitPrice: '250.00', taxRate: '20', group: 'Fit-out' },
];

describe('invoice drafts', () => {
  it('refuses bad input naming the field, and writes nothing', async () => {
    const { api, job } = await jobWithCharges(kitchen);
    const cases = [
      [{}, 'policy'],
      [{ policy: 'monthly' }, 'policy'],
      [{ policy: 'deposit' }, 'amount'],
      [{ policy: 'deposit', amount: '10', percent: '5' }, 'amount'],
      [{ policy: 'deposit', amount: 10 }, 'amount'],
      [{ policy: 'progress_itemized' }, 'progress'],
      [{ policy: 'progress_itemized', progress: [{ chargeId: 'x' }] }, 'progress.0.percentComplete'],
      [{ policy: 'correction', lines: [{ description: 'x' }] }, 'lines.0.amount'],
      [{ policy: 'correction', lines: [{ description: 'x', amount: '-10', quantity: '2' }] }, 'lines.0.quantity'],
      [{ policy: 'deposit', amount: '10', issueDate: '2026-03-02', dueDate: '2026-03-01' }, 'dueDate'],
      [{ policy: 'final', dueDate: '2026-02-30' }, 'dueDate'],
      [{ policy: 'final', surprise: true }, 'surprise'],
    ] as const;
    for (const [body, field] of cases) {
      const response = await api.request('POST', `/v1/jobs/${job.id}/invoices`, body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(
        response.body.errors.map((e: { field: string }) => e.field),
        JSON.stringify(body),
      ).toContain(field);
    }
    expect((await api.request('GET', `/v1/invoices?jobId=${job.id}`)).body.items).toEqual([]);
    expect((await api.request('GET', `/v1/jobs/${job.id}`)).body.version).toBe(job.version);
  });

  it("answers 404 for another tenant's job and invoices", async () => {
    const mine = await jobWithCharges(kitchen);
    const theirs = await newTenant();
    const invoice = await draft(mine.api, mine.job.id, { policy: 'deposit', amount: '100' });
    const attempts = await Promise.all([
      theirs.request('POST', `/v1/jobs/${mine.job.id}/invoices`, { policy: 'deposit', amount: '100' }),
      theirs.request('GET', `/v1/invoices/${invoice.id}`),
      theirs.request('PATCH', `/v1/invoices/${invoice.id}`, { notes: 'x' }),
      theirs.request('POST', `/v1/invoices/${invoice.id}/issue`),
      theirs.request('DELETE', `/v1/invoices/${invoice.id}`),
    ]);
    expect(attempts.map((a) => a.status)).toEqual([404, 404, 404, 404, 404]);
    expect((await theirs.request('GET', '/v1/invoices')).body.items).toEqual([]);
    expect((await mine.api.request('GET', `/v1/invoices/${invoice.id}`)).body).toMatchObject({ status: 'draft', notes: null });
  });

  it('edits and deletes drafts only; a job with an invoice cannot be deleted', async () => {
    const { api, job } = await jobWithCharges(kitchen);
    const invoice = await draft(api, job.id, { policy: 'deposit', amount: '100', taxRate: '20' });
    const edited = await api.request('PATCH', `/v1/invoices/${invoice.id}`, {
      notes: 'Thanks',
      lines: [{ id: 'L1', description: 'Advance' }],
    });
    expect(edited.body).toMatchObject({ notes: 'Thanks', lines: [{ description: 'Advance', amount: '100.00' }], version: 2 });
    expect((await api.request('DELETE', `/v1/jobs/${job.id}`)).body.code).toBe('JOB_HAS_INVOICES');

    const removable = await draft(api, job.id, { policy: 'deposit', amount: '50' });
    expect((await api.request('DELETE', `/v1/invoices/${removable.id}`)).status).toBe(204);
    expect((await api.request('GET', `/v1/invoices/${removable.id}`)).status).toBe(404);

    await issue(api, invoice.id);
    const editIssued = await api.request('PATCH', `/v1/invoices/${invoice.id}`, { notes: 'x' });
    const deleteIssued = await api.request('DELETE', `/v1/invoices/${invoice.id}`);
    expect([editIssued.status, editIssued.body.code]).toEqual([409, 'INVOICE_NOT_DRAFT']);
    expect([deleteIssued.status, deleteIssued.body.code]).toEqual([409, 'INVOICE_NOT_DRAFT']);
  });

  it('never bills the same progress twice: a draft that another issue outran is stale', async () => {
    const { api, job } = await jobWithCharges(kitchen);
    const first = await draft(api, job.id, { policy: 'progress_summary', percent: '30' });
    const second = await draft(api, job.id, {
      policy: 'progress_itemized',
      progress: [{ chargeId: job.charges[0].id, percentComplete: '30' }],
    });
    await issue(api, first.id);
    const stale = await api.request('POST', `/v1/invoices/${second.id}/issue`);
    expect([stale.status, stale.body.code]).toEqual([409, 'INVOICE_STALE']);
    expect((await api.request('GET', `/v1/jobs/${job.id}`)).body.billing.invoicedToDate).toBe('450.00');
    const again = await api.request('POST', `/v1/jobs/${job.id}/invoices`, {
      policy: 'progress_itemized',
      progress: [{ chargeId: job.charges[0].id, percentComplete: '30' }],
    });
    expect([again.status, again.body.code]).toEqual([422, 'NOTHING_TO_BILL']);
  });

  it('refuses billing past the suggested price unless allowOverbilling says so', async () => {
    const { api, job } = await jobWithCharges(kitchen);
    const over = await api.request('POST', `/v1/jobs/${job.id}/invoices`, { policy: 'progress_summary', amount: '1500.01' });
    expect([over.status, over.body.code]).toEqual([422, 'JOB_OVERBILLED']);
    const allowed = await draft(api, job.id, { policy: 'progress_summary', amount: '1500.01', allowOverbilling: true });
    expect(allowed.jobBilling.remaining).toBe('-0.01');
  });

  it('refuses progress by amount on a job with no charge to bill it against: 422 NOTHING_TO_BILL, nothing written', async () => {
    // Prepare
    const { api, job } = await jobWithCharges([]);
    // Act
    const refused = await api.request('POST', `/v1/jobs/${job.id}/invoices`, { policy: 'progress_summary', amount: '100.00' });
    // Assess
    expect([refused.status, refused.body.code]).toEqual([422, 'NOTHING_TO_BILL']);
    expect((await api.request('GET', `/v1/invoices?jobId=${job.id}`)).body.items).toEqual([]);
  });
});

describe('job status and invoice types', () => {
  it('takes partial invoices while open, one complete once closed, and only corrections once billed', async () => {
    const { api, job } = await jobWithCharges(kitchen);
    const early = await api.request('POST', `/v1/jobs/${job.id}/invoices`, { policy: 'final' });
    expect([early.status, early.body.code]).toEqual([409, 'JOB_NOT_CLOSED']);
    const correction = await api.request('POST', `/v1/jobs/${job.id}/invoices`, {
      policy: 'correction',
      lines: [{ description: 'x', amount: '-1' }],
    });
    expect([correction.status, correction.body.code]).toEqual([409, 'JOB_NOT_BILLED']);

    await issue(api, (await draft(api, job.id, { policy: 'progress_summary', percent: '50' })).id);
    await api.request('POST', `/v1/jobs/${job.id}/close`);
    await issue(api, (await draft(api, job.id, { policy: 'progress_summary', percent: '60' })).id);
    const final = await draft(api, job.id, { policy: 'final_grouped' });
    expect(final.lines).toMatchObject([{ description: 'Fit-out', group: 'Fit-out', amount: '600.00', kind: 'work' }]);
    const second = await api.request('POST', `/v1/jobs/${job.id}/invoices`, { policy: 'final' });
    expect([second.status, second.body.code]).toEqual([409, 'COMPLETE_INVOICE_EXISTS']);
    expect((await api.request('POST', `/v1/jobs/${job.id}/reopen`)).status).toBe(200);
    expect((await api.request('POST', `/v1/invoices/${final.id}/issue`)).body.code).toBe('JOB_NOT_CLOSED');
    await api.request('POST', `/v1/jobs/${job.id}/close`);
    await issue(api, final.id);

    const billed = (await api.request('GET', `/v1/jobs/${job.id}`)).body;
    expect(billed).toMatchObject({ status: 'billed', billing: { invoicedToDate: '1500.00', remaining: '0.00' } });
    const refusals = await Promise.all([
      api.request('PATCH', `/v1/jobs/${job.id}`, { name: 'x' }),
      api.request('POST', `/v1/jobs/${job.id}/charges`, { description: 'x', quantity: '1', unitPrice: '1' }),
      api.request('POST', `/v1/jobs/${job.id}/invoices`, { policy: 'deposit', amount: '1' }),
      api.request('POST', `/v1/jobs/${job.id}/reopen`),
    ]);
    expect(refusals.map((r) => r.body.code)).toEqual(['JOB_BILLED', 'JOB_BILLED', 'JOB_BILLED', 'JOB_NOT_CLOSED']);
    const grouped = await draft(api, job.id, {
      policy: 'correction_grouped',
      lines: [
        { description: 'Scratch', amount: '-20', taxRate: '20', group: 'Discounts' },
        { description: 'Dent', amount: '-30', taxRate: '20', group: 'Discounts' },
      ],
    });
    expect(grouped.lines).toMatchObject([{ description: 'Discounts', amount: '-50.00' }]);
    expect(grouped.totals).toEqual({ net: '-50.00', tax: '-10.00', gross: '-60.00' });
  });
});

describe('retainage and other customers', () => {
  it('withholds retainage on progress and final invoices and bills it on release, after the job is billed', async () => {
    const { api, job } = await jobWithCharges([{ description: 'Steelwork', quantity: '1', unitPrice: '1000.00', taxRate: '0' }], {
      retainagePercent: '10',
    });
    const progress = await issue(api, (await draft(api, job.id, { policy: 'progress_summary', percent: '50' })).id);
    expect(progress).toMatchObject({ totals: { net: '450.00' }, retainageWithheld: '50.00' });
    await api.request('POST', `/v1/jobs/${job.id}/close`);
    const final = await issue(api, (await draft(api, job.id, { policy: 'final' })).id);
    expect(final).toMatchObject({ totals: { net: '450.00' }, retainageWithheld: '50.00' });
    expect((await api.request('GET', `/v1/jobs/${job.id}`)).body).toMatchObject({
      status: 'billed',
      billing: { invoicedToDate: '900.00', retainageHeld: '100.00', remaining: '0.00' },
    });
    const tooMuch = await api.request('POST', `/v1/jobs/${job.id}/invoices`, { policy: 'retainage_release', amount: '100.01' });
    expect([tooMuch.status, tooMuch.body.code]).toEqual([422, 'RETAINAGE_EXCEEDED']);
    const release = await issue(api, (await draft(api, job.id, { policy: 'retainage_release' })).id);
    expect(release).toMatchObject({ lines: [{ kind: 'retainage_release', amount: '100.00' }], totals: { net: '100.00' } });
    expect((await api.request('GET', `/v1/jobs/${job.id}`)).body.billing).toMatchObject({
      invoicedToDate: '1000.00',
      retainageHeld: '0.00',
    });
  });

  it("bills another of the tenant's customers, and refuses one of nowhere", async () => {
    const { api, job } = await jobWithCharges(kitchen);
    const payer = (await api.request('POST', '/v1/customers', { name: 'Insurer' })).body;
    const invoice = await draft(api, job.id, { policy: 'deposit', amount: '100', customerId: payer.id });
    expect(invoice.customerId).toBe(payer.id);
    expect((await api.request('GET', `/v1/invoices?customerId=${payer.id}`)).body.items.map((i: { id: string }) => i.id)).toEqual(
      [invoice.id],
    );
    const nowhere = await api.request('POST', `/v1/jobs/${job.id}/invoices`, {
      policy: 'deposit',
      amount: '100',
      customerId: 'cus_nowhere',
    });
    expect([nowhere.status, nowhere.body.code, nowhere.body.errors[0].field]).toEqual([422, 'CUSTOMER_NOT_FOUND', 'customerId']);
  });
});

describe('issuing, voiding and posting', () => {
  it('numbers at issue, keeps the number of a voided invoice, and gives its billing back to the job', async () => {
    const { api, job } = await jobWithCharges(kitchen);
    const first = await issue(api, (await draft(api, job.id, { policy: 'progress_summary', amount: '300' })).id);
    const voided = await api.request('POST', `/v1/invoices/${first.id}/void`);
    const year = first.issueDate.slice(0, 4);
    expect(voided.body).toMatchObject({ status: 'voided', number: `INV-${year}-00001` });
    expect((await api.request('GET', `/v1/jobs/${job.id}`)).body.billing).toMatchObject({
      invoicedToDate: '0.00',
      remaining: '1500.00',
    });
    const second = await issue(api, (await draft(api, job.id, { policy: 'progress_summary', amount: '300' })).id);
    expect(second.number).toBe(`INV-${year}-00002`);
    expect((await api.request('POST', `/v1/invoices/${first.id}/void`)).body.code).toBe('INVOICE_NOT_VOIDABLE');

    await api.request('POST', `/v1/invoices/${second.id}/payments`, { amount: '1', date: daysAgo(0), method: 'card' });
    expect((await api.request('POST', `/v1/invoices/${second.id}/void`)).body.code).toBe('INVOICE_HAS_PAYMENTS');
    expect((await api.request('POST', `/v1/invoices/${second.id}/approve`)).body.code).toBe('ACCOUNTING_INTEGRATION_OFF');
    const posted = await api.request('POST', `/v1/invoices/${second.id}/post`);
    expect(posted.body.status).toBe('posted');
    expect((await api.request('POST', `/v1/invoices/${second.id}/void`)).body.code).toBe('INVOICE_NOT_VOIDABLE');
    expect(
      (await api.request('POST', `/v1/invoices/${second.id}/payments`, { amount: '1', date: daysAgo(0), method: 'card' })).body
        .invoice.amountPaid,
    ).toBe('2.00');
  });

  it('goes invoiced -> approved -> (exported) with the accounting integration on, and posts what it approved once it is off', async () => {
    const { api, job } = await jobWithCharges(kitchen);
    expect((await api.request('PATCH', '/v1/settings', { accountingIntegration: true })).body.accountingIntegration).toBe(true);
    const invoice = await issue(api, (await draft(api, job.id, { policy: 'deposit', amount: '100' })).id);
    expect((await api.request('POST', `/v1/invoices/${invoice.id}/post`)).body.code).toBe('INVOICE_NOT_POSTABLE');
    expect((await api.request('POST', `/v1/invoices/${invoice.id}/approve`)).body.status).toBe('approved');
    expect((await api.request('POST', `/v1/invoices/${invoice.id}/void`)).body.status).toBe('voided');
    const approved = await issue(api, (await draft(api, job.id, { policy: 'deposit', amount: '100' })).id);
    await api.request('POST', `/v1/invoices/${approved.id}/approve`);
    await api.request('PATCH', '/v1/settings', { accountingIntegration: false });
    expect((await api.request('POST', `/v1/invoices/${approved.id}/post`)).body.status).toBe('posted');
  });

  it('backdates within the window, never before the last invoice of the series, never into the future', async () => {
    const { api, job } = await jobWithCharges(kitchen);
    // One counter whatever the year: early in January the dates below fall in two years
    await api.request('PATCH', '/v1/settings', { invoiceNumberFormat: 'INV-{SEQ:5}' });
    const tooOld = await draft(api, job.id, { policy: 'deposit', amount: '10', issueDate: daysAgo(31) });
    expect((await api.request('POST', `/v1/invoices/${tooOld.id}/issue`)).body).toMatchObject({
      code: 'BACKDATING_WINDOW_EXCEEDED',
      errors: [{ field: 'issueDate' }],
    });
    const backdated = await issue(
      api,
      (await draft(api, job.id, { policy: 'deposit', amount: '10', issueDate: daysAgo(10), dueDays: 14 })).id,
    );
    expect(backdated).toMatchObject({ issueDate: daysAgo(10), dueDate: addDays(backdated.issueDate, 14) });
    const beforeLast = await draft(api, job.id, { policy: 'deposit', amount: '10', issueDate: daysAgo(20) });
    expect((await api.request('POST', `/v1/invoices/${beforeLast.id}/issue`)).body.code).toBe('ISSUE_DATE_BEFORE_LAST');
    const future = await draft(api, job.id, { policy: 'deposit', amount: '10', issueDate: daysAgo(-2) }); // clear of midnight
    expect((await api.request('POST', `/v1/invoices/${future.id}/issue`)).body.code).toBe('ISSUE_DATE_IN_FUTURE');
    await api.request('PATCH', '/v1/settings', { backdatingDays: 60 });
    const widened = await draft(api, job.id, { policy: 'deposit', amount: '10', issueDate: daysAgo(5) });
    expect((await issue(api, widened.id)).number).toBe('INV-00002');
  });

  it('numbers with the tenant format, and refuses a format without a counter', async () => {
    const { api, job } = await jobWithCharges(kitchen);
    const bad = await api.request('PATCH', '/v1/settings', { invoiceNumberFormat: 'INV-{YYYY}' });
    expect([bad.status, bad.body.errors?.[0]?.field]).toEqual([400, 'invoiceNumberFormat']);
    expect((await api.request('GET', '/v1/settings')).body).toMatchObject({
      invoiceNumberFormat: 'INV-{YYYY}-{SEQ:5}',
      backdatingDays: 30,
      defaultDueDays: 30,
    });
    await api.request('PATCH', '/v1/settings', { invoiceNumberFormat: 'A{YY}/{SEQ:3}', defaultDueDays: 10 });
    const alike = await api.request('PATCH', '/v1/settings', { creditNoteNumberFormat: 'A{YY}/{SEQ:4}' });
    expect([alike.status, alike.body.code, alike.body.errors?.[0]?.field]).toEqual([
      422,
      'NUMBER_FORMATS_OVERLAP',
      'creditNoteNumberFormat',
    ]);
    const invoice = await issue(api, (await draft(api, job.id, { policy: 'deposit', amount: '10' })).id);
    expect(invoice).toMatchObject({ number: `A${invoice.issueDate.slice(2, 4)}/001`, dueDate: addDays(invoice.issueDate, 10) });
  });

  it('replays an issue retried with its Idempotency-Key and records a retried payment once', async () => {
    const { api, job } = await jobWithCharges(kitchen);
    const invoice = await draft(api, job.id, { policy: 'deposit', amount: '100' });
    const [a, b] = [
      await api.request('POST', `/v1/invoices/${invoice.id}/issue`, undefined, { 'idempotency-key': 'issue-1' }),
      await api.request('POST', `/v1/invoices/${invoice.id}/issue`, undefined, { 'idempotency-key': 'issue-1' }),
    ];
    expect(b.body).toEqual(a.body);
    const payment = { amount: '40', date: daysAgo(0), method: 'cash' };
    const first = await api.request('POST', `/v1/invoices/${invoice.id}/payments`, payment, { 'idempotency-key': 'pay-1' });
    const retried = await api.request('POST', `/v1/invoices/${invoice.id}/payments`, payment, { 'idempotency-key': 'pay-1' });
    expect(retried.body).toEqual(first.body);
    expect(retried.body).toMatchObject({
      amount: '40.00',
      invoiceId: invoice.id,
      invoice: { amountPaid: '40.00', balanceDue: '80.00' },
    });
    expect((await api.request('GET', `/v1/invoices/${invoice.id}`)).body.payments).toMatchObject([
      { id: first.body.id, amount: '40.00' },
    ]);
    expect((await api.request('GET', `/v1/jobs/${job.id}`)).body.billing.paidToDate).toBe('33.33');
  });
});

describe('finding invoices', () => {
  it('filters by job, customer, status, type, number and date range', async () => {
    const { api, job, customer } = await jobWithCharges(kitchen);
    const other = await jobWithCharges(kitchen, {}, api);
    const old = await issue(api, (await draft(api, job.id, { policy: 'deposit', amount: '10', issueDate: daysAgo(9) })).id);
    const recent = await issue(
      api,
      (await draft(api, other.job.id, { policy: 'deposit', amount: '20', issueDate: daysAgo(2) })).id,
    );
    const pending = await draft(api, job.id, { policy: 'progress_summary', amount: '5' });
    const ids = async (query: string) =>
      (await api.request('GET', `/v1/invoices?${query}`)).body.items.map((i: { id: string }) => i.id);
    expect(await ids('')).toEqual([pending.id, recent.id, old.id]);
    expect(await ids(`jobId=${job.id}`)).toEqual([pending.id, old.id]);
    expect(await ids(`customerId=${customer.id}`)).toEqual([pending.id, old.id]);
    expect(await ids('status=draft')).toEqual([pending.id]);
    expect(await ids('type=partial&status=invoiced')).toEqual([recent.id, old.id]);
    expect(await ids(`number=${recent.number}`)).toEqual([recent.id]);
    expect(await ids(`from=${daysAgo(10)}&to=${daysAgo(5)}`)).toEqual([old.id]);
    expect(await ids(`from=${daysAgo(3)}&to=${daysAgo(1)}`)).toEqual([recent.id]);
    expect((await api.request('GET', '/v1/invoices?from=yesterday')).status).toBe(400);
  });
});

describe('concurrent issues', () => {
  // A tenant's issues queue on its number counter: one that waits past the retry budget (7 of the
  // function's 10 s, which a loaded machine can reach) is refused as busy, writing nothing.
  it('gives 50 drafts issued at once 50 distinct, consecutive numbers', async () => {
    // Prepare: 50 drafts over 5 jobs of one tenant
    const api = await newTenant('Busy', 'EUR');
    const jobs = await Promise.all(Array.from({ length: 5 }, () => jobWithCharges(kitchen, {}, api)));
    const drafts = await Promise.all(
      jobs.flatMap(({ job }) => Array.from({ length: 10 }, () => draft(api, job.id, { policy: 'deposit', amount: '10.00' }))),
    );
    const issue = (id: string) => api.request('POST', `/v1/invoices/${id}/issue`);
    // Act
    const first = await Promise.all(drafts.map((d) => issue(d.id)));
    const busy = drafts.filter((_, i) => first[i]!.status !== 200);
    const again = [];
    for (const d of busy) again.push(await issue(d.id));
    // Assess
    expect(first.filter((r) => r.status === 200).length).toBeGreaterThan(0);
    for (const refused of first.filter((r) => r.status !== 200))
      expect([refused.status, refused.body.code]).toEqual([409, 'VERSION_CONFLICT']);
    expect(again.map((r) => r.status)).toEqual(Array(busy.length).fill(200));
    const issued = [...first.filter((r) => r.status === 200), ...again];
    const numbers = issued.map((r) => Number(r.body.number.split('-')[2])).sort((a, b) => a - b);
    expect(numbers).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    for (const { job } of jobs) {
      expect((await api.request('GET', `/v1/jobs/${job.id}`)).body.billing).toMatchObject({
        invoicedToDate: '100.00',
        depositsHeld: '100.00',
      });
    }
  }, 60_000);
});
