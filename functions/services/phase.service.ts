import { clock } from '../adapters/clock.js';
import { expectVersion } from '../domain/errors.js';
import { masterBilling, phaseJobIdsOf, type Job, type MasterBilling } from '../domain/job.js';
import { createPhase as splitPhase, type PhaseFields } from '../domain/phases.js';
import { getJob, getPhases, savePhase } from '../store/job.store.js';
import { newId } from './ids.js';
import { retrying } from './retry.js';

/**
 * Splits a phase job off the master `masterId` (If-Match: the master's version): the phase put and
 * the master's next version in one transaction, on condition of the version read. The ids are drawn
 * once, so that a creation that loses a race to another one on the same master (a new phase, a
 * charge changed) reads the master again and takes from what is left, as the same phase.
 */
export const createPhase = (tenantId: string, masterId: string, input: PhaseFields, expectedVersion?: number): Promise<Job> => {
  const ids = { phaseId: newId('job'), chargeIds: input.charges.map(() => newId('chg')) };
  return retrying(async () => {
    const master = expectVersion(await getJob(tenantId, masterId), expectedVersion, 'job');
    const { master: next, phase } = splitPhase(master, input, ids, clock.now());
    await savePhase(tenantId, phase, next, master);
    return phase;
  });
};

/**
 * A master's roll-up as its phases stand now (read at this time, never stored, so that issuing or
 * paying a phase's invoice writes the phase alone); null for a job without phases, which costs no read.
 */
export const rollUpOf = async (tenantId: string, job: Job): Promise<MasterBilling | null> =>
  phaseJobIdsOf(job).length ? masterBilling(job, await getPhases(tenantId, job)) : null;
