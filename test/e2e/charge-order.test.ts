import { describe, expect, it } from 'vitest';
import { apiUrl } from '../support/api.js';
import { draft, issue, jobWithCharges } from '../support/billing.js';
import { pdfText } from '../support/pdf.js';

const CHARGES = [
  { description: 'Demolition', quantity: '1', unitPrice: '400.00', taxRate: '20' },
  { description: 'Plumbing', quantity: '3', unitPrice: '333.33', taxRate: '20' },
  { description: 'Electrics', quantity: '1', unitPrice: '750.00', taxRate: '20' },
  { description: 'Painting', quantity: '10', unitPrice: '45.50', taxRate: '0' },
];

/** Where each description first appears in the text, in the order they appear. */
const orderIn = (text: string, names: string[]) =>
  names
    .map((name) => [name, text.indexOf(name)] as const)
    .filter(([, at]) => at >= 0)
    .sort((x, y) => x[1] - y[1])
    .map(([name]) => name);

describe('charges in the order the user gives them', () => {
  it('reorders the charges, keeps what they billed, and bills them in the new order to the last cent', async () => {
    // Prepare: a job of four charges, a deposit and a first itemized invoice issued
    const { api, job } = await jobWithCharges(CHARGES);
    const [demolition, plumbing, electrics, painting] = job.charges;
    await issue(api, (await draft(api, job.id, { policy: 'deposit', amount: '300.00', taxRate: '20' })).id);
    const first = await issue(
      api,
      (
        await draft(api, job.id, {
          policy: 'progress_itemized',
          progress: [
            { chargeId: plumbing.id, quantity: '1' },
            { chargeId: demolition.id, percentComplete: '100' },
          ],
        })
      ).id,
    );
    const before = (await api.request('GET', `/v1/jobs/${job.id}`)).body;
    const newOrder = [painting.id, electrics.id, plumbing.id, demolition.id];

    // Act
    const stale = await api.request(
      'PUT',
      `/v1/jobs/${job.id}/charges/order`,
      { ids: newOrder },
      { 'if-match': `"${job.version}"` },
    );
    const reordered = await api.request(
      'PUT',
      `/v1/jobs/${job.id}/charges/order`,
      { ids: newOrder },
      { 'if-match': `"${before.version}"` },
    );

    // Assess: the same charges, billed to date and all, in the new order; the ledger untouched
    expect(stale.status).toBe(412);
    expect(reordered.status, JSON.stringify(reordered.body)).toBe(200);
    expect(reordered.headers.get('etag')).toBe(`"${reordered.body.version}"`);
    expect(reordered.body.charges).toEqual(newOrder.map((id) => before.charges.find((c: { id: string }) => c.id === id)));
    expect(reordered.body.charges.map((c: { billedToDate: string }) => c.billedToDate)).toEqual([
      '0.00',
      '0.00',
      '333.33',
      '400.00',
    ]);
    expect(reordered.body.billing).toEqual(before.billing);
    const again = await api.request('PUT', `/v1/jobs/${job.id}/charges/order`, { ids: newOrder });
    expect([again.status, again.body.version]).toEqual([200, reordered.body.version]);
    const listed = (await api.request('GET', '/v1/jobs')).body.items.find((j: { id: string }) => j.id === job.id);
    expect(listed.charges.map((c: { id: string }) => c.id)).toEqual(newOrder);
    // The invoice issued before keeps its own order
    const kept = (await api.request('GET', `/v1/invoices/${first.id}`)).body.lines.filter(
      (l: { kind: string }) => l.kind === 'work',
    );
    expect(kept.map((l: { allocations: { chargeId: string }[] }) => l.allocations[0]!.chargeId)).toEqual([
      demolition.id,
      plumbing.id,
    ]);

    // Act: an itemized invoice naming the charges in their old order
    const progress = [
      { chargeId: demolition.id, percentComplete: '100' },
      { chargeId: plumbing.id, quantity: '2' },
      { chargeId: electrics.id, amount: '375.00' },
      { chargeId: painting.id, percentComplete: '50' },
    ];
    const second = await issue(api, (await draft(api, job.id, { policy: 'progress_itemized', progress })).id);
    // Assess: its lines, its HTML and its PDF in the new order
    const work = second.lines.filter((l: { kind: string }) => l.kind === 'work');
    expect(work.map((l: { allocations: { chargeId: string }[] }) => l.allocations[0]!.chargeId)).toEqual([
      painting.id,
      electrics.id,
      plumbing.id,
    ]);
    expect(work.map((l: { amount: string }) => l.amount)).toEqual(['227.50', '375.00', '333.33']);
    const names = ['Painting', 'Electrics', 'Plumbing'];
    const html = (await api.request('GET', `/v1/invoices/${second.id}`, undefined, { accept: 'text/html' })).body as string;
    expect(orderIn(html, names)).toEqual(names);
    const pdf = await fetch(`${apiUrl()}/v1/invoices/${second.id}`, {
      headers: { authorization: `Bearer ${api.apiKey}`, accept: 'application/pdf' },
    });
    expect(orderIn((await pdfText(new Uint8Array(await pdf.arrayBuffer()))).text, names)).toEqual(names);

    // Act: the final invoice
    expect((await api.request('POST', `/v1/jobs/${job.id}/close`)).status).toBe(200);
    const final = await issue(api, (await draft(api, job.id, { policy: 'final' })).id);
    // Assess: it bills exactly what each charge has left, in the new order, and the job is billed in full
    const rest = final.lines.filter((l: { kind: string }) => l.kind === 'work');
    expect(rest.map((l: { description: string; amount: string }) => [l.description, l.amount])).toEqual([
      ['Painting', '227.50'],
      ['Electrics', '375.00'],
      ['Plumbing', '333.33'],
    ]);
    const billed = (await api.request('GET', `/v1/jobs/${job.id}`)).body;
    expect(billed.charges.map((c: { amount: string; billedToDate: string }) => c.billedToDate === c.amount)).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(billed).toMatchObject({
      status: 'billed',
      billing: { suggestedPrice: '2604.99', invoicedToDate: '2604.99', depositsHeld: '0.00', remaining: '0.00' },
    });
    const late = await api.request('PUT', `/v1/jobs/${job.id}/charges/order`, { ids: [...newOrder].reverse() });
    expect([late.status, late.body.code]).toEqual([409, 'JOB_BILLED']);
  }, 60_000);

  it('refuses ids that are not exactly the charges, naming ids, and changes nothing', async () => {
    const { api, job } = await jobWithCharges(CHARGES.slice(0, 2));
    const [x, y] = job.charges.map((c: { id: string }) => c.id);
    for (const ids of [[x], [x, y, y], [x, y, 'chg_other'], 'nope']) {
      const refused = await api.request('PUT', `/v1/jobs/${job.id}/charges/order`, { ids });
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [expect.objectContaining({ field: 'ids' })] });
    }
    expect((await api.request('GET', `/v1/jobs/${job.id}`)).body).toMatchObject({ version: job.version, charges: job.charges });
  });
});
