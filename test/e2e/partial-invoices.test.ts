import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { newTenant, type ApiClient, type ApiResponse } from '../support/api.js';

const KINDS = ['hours', 'material', 'purchase'] as const;

/** The i-th of a set of varied booked expenditures: kinds in turn, 4-decimal quantities whose amounts round. */
const item = (i: number) => ({
  kind: KINDS[i % 3],
  date: `2026-03-${String((i % 28) + 1).padStart(2, '0')}`,
  description: `Work ${i}`,
  quantity: `${(i % 7) + 1}.${String(i % 10000).padStart(4, '0')}`,
  unitCost: `${10 + (i % 13)}.3333`,
  unitPrice: `${20 + (i % 11)}.125`,
  booked: true,
});

interface Booked {
  id: string;
  kind: string;
  cost: string;
  salesValue: string;
}

const sum = (values: string[]) => values.reduce((total, v) => total.plus(v), new Decimal(0)).toFixed(2);

const expectStatus = (response: ApiResponse, status: number) =>
  expect(response.status, JSON.stringify(response.body).slice(0, 600)).toBe(status);

/** A tenant's time and material job with `count` booked expenditures (batches of 500). */
const jobWith = async (count: number, api?: ApiClient): Promise<{ api: ApiClient; jobId: string; booked: Booked[] }> => {
  const client = api ?? (await newTenant('Partial invoices'));
  const customer = await client.request('POST', '/v1/customers', { name: 'Client' });
  const job = await client.request('POST', '/v1/jobs', {
    customerId: customer.body.id,
    name: 'Refit',
    billingType: 'time_and_material',
  });
  const booked: Booked[] = [];
  for (let at = 0; at < count; at += 500) {
    const items = Array.from({ length: Math.min(500, count - at) }, (_, i) => item(at + i));
    const batch = await client.request('POST', `/v1/jobs/${job.body.id}/expenditures/batch`, { items });
    expectStatus(batch, 201);
    booked.push(...batch.body.items);
  }
  return { api: client, jobId: job.body.id, booked };
};

/** Every expenditure of the job in a listing, page by page. */
const listed = async (api: ApiClient, jobId: string, status: string): Promise<{ id: string; selection: string | null }[]> => {
  const found = [];
  let cursor: string | null = null;
  do {
    const page: ApiResponse = await api.request(
      'GET',
      `/v1/jobs/${jobId}/expenditures?status=${status}&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    expectStatus(page, 200);
    found.push(...page.body.items);
    cursor = page.body.nextCursor;
  } while (cursor);
  return found;
};

const totalsOf = (expenditures: Booked[]) => ({
  count: expenditures.length,
  cost: sum(expenditures.map((e) => e.cost)),
  salesValue: sum(expenditures.map((e) => e.salesValue)),
});

describe('partial invoices', () => {
  it('drafts a selection of 250 grouped by kind with exact totals, changes it, and refuses a second draft naming a selected expenditure', async () => {
    // Prepare
    const { api, jobId, booked } = await jobWith(260);
    const selected = booked.slice(0, 250);
    // Act
    const draft = await api.request('POST', `/v1/jobs/${jobId}/partial-invoices`, {
      expenditureIds: selected.map((e) => e.id),
      copy: 'grouped_by_kind',
    });
    // Assess: the selection's totals exact, beside the lines' (a line per kind at its sales value)
    expectStatus(draft, 201);
    const invoice = draft.body;
    expect(draft.headers.get('location')).toBe(`/v1/invoices/${invoice.id}`);
    expect(draft.headers.get('etag')).toBe(`"${invoice.version}"`);
    expect(invoice).toMatchObject({ status: 'draft', policy: 'time_and_material', number: null });
    expect(invoice.selection).toMatchObject({ state: 'open', pending: null, copy: 'grouped_by_kind', copiedLines: 3 });
    expect(invoice.selection.totals).toMatchObject(totalsOf(selected));
    for (const kind of KINDS) {
      expect(invoice.selection.totals.byKind[kind]).toEqual(totalsOf(selected.filter((e) => e.kind === kind)));
    }
    expect(invoice.lines.map((l: { group: string; amount: string }) => [l.group, l.amount])).toEqual([
      ['Hours', totalsOf(selected.filter((e) => e.kind === 'hours')).salesValue],
      ['Material', totalsOf(selected.filter((e) => e.kind === 'material')).salesValue],
      ['Purchases', totalsOf(selected.filter((e) => e.kind === 'purchase')).salesValue],
    ]);
    expect(invoice.totals.net).toBe(totalsOf(selected).salesValue);
    expect(invoice.settledCost).toBe(totalsOf(selected).cost);
    const read = await api.request('GET', `/v1/invoices/${invoice.id}`);
    expect(read.body.selection).toEqual(invoice.selection);
    const held = await listed(api, jobId, 'selected');
    expect(held).toHaveLength(250);
    expect(new Set(held.map((e) => e.selection))).toEqual(new Set([invoice.id]));

    // Act: drop the first 20, add the 10 left over, with a free line
    const next = [...selected.slice(20), ...booked.slice(250)];
    const changed = await api.request(
      'PATCH',
      `/v1/partial-invoices/${invoice.id}`,
      { expenditureIds: next.map((e) => e.id), lines: [{ description: 'Site visit', unitPrice: '100.00' }] },
      { 'if-match': draft.headers.get('etag')! },
    );
    // Assess
    expectStatus(changed, 200);
    expect(changed.body.selection.totals).toMatchObject(totalsOf(next));
    expect(changed.body.lines.at(-1)).toMatchObject({ description: 'Site visit', amount: '100.00' });
    expect(changed.body.totals.net).toBe(new Decimal(totalsOf(next).salesValue).plus(100).toFixed(2));
    expect(new Set((await listed(api, jobId, 'selected')).map((e) => e.id))).toEqual(new Set(next.map((e) => e.id)));
    expect((await listed(api, jobId, 'unbilled')).map((e) => e.id).sort()).toEqual(
      selected
        .slice(0, 20)
        .map((e) => e.id)
        .sort(),
    );

    // Act: a second draft of two free and one selected
    const taken = next[5]!;
    const second = await api.request('POST', `/v1/jobs/${jobId}/partial-invoices`, {
      expenditureIds: [selected[0]!.id, selected[1]!.id, taken.id],
    });
    // Assess: refused naming the entry, nothing of it left
    expectStatus(second, 409);
    expect(second.body.code).toBe('EXPENDITURE_NOT_SELECTABLE');
    expect(second.body.errors[0].field).toBe('expenditureIds.2');
    expect(second.body.detail).toContain(taken.id);
    expect(await listed(api, jobId, 'unbilled')).toHaveLength(20);
    const invoices = await api.request('GET', `/v1/invoices?jobId=${jobId}`);
    expect(invoices.body.items.map((i: { id: string }) => i.id)).toEqual([invoice.id]);
  });

  it('gives a draft made under an Idempotency-Key an id shaped as every id (prefix and ULID), the same on a replay', async () => {
    // Prepare
    const { api, jobId, booked } = await jobWith(3);
    const body = { expenditureIds: booked.map((e) => e.id) };
    const key = { 'Idempotency-Key': `partial-${Date.now()}` };
    // Act
    const first = await api.request('POST', `/v1/jobs/${jobId}/partial-invoices`, body, key);
    const replay = await api.request('POST', `/v1/jobs/${jobId}/partial-invoices`, body, key);
    // Assess
    expectStatus(first, 201);
    expect(first.body.id).toMatch(/^inv_[0-7][0-9A-HJKMNP-TV-Z]{25}$/);
    expect([replay.status, replay.body.id]).toEqual([201, first.body.id]);
  });

  it('lets two drafts racing for the same 50 expenditures have each in exactly one', async () => {
    // Prepare
    const { api, jobId, booked } = await jobWith(50);
    const body = { expenditureIds: booked.map((e) => e.id), copy: 'summary' };
    // Act
    const answers = await Promise.all([1, 2].map(() => api.request('POST', `/v1/jobs/${jobId}/partial-invoices`, body)));
    // Assess: one wins all, the other is refused naming an expenditure and keeps nothing
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses, JSON.stringify(answers.map((a) => a.body)).slice(0, 800)).toEqual([201, 409]);
    const winner = answers.find((a) => a.status === 201)!.body;
    const loser = answers.find((a) => a.status === 409)!.body;
    expect(loser.errors[0].field).toMatch(/^expenditureIds\.\d+$/);
    const held = await listed(api, jobId, 'selected');
    expect(held).toHaveLength(50);
    expect(new Set(held.map((e) => e.selection))).toEqual(new Set([winner.id]));
    const invoices = await api.request('GET', `/v1/invoices?jobId=${jobId}`);
    expect(invoices.body.items.map((i: { id: string }) => i.id)).toEqual([winner.id]);
    expect(winner.selection.totals).toMatchObject(totalsOf(booked));
  });

  it('selects 1,000 expenditures, and deleting the draft gives them back', async () => {
    // Prepare
    const { api, jobId, booked } = await jobWith(1000);
    // Act
    const draft = await api.request('POST', `/v1/jobs/${jobId}/partial-invoices`, { expenditureIds: booked.map((e) => e.id) });
    // Assess: itemized by default, a line per expenditure
    expectStatus(draft, 201);
    expect(draft.body.selection.totals).toMatchObject(totalsOf(booked));
    expect(draft.body.lines).toHaveLength(1000);
    expect(draft.body.totals.net).toBe(totalsOf(booked).salesValue);
    expect(await listed(api, jobId, 'selected')).toHaveLength(1000);
    const job = await api.request('GET', `/v1/jobs/${jobId}`);
    expect(job.body.expenditures.booked.hours.selected.count).toBe(334);

    // Act
    const deleted = await api.request('DELETE', `/v1/invoices/${draft.body.id}`);
    // Assess
    expectStatus(deleted, 204);
    expect(await listed(api, jobId, 'unbilled')).toHaveLength(1000);
    expectStatus(await api.request('GET', `/v1/invoices/${draft.body.id}`), 404);
  });

  it('shows what it holds when expenditures change while it selects them: totals and lines of the expenditures as marked', async () => {
    // Prepare
    const { api, jobId, booked } = await jobWith(30);
    // Act: the draft, and changes of its expenditures sent while it marks them
    const [draft, ...changes] = await Promise.all([
      api.request('POST', `/v1/jobs/${jobId}/partial-invoices`, { expenditureIds: booked.map((e) => e.id), copy: 'itemized' }),
      ...booked.map((e, i) =>
        new Promise((resolve) => setTimeout(resolve, i * 5)).then(() =>
          api.request('PATCH', `/v1/jobs/${jobId}/expenditures/${e.id}`, { quantity: '9' }),
        ),
      ),
    ]);
    // Assess: each change landed before its mark, or was refused; the draft shows the expenditures as they are
    expectStatus(draft!, 201);
    for (const change of changes) expect([200, 409]).toContain(change.status);
    const held: Booked[] = await Promise.all(
      booked.map(async (e) => (await api.request('GET', `/v1/jobs/${jobId}/expenditures/${e.id}`)).body),
    );
    const shown = (await api.request('GET', `/v1/invoices/${draft!.body.id}`)).body;
    expect(shown.selection.totals).toMatchObject(totalsOf(held));
    expect(shown.totals.net).toBe(totalsOf(held).salesValue);
  });

  it('deletes a draft whatever the job became: its lines past the price since its expenditures were deleted', async () => {
    // Prepare: a draft of a quoted line, then the job's expenditures deleted (its price falls to 0)
    const { api, jobId, booked } = await jobWith(2);
    const draft = await api.request('POST', `/v1/jobs/${jobId}/partial-invoices`, {
      expenditureIds: [],
      lines: [{ description: 'Quote', unitPrice: '10' }],
    });
    expectStatus(draft, 201);
    for (const e of booked) expectStatus(await api.request('DELETE', `/v1/jobs/${jobId}/expenditures/${e.id}`), 204);
    // Act
    const deleted = await api.request('DELETE', `/v1/invoices/${draft.body.id}`);
    // Assess
    expectStatus(deleted, 204);
    expectStatus(await api.request('GET', `/v1/invoices/${draft.body.id}`), 404);
  });

  it('refuses the ordinary issue of a partial draft, and answers 422 with partial invoicing off', async () => {
    // Prepare
    const { api, jobId, booked } = await jobWith(3);
    const draft = await api.request('POST', `/v1/jobs/${jobId}/partial-invoices`, { expenditureIds: [booked[0]!.id] });
    expectStatus(draft, 201);
    // Act
    const issued = await api.request('POST', `/v1/invoices/${draft.body.id}/issue`);
    // Assess
    expectStatus(issued, 409);
    expect(issued.body.code).toBe('FINALIZATION_REQUIRED');
    expect((await api.request('GET', `/v1/invoices/${draft.body.id}`)).body.status).toBe('draft');
    // Act: the ordinary PATCH changes an open partial draft's notes, keeping its selection
    const noted = await api.request('PATCH', `/v1/invoices/${draft.body.id}`, { notes: 'March' });
    expectStatus(noted, 200);
    expect(noted.body.selection.expenditureIds).toEqual([booked[0]!.id]);

    // Act: partial invoicing turned off
    const settings = await api.request('PATCH', '/v1/settings', { partialInvoicing: false });
    expectStatus(settings, 200);
    const create = await api.request('POST', `/v1/jobs/${jobId}/partial-invoices`, { expenditureIds: [booked[1]!.id] });
    const change = await api.request('PATCH', `/v1/partial-invoices/${draft.body.id}`, { expenditureIds: [booked[2]!.id] });
    // Assess: refused, nothing changed
    for (const refused of [create, change]) {
      expectStatus(refused, 422);
      expect(refused.body.code).toBe('PARTIAL_INVOICING_DISABLED');
    }
    expect((await listed(api, jobId, 'unbilled')).map((e) => e.id).sort()).toEqual([booked[1]!.id, booked[2]!.id].sort());
  });

  it("refuses what no draft may select: unbooked, another job's, duplicates, too many", async () => {
    // Prepare
    const { api, jobId, booked } = await jobWith(2);
    const other = await jobWith(1, api);
    const unbooked = await api.request('POST', `/v1/jobs/${jobId}/expenditures`, { ...item(7), booked: false });
    const path = `/v1/jobs/${jobId}/partial-invoices`;
    // Act
    const answers = await Promise.all([
      api.request('POST', path, { expenditureIds: [booked[0]!.id, unbooked.body.id] }),
      api.request('POST', path, { expenditureIds: [other.booked[0]!.id] }),
      api.request('POST', path, { expenditureIds: [booked[0]!.id, booked[0]!.id] }),
      api.request('POST', path, { expenditureIds: Array.from({ length: 1001 }, (_, i) => `exd_${i}`) }),
    ]);
    // Assess
    expect(answers.map((a) => [a.status, a.body.code, a.body.errors?.[0]?.field])).toEqual([
      [409, 'EXPENDITURE_NOT_BOOKED', 'expenditureIds.1'],
      [422, 'EXPENDITURE_NOT_FOUND', 'expenditureIds.0'],
      [400, 'VALIDATION_FAILED', 'expenditureIds.1'],
      [422, 'SELECTION_TOO_LARGE', 'expenditureIds'],
    ]);
    expect(await listed(api, jobId, 'selected')).toHaveLength(0);
  });
});
