import { clock } from '../adapters/clock.js';
import type { ChargeFields } from '../domain/charge.js';
import { findCharge } from '../domain/charge.js';
import { DomainError, expectVersion, unknownReference } from '../domain/errors.js';
import {
  assertDeletable,
  createEstimate as newEstimate,
  estimateCharges,
  updateEstimate as changedEstimate,
  type Estimate,
  type EstimateFields,
  type EstimatePatch,
} from '../domain/estimate.js';
import type { Charge } from '../domain/job.js';
import { getCustomer } from '../store/customer.store.js';
import { deleteEstimate as dropEstimate, getEstimate, listEstimates, saveEstimate } from '../store/estimate.store.js';
import { newId } from './ids.js';
import { retrying } from './retry.js';

export type NewEstimate = Omit<EstimateFields, 'currency'> & { currency?: string };

/** The estimate is in its customer's currency unless it names one (422 `CUSTOMER_NOT_FOUND` naming `customerId` for none). */
export const createEstimate = async (tenantId: string, input: NewEstimate): Promise<Estimate> => {
  const customer = await getCustomer(tenantId, input.customerId).catch((error: unknown) => {
    throw error instanceof DomainError && error.kind === 'not_found' ? unknownReference('customer', 'customerId') : error;
  });
  const estimate = newEstimate({ ...input, currency: input.currency ?? customer.currency }, newId('est'), clock.now());
  await saveEstimate(tenantId, estimate, null);
  return estimate;
};

/**
 * Loads the estimate, checks the caller's expected version (If-Match), applies one domain change and
 * saves it on condition that nobody changed it meanwhile; a lost race reads again (as jobs do). A
 * change that changes nothing (the order it has) writes nothing.
 */
const changeEstimate = (
  tenantId: string,
  id: string,
  expectedVersion: number | undefined,
  change: (estimate: Estimate, now: Date) => Estimate,
): Promise<Estimate> =>
  retrying(async () => {
    const estimate = expectVersion(await getEstimate(tenantId, id), expectedVersion, 'estimate');
    const next = change(estimate, clock.now());
    if (next !== estimate) await saveEstimate(tenantId, next, estimate);
    return next;
  });

export const updateEstimate = (tenantId: string, id: string, patch: EstimatePatch, expectedVersion?: number): Promise<Estimate> =>
  changeEstimate(tenantId, id, expectedVersion, (estimate, now) => changedEstimate(estimate, patch, now));

/** The charge `chargeId` of the estimate, and the estimate it is in (its version is the charge's ETag). */
export interface ChargeOfEstimate {
  estimate: Estimate;
  charge: Charge;
}

const chargeOf = (estimate: Estimate, chargeId: string): ChargeOfEstimate => ({
  estimate,
  charge: findCharge(estimate, chargeId),
});

/** The charge id is drawn once, so that a retry after a lost race adds the same charge, not another. */
export const addCharge = async (
  tenantId: string,
  estimateId: string,
  input: ChargeFields,
  expectedVersion?: number,
): Promise<ChargeOfEstimate> => {
  const id = newId('chg');
  const estimate = await changeEstimate(tenantId, estimateId, expectedVersion, (current, now) =>
    estimateCharges.addCharge(current, input, id, now),
  );
  return chargeOf(estimate, id);
};

export const getCharge = async (tenantId: string, estimateId: string, chargeId: string): Promise<ChargeOfEstimate> =>
  chargeOf(await getEstimate(tenantId, estimateId), chargeId);

export const updateCharge = async (
  tenantId: string,
  estimateId: string,
  chargeId: string,
  patch: Partial<ChargeFields>,
  expectedVersion?: number,
): Promise<ChargeOfEstimate> =>
  chargeOf(
    await changeEstimate(tenantId, estimateId, expectedVersion, (estimate, now) =>
      estimateCharges.updateCharge(estimate, chargeId, patch, now),
    ),
    chargeId,
  );

export const removeCharge = (
  tenantId: string,
  estimateId: string,
  chargeId: string,
  expectedVersion?: number,
): Promise<Estimate> =>
  changeEstimate(tenantId, estimateId, expectedVersion, (estimate, now) => estimateCharges.removeCharge(estimate, chargeId, now));

export const reorderCharges = (
  tenantId: string,
  estimateId: string,
  ids: readonly string[],
  expectedVersion?: number,
): Promise<Estimate> =>
  changeEstimate(tenantId, estimateId, expectedVersion, (estimate, now) => estimateCharges.reorderCharges(estimate, ids, now));

/** Read again on every attempt: one accepted meanwhile is refused (409 `ESTIMATE_ACCEPTED`). */
export const deleteEstimate = (tenantId: string, id: string, expectedVersion?: number): Promise<void> =>
  retrying(async () => {
    const estimate = expectVersion(await getEstimate(tenantId, id), expectedVersion, 'estimate');
    assertDeletable(estimate);
    await dropEstimate(tenantId, estimate);
  });

export { getEstimate, listEstimates };
