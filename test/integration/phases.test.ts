import { describe, expect, it } from 'vitest';
import { DomainError } from '../../functions/domain/errors.js';
import type { Job } from '../../functions/domain/job.js';
import { sumAmounts } from '../../functions/domain/money.js';
import { createCustomer } from '../../functions/services/customer.service.js';
import { createDraft } from '../../functions/services/invoice.service.js';
import { addCharge, closeJob, createJob, deleteJob, getJob, listJobs, reopenJob } from '../../functions/services/job.service.js';
import { createPhase, rollUpOf } from '../../functions/services/phase.service.js';
import { registerTenant } from '../../functions/services/tenant.service.js';
import { outcome } from '../support/domain-errors.js';

/** A tenant with a master job of two charges: Works 1 x 1000.01 and Tiles 40 x 2.50. */
const aMaster = async () => {
  const { tenant } = await registerTenant({ name: 'Phases', defaultCurrency: 'EUR' });
  const customer = await createCustomer(tenant.id, { name: 'Client' });
  const job = await createJob(tenant.id, { customerId: customer.id, name: 'House', billingType: 'fixed_price' });
  const works = await addCharge(tenant.id, job.id, { description: 'Works', quantity: '1', unitPrice: '1000.01', taxRate: '20' });
  const tiles = await addCharge(tenant.id, job.id, { description: 'Tiles', quantity: '40', unitPrice: '2.50' });
  return { tenantId: tenant.id, masterId: job.id, works: works.charge.id, tiles: tiles.charge.id };
};

/** The DomainError that the use case is refused with. */
const refusal = (work: Promise<unknown>): Promise<DomainError> =>
  work.then(
    () => {
      throw new Error('expected a refusal');
    },
    (error: DomainError) => error,
  );

const chargesTotal = (...jobs: Job[]) => sumAmounts(jobs.flatMap((j) => j.charges.map((c) => c.amount))).toFixed(2);

describe('phase jobs', () => {
  it('writes the phase and the master together, lists it under the master and rolls it up', async () => {
    // Prepare
    const { tenantId, masterId, works, tiles } = await aMaster();
    // Act
    const phase = await createPhase(tenantId, masterId, {
      name: 'Ground floor',
      charges: [{ chargeId: works }, { chargeId: tiles, quantity: '20' }],
    });
    // Assess
    const master = await getJob(tenantId, masterId);
    expect(master.phaseJobIds).toEqual([phase.id]);
    expect(master.charges.map((c) => [c.description, c.quantity, c.amount])).toEqual([['Tiles', '20', '50.00']]);
    expect(await getJob(tenantId, phase.id)).toEqual(phase);
    expect((await listJobs(tenantId, { masterJobId: masterId }, 10)).items.map((j) => j.id)).toEqual([phase.id]);
    expect((await listJobs(tenantId, {}, 10)).items.map((j) => j.id)).toEqual([phase.id, masterId]);
    expect((await listJobs(tenantId, { masterJobId: phase.id }, 10)).items).toEqual([]);
    expect(await rollUpOf(tenantId, master)).toMatchObject({
      phases: { count: 1, suggestedPrice: '1050.01', remaining: '1050.01' },
      total: { suggestedPrice: '1100.01', remaining: '1100.01' },
    });
    await expect(
      outcome(createPhase(tenantId, phase.id, { name: 'Sub', charges: [{ chargeId: phase.charges[0]!.id }] })),
    ).resolves.toBe('PHASE_OF_PHASE');
  });

  it('keeps concurrent phase creations on one master exact: each takes from what the others left', async () => {
    // Prepare
    const { tenantId, masterId, works, tiles } = await aMaster();
    const before = await getJob(tenantId, masterId);
    // Act: twelve at once, each taking a cent of Works and a unit of Tiles
    const phases = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        createPhase(tenantId, masterId, {
          name: `Phase ${i}`,
          charges: [
            { chargeId: works, amount: '0.01' },
            { chargeId: tiles, quantity: '1' },
          ],
        }),
      ),
    );
    // Assess
    const master = await getJob(tenantId, masterId);
    expect([...master.phaseJobIds!].sort()).toEqual(phases.map((p) => p.id).sort());
    expect(master.charges.map((c) => [c.description, c.quantity, c.amount])).toEqual([
      ['Works', '1', '999.89'],
      ['Tiles', '28', '70.00'],
    ]);
    expect(chargesTotal(master, ...phases)).toBe(chargesTotal(before));
    expect((await rollUpOf(tenantId, master))!.total.suggestedPrice).toBe('1100.01');
  });

  it('closes a master only once its phases are closed, and reopens a phase only under an open master', async () => {
    const { tenantId, masterId, works, tiles } = await aMaster();
    const first = await createPhase(tenantId, masterId, { name: 'A', charges: [{ chargeId: works }] });
    const second = await createPhase(tenantId, masterId, { name: 'B', charges: [{ chargeId: tiles, amount: '10.00' }] });
    await closeJob(tenantId, first.id);
    const refused = await refusal(closeJob(tenantId, masterId));
    expect(refused).toMatchObject({ code: 'PHASES_OPEN', message: expect.stringContaining(second.id) });
    expect(refused.message).not.toContain(first.id);
    expect((await getJob(tenantId, masterId)).status).toBe('open');
    await closeJob(tenantId, second.id);
    await expect(closeJob(tenantId, masterId)).resolves.toMatchObject({ status: 'closed' });
    await expect(outcome(reopenJob(tenantId, first.id))).resolves.toBe('MASTER_NOT_OPEN');
    await reopenJob(tenantId, masterId);
    await expect(reopenJob(tenantId, first.id)).resolves.toMatchObject({ status: 'open' });
  });

  it('never ends with a closed master and an open phase when the close and a reopen race', async () => {
    const { tenantId, masterId, works } = await aMaster();
    const phase = await createPhase(tenantId, masterId, { name: 'A', charges: [{ chargeId: works }] });
    for (let round = 0; round < 10; round++) {
      await closeJob(tenantId, phase.id);
      const outcomes = await Promise.all([outcome(closeJob(tenantId, masterId)), outcome(reopenJob(tenantId, phase.id))]);
      const [master, after] = await Promise.all([getJob(tenantId, masterId), getJob(tenantId, phase.id)]);
      expect([
        ['ok', 'MASTER_NOT_OPEN'],
        ['PHASES_OPEN', 'ok'],
      ]).toContainEqual(outcomes);
      expect(master.status === 'closed' && after.status === 'open').toBe(false);
      if (master.status === 'closed') await reopenJob(tenantId, masterId);
      if (after.status === 'closed') await reopenJob(tenantId, phase.id);
    }
  }, 60_000);

  it('deletes a master with its phases, unless a phase has invoices', async () => {
    const { tenantId, masterId, works, tiles } = await aMaster();
    const invoiced = await createPhase(tenantId, masterId, { name: 'A', charges: [{ chargeId: works }] });
    const plain = await createPhase(tenantId, masterId, { name: 'B', charges: [{ chargeId: tiles, quantity: '4' }] });
    await createDraft(tenantId, invoiced.id, { policy: 'deposit', amount: '10.00' });
    const refused = await refusal(deleteJob(tenantId, masterId));
    expect(refused).toMatchObject({ code: 'PHASES_HAVE_INVOICES', message: expect.stringContaining(invoiced.id) });
    expect((await getJob(tenantId, plain.id)).id).toBe(plain.id);
    // A second master whose phase has no invoice goes with it
    const other = await aMaster();
    const phase = await createPhase(other.tenantId, other.masterId, { name: 'A', charges: [{ chargeId: other.works }] });
    await deleteJob(other.tenantId, other.masterId);
    await expect(outcome(getJob(other.tenantId, other.masterId))).resolves.toBe('JOB_NOT_FOUND');
    await expect(outcome(getJob(other.tenantId, phase.id))).resolves.toBe('JOB_NOT_FOUND');
    expect((await listJobs(other.tenantId, { masterJobId: other.masterId }, 10)).items).toEqual([]);
  });

  it('refuses to delete a master when a phase gets an invoice meanwhile, never deleting the phase under it', async () => {
    for (let round = 0; round < 10; round++) {
      const { tenantId, masterId, works } = await aMaster();
      const phase = await createPhase(tenantId, masterId, { name: 'A', charges: [{ chargeId: works }] });
      const outcomes = await Promise.all([
        outcome(createDraft(tenantId, phase.id, { policy: 'deposit', amount: '10.00' })),
        outcome(deleteJob(tenantId, masterId)),
      ]);
      expect([
        ['ok', 'PHASES_HAVE_INVOICES'],
        ['JOB_NOT_FOUND', 'ok'],
      ]).toContainEqual(outcomes);
    }
  }, 60_000);

  it('gives a deleted phase its charges back to the master, exactly', async () => {
    const { tenantId, masterId, works, tiles } = await aMaster();
    const before = await getJob(tenantId, masterId);
    const phase = await createPhase(tenantId, masterId, {
      name: 'A',
      charges: [{ chargeId: works }, { chargeId: tiles, quantity: '15' }],
    });
    // Act
    await deleteJob(tenantId, phase.id);
    // Assess
    const master = await getJob(tenantId, masterId);
    expect(master.phaseJobIds).toEqual([]);
    expect(master.charges).toEqual([before.charges[1], before.charges[0]]);
    await expect(outcome(getJob(tenantId, phase.id))).resolves.toBe('JOB_NOT_FOUND');
    // A phase with an invoice stays, and so do the master's charges
    const kept = await createPhase(tenantId, masterId, { name: 'B', charges: [{ chargeId: works }] });
    await createDraft(tenantId, kept.id, { policy: 'deposit', amount: '10.00' });
    await expect(outcome(deleteJob(tenantId, kept.id))).resolves.toBe('JOB_HAS_INVOICES');
    expect((await getJob(tenantId, masterId)).phaseJobIds).toEqual([kept.id]);
  });
});
