import { describe, expect, it } from 'vitest';
import { closeJob, type Job } from '../../functions/domain/job.js';
import { createMilestone } from '../../functions/domain/milestone.js';
import type { MilestoneToBill } from '../../functions/domain/invoice-policies.js';
import { T0, allocations, bill, draft, jobWith, newJob, refused, rows } from '../support/invoice-domain.js';

/** A milestone job priced 4000.00 by three milestones (1000, 2000, 1000), taxed at 20%. */
const milestoneJob = (retainagePercent: string | null = null): Job =>
  ['1000.00', '2000.00', '1000.00'].reduce(
    (job, amount, i) =>
      createMilestone(job, { name: `Phase ${i + 1}`, amount, taxRate: '20', requiresClientApproval: false }, `mil_${i + 1}`, T0)
        .job,
    newJob({ billingType: 'milestone', retainagePercent }),
  );

const phase = (amount: string, billedBefore: string, last = false): MilestoneToBill => ({
  id: 'mil_1',
  name: 'Phase',
  amount,
  taxRate: '20',
  billedBefore,
  last,
});

describe('milestone policy', () => {
  it("bills the milestone as one work line at its rate, a partial invoice that depends on the job's ledger", () => {
    // Act
    const invoice = draft(milestoneJob(), { policy: 'milestone', milestone: phase('1000.00', '0') });
    // Assess
    expect(rows(invoice)).toEqual([['work', '1000.00', '20']]);
    expect(invoice).toMatchObject({
      policy: 'milestone',
      type: 'partial',
      totals: { net: '1000.00', tax: '200.00', gross: '1200.00' },
    });
    expect(invoice.lines[0]!.description).toBe('Phase');
    expect(invoice.ledgerBasis).toBe(0);
  });

  it('applies deposits in proportion to the milestones billed, and the last milestone applies all that is left', () => {
    // Prepare: a 10% deposit of the 4000.00 price
    let job = bill(milestoneJob(), { policy: 'deposit', percent: '10', taxRate: '20' }).job;
    // Act: 1000 of 4000 billed -> a quarter of 400; then 3000 of 4000 -> three quarters in all
    const first = bill(job, { policy: 'milestone', milestone: phase('1000.00', '0') });
    job = first.job;
    const second = bill(job, { policy: 'milestone', milestone: phase('2000.00', '1000.00') });
    job = second.job;
    // The last one bills less than its share would be were it not last: a deposit is never left over.
    const third = draft(job, { policy: 'milestone', milestone: phase('1.00', '3000.00', true) });
    // Assess
    expect(rows(first.invoice)).toEqual([
      ['work', '1000.00', '20'],
      ['deposit_applied', '-100.00', '20'],
    ]);
    expect(rows(second.invoice)).toEqual([
      ['work', '2000.00', '20'],
      ['deposit_applied', '-200.00', '20'],
    ]);
    expect(rows(third)).toEqual([
      ['work', '1.00', '20'],
      ['deposit_applied', '-100.00', '20'],
    ]);
  });

  it("withholds the job's retainage percent on the milestone's work", () => {
    const invoice = draft(milestoneJob('5'), { policy: 'milestone', milestone: phase('2000.00', '0') });
    expect(rows(invoice)).toEqual([
      ['work', '2000.00', '20'],
      ['retainage_withheld', '-100.00', '20'],
    ]);
    expect(invoice.retainageWithheld).toBe('100.00');
  });

  it('is refused without the milestone it bills (400 naming milestone)', () => {
    refused(() => draft(milestoneJob(), { policy: 'milestone' }), 'invalid', 'VALIDATION_FAILED', 'milestone');
  });

  it("on a job priced by its charges, bills the milestone as progress allocated to the charges, so the final bills only what is left", () => {
    // Prepare: a fixed price of 1000.00 (600.00 at 20%, 400.00 at 10%) paid in stages
    const job = jobWith([
      { unitPrice: '600', taxRate: '20' },
      { unitPrice: '400', taxRate: '10' },
    ]);
    // Act
    const stage = bill(job, { policy: 'milestone', milestone: { ...phase('300.00', '0'), name: 'Stage 1' } });
    const final = draft(closeJob(stage.job, T0), { policy: 'final' });
    // Assess
    expect(rows(stage.invoice)).toEqual([
      ['work', '180.00', '20'],
      ['work', '120.00', '10'],
    ]);
    expect(stage.invoice.lines.map((l) => l.description)).toEqual(['Stage 1', 'Stage 1']);
    expect(allocations(stage.invoice)).toEqual([[['chg_1', '180.00']], [['chg_2', '120.00']]]);
    expect(final.totals.net).toBe('700.00');
  });
});
