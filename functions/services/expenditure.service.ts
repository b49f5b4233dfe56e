import { createHash, randomUUID } from 'node:crypto';
import { clock } from '../adapters/clock.js';
import { DomainError, expectVersion, notFound } from '../domain/errors.js';
import {
  applyExpenditureChanges,
  assertEditable,
  bookExpenditure as booked,
  createExpenditure as newExpenditure,
  effective,
  updateExpenditure as changedExpenditure,
  type Expenditure,
  type ExpenditureChange,
  type ExpenditureFields,
  type ExpenditurePatch,
} from '../domain/expenditure.js';
import { assertModifiable, type Job } from '../domain/job.js';
import { FUNCTION_TIMEOUT_SECONDS } from '../shared/config.js';
import { canonicalJson } from '../shared/canonical-json.js';
import {
  abortBatch,
  commitBatch,
  finishBatch,
  getDoneBatch,
  getExpenditures,
  getOpenBatch,
  getStoredExpenditure,
  listExpenditures as listStored,
  openBatches,
  saveExpenditures,
  startBatch,
  writePendingExpenditures,
  type ExpenditureBatch,
  type ExpenditureFilter,
} from '../store/expenditure.store.js';
import { getJob } from '../store/job.store.js';
import type { Page } from '../store/aggregate.js';
import type { WriteAction } from '../store/write.js';
import { newId } from './ids.js';
import { retrying } from './retry.js';

/** The request fields that make an expenditure's amounts, named in an AMOUNT_TOO_LARGE of the job's totals. */
const pricingFields = (input: Partial<ExpenditureFields>): string[] =>
  (['quantity', 'unitCost', 'unitPrice'] as const).filter((field) => input[field] !== undefined);

/**
 * A batch marker still `writing` after this long belongs to a request that died (no request runs
 * longer than the function's timeout): the next read of the job's expenditures undoes it.
 */
const STALE_BATCH_MS = FUNCTION_TIMEOUT_SECONDS * 1000 * 6;

/**
 * Finishes or undoes the job's batches that a crash left open: a committed one is made visible, one
 * that never committed (aborted, or writing for longer than any request runs) is deleted. Another
 * request doing the same meanwhile is no failure: what it did stands.
 */
const settleOpenBatches = async (tenantId: string, jobId: string, now: Date): Promise<void> => {
  for (const batch of await openBatches(tenantId, jobId)) {
    const stale = now.getTime() - Date.parse(batch.createdAt) > STALE_BATCH_MS;
    const settle =
      batch.state === 'committed'
        ? finishBatch(tenantId, batch, now)
        : batch.state === 'aborted' || stale
          ? abortBatch(tenantId, batch)
          : undefined;
    await settle?.catch((error: unknown) => {
      if (!(error instanceof DomainError)) throw error;
    });
  }
};

/**
 * The job and one of its expenditures. One that a batch wrote but has not made visible yet is the
 * job's once that batch is committed: its batch is settled first, and if it is still not visible
 * it does not exist (yet).
 */
const readExpenditure = async (tenantId: string, jobId: string, id: string): Promise<{ job: Job; expenditure: Expenditure }> => {
  const job = await getJob(tenantId, jobId);
  let stored = await getStoredExpenditure(tenantId, jobId, id);
  if (stored.pendingBatch !== undefined) {
    await settleOpenBatches(tenantId, jobId, clock.now());
    stored = await getStoredExpenditure(tenantId, jobId, id);
    if (stored.pendingBatch !== undefined) throw notFound('expenditure');
  }
  return { job, expenditure: stored.expenditure };
};

/** Writes one expenditure's change with the job's next version; the job's totals move by it. */
const saveOne = async (tenantId: string, job: Job, change: ExpenditureChange, fields: string[], now: Date): Promise<void> => {
  const next = applyExpenditureChanges(job, [change], now, fields);
  await saveExpenditures(tenantId, { job: next, previousJob: job, changes: [change] });
};

/** The id is drawn once, so that a retry after a lost race creates the same expenditure, not another. */
export const createExpenditure = async (tenantId: string, jobId: string, input: ExpenditureFields): Promise<Expenditure> => {
  const id = newId('exd');
  return retrying(async () => {
    const job = await getJob(tenantId, jobId);
    const now = clock.now();
    const expenditure = newExpenditure(job, input, id, now);
    await saveOne(tenantId, job, { previous: null, next: expenditure }, pricingFields(input), now);
    return expenditure;
  });
};

export const getExpenditure = async (tenantId: string, jobId: string, id: string): Promise<Expenditure> =>
  (await readExpenditure(tenantId, jobId, id)).expenditure;

/**
 * Reads the expenditure and its job, checks If-Match against the expenditure's version, applies the
 * change and writes both on condition of the versions read; a lost race reads again.
 */
const changeExpenditure = (
  tenantId: string,
  jobId: string,
  id: string,
  expectedVersion: number | undefined,
  change: (job: Job, e: Expenditure, now: Date) => Expenditure | null,
  fields: string[] = [],
): Promise<Expenditure | null> =>
  retrying(async () => {
    const { job, expenditure } = await readExpenditure(tenantId, jobId, id);
    expectVersion(expenditure, expectedVersion, 'expenditure');
    const now = clock.now();
    const next = change(job, expenditure, now);
    if (next !== expenditure) await saveOne(tenantId, job, { previous: expenditure, next }, fields, now);
    return next;
  });

export const updateExpenditure = async (
  tenantId: string,
  jobId: string,
  id: string,
  patch: ExpenditurePatch,
  expectedVersion?: number,
): Promise<Expenditure> =>
  (await changeExpenditure(
    tenantId,
    jobId,
    id,
    expectedVersion,
    (job, e, now) => changedExpenditure(job, e, patch, now),
    pricingFields(patch),
  ))!;

export const deleteExpenditure = async (tenantId: string, jobId: string, id: string, expectedVersion?: number): Promise<void> => {
  await changeExpenditure(tenantId, jobId, id, expectedVersion, (job, e) => {
    assertModifiable(job);
    assertEditable(e);
    return null;
  });
};

/** Booking a booked expenditure writes nothing and answers it as it is. */
export const bookExpenditure = async (
  tenantId: string,
  jobId: string,
  id: string,
  expectedVersion?: number,
): Promise<Expenditure> => (await changeExpenditure(tenantId, jobId, id, expectedVersion, booked))!;

/** A page of the job's expenditures (after settling what a crash left of a batch, so that the listing shows it). */
export const listExpenditures = async (
  tenantId: string,
  jobId: string,
  filter: ExpenditureFilter,
  limit: number,
  cursor?: string,
): Promise<Page<Expenditure>> => {
  await getJob(tenantId, jobId);
  await settleOpenBatches(tenantId, jobId, clock.now());
  return listStored(tenantId, jobId, filter, limit, cursor);
};

/**
 * The batch a request makes: with an Idempotency-Key, one derived from the key and the items, so
 * that a retry of a request cut off part-way finds the batch it began; without, a new one.
 */
export const batchIdOf = (items: ExpenditureFields[], idempotencyKey: string | undefined): string =>
  idempotencyKey === undefined
    ? randomUUID().replaceAll('-', '')
    : createHash('sha256')
        .update(`${idempotencyKey}\n${canonicalJson(items)}`)
        .digest('base64url')
        .slice(0, 32);

/** The batch's expenditures as stored, in the order of its ids (those deleted since are left out). */
const readBatch = async (tenantId: string, jobId: string, ids: string[]): Promise<Expenditure[]> => {
  const found = await getExpenditures(tenantId, jobId, ids);
  return ids.flatMap((id) => {
    const stored = found.get(id);
    return stored && stored.pendingBatch === undefined ? [stored.expenditure] : [];
  });
};

/**
 * Creates up to 500 expenditures, all or nothing. Every item is checked before anything is written
 * (a refusal names `items.<i>.<field>`). More than one transaction holds, so: the batch marker is
 * opened with the expenditures' ids; they are written invisible (counted nowhere); one transaction
 * counts them on the job and commits the marker; then they are made visible and the marker becomes a
 * done record. A failure before the commit undoes the batch; a crash leaves the marker for the retry
 * (same Idempotency-Key and items: the same batch) to resume, or for a later read to finish or undo.
 */
export const createExpenditureBatch = async (
  tenantId: string,
  jobId: string,
  items: ExpenditureFields[],
  idempotencyKey?: string,
): Promise<Expenditure[]> => {
  const job = await getJob(tenantId, jobId);
  const batchId = batchIdOf(items, idempotencyKey);
  const done = await getDoneBatch(tenantId, jobId, batchId);
  if (done) return readBatch(tenantId, jobId, done.ids);
  let batch = await getOpenBatch(tenantId, jobId, batchId);
  // A committed batch is counted on the job already: it is finished, whatever the job is now.
  if (batch?.state !== 'committed') {
    const ids = batch?.state === 'writing' ? batch.ids : items.map(() => newId('exd'));
    const expenditures = await priced(job, items, ids).catch(async (error: unknown) => {
      // Refused now, a batch this request began before is undone: nothing of it stays.
      if (batch) await abortBatch(tenantId, batch);
      throw error;
    });
    if (batch?.state === 'aborted') await abortBatch(tenantId, batch);
    if (batch?.state !== 'writing') {
      batch = { batchId, jobId, ids, state: 'writing', createdAt: clock.now().toISOString() };
      await startBatch(tenantId, batch);
    }
    await writeAndCommit(tenantId, batch, expenditures);
  }
  await finishBatch(tenantId, { ...batch!, state: 'committed' }, clock.now()).catch(async (error: unknown) => {
    // Finished by a read of the job's expenditures meanwhile: what it did stands.
    if (!(error instanceof DomainError && (await getDoneBatch(tenantId, jobId, batchId)))) throw error;
  });
  return readBatch(tenantId, jobId, batch!.ids);
};

/**
 * The batch's expenditures under `ids`, each checked (a refusal names `items.<i>.<field>`), and the
 * job's totals with all of them within the amount bound: everything is checked before anything is written.
 */
const priced = async (job: Job, items: ExpenditureFields[], ids: string[]): Promise<Expenditure[]> => {
  const now = clock.now();
  const expenditures = items.map((input, i) => newExpenditure(job, input, ids[i]!, now, `items.${i}.`));
  applyExpenditureChanges(
    job,
    expenditures.map((next) => ({ previous: null, next })),
    now,
  );
  return expenditures;
};

/** Writes the batch's expenditures invisible and counts them on the job; undoes the batch if that fails. */
const writeAndCommit = async (tenantId: string, batch: ExpenditureBatch, expenditures: Expenditure[]): Promise<void> => {
  try {
    await writePendingExpenditures(tenantId, batch.batchId, expenditures);
    await retrying(async () => {
      const previousJob = await getJob(tenantId, batch.jobId);
      assertModifiable(previousJob);
      const changes = expenditures.map((next) => ({ previous: null, next }));
      await commitBatch(tenantId, batch, applyExpenditureChanges(previousJob, changes, clock.now()), previousJob);
    });
  } catch (error) {
    // Committed after all (an answer lost on the way back): it only needs finishing.
    const now = await getOpenBatch(tenantId, batch.jobId, batch.batchId);
    if (now?.state === 'committed') return;
    if (now) await abortBatch(tenantId, now);
    throw error;
  }
};

/** Expenditures one transaction moves with their job: the rest of its 100 actions is for the job (and its parts) and the caller's extras. */
export const EXPENDITURES_PER_TRANSACTION = 90;

/**
 * Moves the job's expenditures `ids` by `transition` (select, release, settle, unsettle: domain
 * expenditure.ts), in transactions of at most EXPENDITURES_PER_TRANSACTION expenditures, each with
 * the job's next version (its totals moved) and `extra(chunk)`, every write conditioned on the
 * versions read; a lost race reads the chunk again. An expenditure the transition leaves as it was
 * is not written, so a retry after a crash goes on where the last run stopped. An id the job does not
 * have (or not yet visible) is 422 `EXPENDITURE_NOT_FOUND`. Answers the expenditures as they are now.
 */
export const transitionExpenditures = async (
  tenantId: string,
  jobId: string,
  ids: string[],
  transition: (e: Expenditure, now: Date) => Expenditure,
  extra: (chunk: number) => WriteAction[] = () => [],
): Promise<Expenditure[]> => {
  const result: Expenditure[] = [];
  for (let at = 0, chunk = 0; at < ids.length; at += EXPENDITURES_PER_TRANSACTION, chunk++) {
    const slice = ids.slice(at, at + EXPENDITURES_PER_TRANSACTION);
    result.push(
      ...(await retrying(async () => {
        const previousJob = await getJob(tenantId, jobId);
        const stored = await getExpenditures(tenantId, jobId, slice);
        const now = clock.now();
        const changes = slice.map((id) => {
          const found = stored.get(id);
          if (!found || found.pendingBatch !== undefined) {
            throw new DomainError('rule', 'EXPENDITURE_NOT_FOUND', `The job has no expenditure ${id}`);
          }
          return { previous: found.expenditure, next: transition(found.expenditure, now) };
        });
        const moved = effective(changes);
        if (moved.length) {
          const job = applyExpenditureChanges(previousJob, moved, now);
          await saveExpenditures(tenantId, { job, previousJob, changes: moved }, extra(chunk));
        }
        return changes.map((c) => c.next!);
      })),
    );
  }
  return result;
};
