import { describe, expect, it } from 'vitest';
import { reorderCharges } from '../../functions/domain/charge.js';
import { closeJob } from '../../functions/domain/job.js';
import { billAll, billed, jobWith, T0 } from '../support/invoice-domain.js';

// Charges: chg_1 Works 1000 (group Build), chg_2 Paint 300 (group Finish), chg_3 Tiles 200 (group Build).
const job = () =>
  jobWith([
    { description: 'Works', unitPrice: '1000', group: 'Build' },
    { description: 'Paint', unitPrice: '300', group: 'Finish' },
    { description: 'Tiles', unitPrice: '200', group: 'Build' },
  ]);

const charged = (lines: { allocations: { chargeId: string }[] }[]) => lines.map((l) => l.allocations.map((a) => a.chargeId));

describe('invoices bill charges in the order the job gives them', () => {
  it('lists itemized, grouped and final lines in the new order, whatever order a request names them in, and loses no billing', () => {
    // Prepare: a deposit and a first itemized invoice, then the charges reordered
    const before = billAll(
      job(),
      { policy: 'deposit', amount: '150' },
      {
        policy: 'progress_itemized',
        progress: [
          { chargeId: 'chg_1', percentComplete: '10' },
          { chargeId: 'chg_3', amount: '50' },
        ],
      },
    ).job;
    const reordered = reorderCharges(before, ['chg_3', 'chg_2', 'chg_1'], T0);
    // Act
    const progress = [
      { chargeId: 'chg_1', percentComplete: '50' },
      { chargeId: 'chg_2', percentComplete: '50' },
      { chargeId: 'chg_3', percentComplete: '50' },
    ];
    const { invoices, job: after } = billAll(
      reordered,
      { policy: 'progress_itemized', progress },
      { policy: 'progress_itemized_grouped', progress: progress.map((p) => ({ ...p, percentComplete: '75' })) },
    );
    const { invoices: finals, job: done } = billAll(closeJob(after, T0), { policy: 'final' });
    // Assess: lines in the job's new order (grouped: the group of its first charge first)
    const work = (i: number) => invoices[i]!.lines.filter((l) => l.kind === 'work');
    expect(charged(work(0))).toEqual([['chg_3'], ['chg_2'], ['chg_1']]);
    expect(work(1).map((l) => l.description)).toEqual(['Build', 'Finish']);
    expect(charged(work(1))).toEqual([['chg_3', 'chg_1'], ['chg_2']]);
    expect(charged(finals[0]!.lines.filter((l) => l.kind === 'work'))).toEqual([['chg_3'], ['chg_2'], ['chg_1']]);
    // No billing lost: what the first invoices billed carried over with each charge, and the final bills exactly the rest
    expect(billed(reordered)).toEqual(['50.00', '0.00', '100.00']);
    expect(work(0).map((l) => l.amount)).toEqual(['50.00', '150.00', '400.00']);
    expect(billed(done)).toEqual(['200.00', '300.00', '1000.00']);
    expect(done).toMatchObject({ status: 'billed', invoicedToDate: '1500.00', depositsHeld: {} });
  });
});
