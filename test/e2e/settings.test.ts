import { describe, expect, it } from 'vitest';
import { newTenant, type ApiClient } from '../support/api.js';
import { draft, issue, jobWithCharges } from '../support/billing.js';

const fitOut = { description: 'Fit-out', quantity: '1', unitPrice: '1000.00', taxRate: '20' };
const goodwill = { policy: 'correction', lines: [{ description: 'Goodwill', amount: '-10.00', taxRate: '20' }] };

const settingsOf = async (api: ApiClient) => {
  const read = await api.request('GET', '/v1/settings');
  return { settings: read.body, etag: read.headers.get('etag') };
};

/** Issues a deposit invoice of the job and returns its number. */
const depositNumber = async (api: ApiClient, jobId: string): Promise<string> =>
  (await issue(api, (await draft(api, jobId, { policy: 'deposit', amount: '10' })).id)).number;

/** A job closed and billed by its final invoice, so that corrections of it are credit notes. */
const billedJob = async () => {
  const { api, job } = await jobWithCharges([fitOut]);
  await api.request('POST', `/v1/jobs/${job.id}/close`);
  const final = await issue(api, (await draft(api, job.id, { policy: 'final' })).id);
  return { api, job, final };
};

describe('settings: ETag and If-Match', () => {
  it('answers with the version as ETag; a stale If-Match is 412 and changes nothing', async () => {
    // Prepare
    const api = await newTenant();
    expect((await settingsOf(api)).etag).toBe('"1"');
    // Act
    const changed = await api.request('PATCH', '/v1/settings', { defaultDueDays: 14 }, { 'if-match': '"1"' });
    const stale = await api.request('PATCH', '/v1/settings', { defaultDueDays: 7 }, { 'if-match': '"1"' });
    // Assess
    expect([changed.status, changed.headers.get('etag'), changed.body.defaultDueDays]).toEqual([200, '"2"', 14]);
    expect([stale.status, stale.body.code]).toEqual([412, 'PRECONDITION_FAILED']);
    expect(await settingsOf(api)).toMatchObject({ etag: '"2"', settings: { defaultDueDays: 14 } });
  });

  it('applies ten concurrent changes without If-Match, each to what the others left: all succeed, none is lost', async () => {
    // Prepare
    const api = await newTenant();
    const patches = [
      { invoiceNumberFormat: 'F-{YYYY}-{SEQ}' },
      { creditNoteNumberFormat: 'G-{YYYY}-{SEQ}' },
      { backdatingDays: 45 },
      { accountingIntegration: true },
      { defaultCurrency: 'USD' },
      { defaultDueDays: 14 },
      { backdatingDays: 45, defaultDueDays: 14 },
      { accountingIntegration: true, defaultCurrency: 'USD' },
      { invoiceNumberFormat: 'F-{YYYY}-{SEQ}', backdatingDays: 45 },
      { creditNoteNumberFormat: 'G-{YYYY}-{SEQ}', defaultDueDays: 14 },
    ];
    // Act
    const answers = await Promise.all(patches.map((patch) => api.request('PATCH', '/v1/settings', patch)));
    // Assess
    expect(answers.map((a) => a.status)).toEqual(patches.map(() => 200));
    expect(await settingsOf(api)).toEqual({
      // every change made a version of its own
      etag: '"11"',
      settings: {
        invoiceNumberFormat: 'F-{YYYY}-{SEQ}',
        creditNoteNumberFormat: 'G-{YYYY}-{SEQ}',
        backdatingDays: 45,
        accountingIntegration: true,
        defaultCurrency: 'USD',
        defaultDueDays: 14,
        approvalExpiryDays: 14,
        approvalReminderDays: null,
        deemedAcceptanceDays: null,
        partialInvoicing: true,
        allowZeroSelectionApproval: false,
        wipAccount: 'work_in_process',
        costOfSalesAccount: 'cost_of_sales',
        timeZone: 'UTC',
      },
    });
  });
});

describe('settings: the time zone', () => {
  it('takes a zone of the tz database, not a UTC offset (which schedules could not use): 400 naming timeZone, nothing changed', async () => {
    // Prepare
    const api = await newTenant();
    // Act
    const offsets = await Promise.all(['+01:00', '-0530'].map((timeZone) => api.request('PATCH', '/v1/settings', { timeZone })));
    const zone = await api.request('PATCH', '/v1/settings', { timeZone: 'Etc/GMT-1' });
    // Assess
    for (const refused of offsets) {
      expect([refused.status, refused.body.code, refused.body.errors.map((e: { field: string }) => e.field)]).toEqual([
        400,
        'VALIDATION_FAILED',
        ['timeZone'],
      ]);
    }
    expect([zone.status, zone.body.timeZone, zone.headers.get('etag')]).toEqual([200, 'Etc/GMT-1', '"2"']);
  });

  it('keeps a zone spelled as the tz database spells it, whatever the case it was given in, and another name of it as given', async () => {
    // Prepare
    const api = await newTenant();
    // Act
    const lower = await api.request('PATCH', '/v1/settings', { timeZone: 'europe/berlin' });
    const modern = await api.request('PATCH', '/v1/settings', { timeZone: 'Asia/Kolkata' });
    // Assess
    expect([lower.status, lower.body.timeZone]).toEqual([200, 'Europe/Berlin']);
    expect([modern.status, modern.body.timeZone]).toEqual([200, 'Asia/Kolkata']);
    expect((await api.request('GET', '/v1/settings')).body.timeZone).toBe('Asia/Kolkata');
  });
});

describe('settings cannot block issuing', () => {
  it('refuses series formats that could print the same number: 422 NUMBER_FORMATS_OVERLAP naming the field; both series then number', async () => {
    // Prepare
    const { api, job } = await jobWithCharges([fitOut]);
    expect((await api.request('PATCH', '/v1/settings', { invoiceNumberFormat: 'X-{SEQ}' })).status).toBe(200);
    const before = await settingsOf(api);
    // Act
    const refused = await api.request('PATCH', '/v1/settings', { creditNoteNumberFormat: 'X-1{SEQ}', defaultDueDays: 5 });
    // Assess
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ code: 'NUMBER_FORMATS_OVERLAP', errors: [{ field: 'creditNoteNumberFormat' }] });
    expect(refused.body.detail).toContain('X-11');
    expect(await settingsOf(api)).toEqual(before);
    await api.request('POST', `/v1/jobs/${job.id}/close`);
    const final = await issue(api, (await draft(api, job.id, { policy: 'final' })).id);
    const credit = await issue(api, (await draft(api, job.id, goodwill)).id);
    expect([final.number, credit.number]).toEqual(['X-1', `CN-${credit.issueDate.slice(0, 4)}-00001`]);
  });

  it('refuses a format whose next number is taken: 422 NUMBER_FORMAT_REUSES_NUMBERS naming the field; issuing goes on', async () => {
    // Prepare
    const { api, job } = await jobWithCharges([fitOut]);
    const first = await depositNumber(api, job.id);
    const year = first.slice(4, 8);
    expect(first).toBe(`INV-${year}-00001`);
    const before = await settingsOf(api);
    // Act
    const refused = await api.request('PATCH', '/v1/settings', { invoiceNumberFormat: `INV-${year}-{SEQ:5}` });
    // Assess
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ code: 'NUMBER_FORMAT_REUSES_NUMBERS', errors: [{ field: 'invoiceNumberFormat' }] });
    expect(refused.body.detail).toContain(`INV-${year}-00001`);
    expect(await settingsOf(api)).toEqual(before);
    expect(await depositNumber(api, job.id)).toBe(`INV-${year}-00002`);
  });

  it("refuses a format that would print the other series' numbers, though that series has moved on", async () => {
    // Prepare: a credit note numbered CN-<year>-00001, then the credit notes move to another format
    const { api, job } = await billedJob();
    const credit = await issue(api, (await draft(api, job.id, goodwill)).id);
    expect((await api.request('PATCH', '/v1/settings', { creditNoteNumberFormat: 'KN-{SEQ}' })).status).toBe(200);
    // Act
    const refused = await api.request('PATCH', '/v1/settings', {
      invoiceNumberFormat: `CN-${credit.issueDate.slice(0, 4)}-{SEQ:5}`,
    });
    // Assess
    expect([refused.status, refused.body.code, refused.body.errors?.[0]?.field]).toEqual([
      422,
      'NUMBER_FORMAT_REUSES_NUMBERS',
      'invoiceNumberFormat',
    ]);
    expect(refused.body.detail).toContain(credit.number);
    expect((await issue(api, (await draft(api, job.id, goodwill)).id)).number).toBe('KN-1');
  });

  it('lets a tenant that numbered nothing change formats freely', async () => {
    // Prepare
    const { api, job } = await jobWithCharges([fitOut]);
    const year = String(new Date().getUTCFullYear());
    const changes = [
      { invoiceNumberFormat: `INV-${year}-{SEQ:5}` },
      { invoiceNumberFormat: 'INV-{YYYY}-{SEQ:5}', creditNoteNumberFormat: 'INV-{YYYY}/{SEQ}' },
      { creditNoteNumberFormat: 'CN-{YYYY}-{SEQ:5}' },
    ];
    // Act
    const answers = [];
    for (const change of changes) answers.push((await api.request('PATCH', '/v1/settings', change)).status);
    // Assess
    expect(answers).toEqual([200, 200, 200]);
    expect(await depositNumber(api, job.id)).toMatch(/^INV-\d{4}-00001$/);
  });

  it('takes the year into a format and back: each counter goes on, nothing is numbered twice', async () => {
    // Prepare
    const { api, job } = await jobWithCharges([fitOut]);
    await api.request('PATCH', '/v1/settings', { invoiceNumberFormat: 'INV-{SEQ}' });
    expect([await depositNumber(api, job.id), await depositNumber(api, job.id)]).toEqual(['INV-1', 'INV-2']);
    // Act
    const withYear = await api.request('PATCH', '/v1/settings', { invoiceNumberFormat: 'INV-{YYYY}-{SEQ}' });
    const yearly = await depositNumber(api, job.id);
    const back = await api.request('PATCH', '/v1/settings', { invoiceNumberFormat: 'INV-{SEQ}' });
    const counted = await depositNumber(api, job.id);
    const yearAgain = await api.request('PATCH', '/v1/settings', { invoiceNumberFormat: 'INV-{YYYY}-{SEQ}' });
    // Assess
    expect([withYear.status, back.status, yearAgain.status]).toEqual([200, 200, 200]);
    expect(yearly).toMatch(/^INV-\d{4}-1$/);
    expect(counted).toBe('INV-3');
    expect(await depositNumber(api, job.id)).toBe(`${yearly.slice(0, -1)}2`);
  });
});
