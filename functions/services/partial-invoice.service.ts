import { clock } from '../adapters/clock.js';
import { DomainError, expectVersion } from '../domain/errors.js';
import { releaseExpenditure, selectExpenditure, type Expenditure } from '../domain/expenditure.js';
import { jobOf, type Invoice } from '../domain/invoice.js';
import {
  assertSelectionOpen,
  draftPartialInvoice,
  editPartialInvoice,
  revertSelection,
  selectionEmptied,
  selectionOf,
  selectionWritten,
  type PartialDraftInput,
  type PartialPatch,
} from '../domain/partial-invoice.js';
import { canonicalJson } from '../shared/canonical-json.js';
import { FUNCTION_TIMEOUT_SECONDS } from '../shared/config.js';
import { getExpenditures } from '../store/expenditure.store.js';
import { deleteDraft, getInvoice, insertDraft, invoiceAtVersion, saveInvoice } from '../store/invoice.store.js';
import { getJob } from '../store/job.store.js';
import { getTenant } from '../store/tenant.store.js';
import { assertCustomerOfDraft } from './draft-customer.js';
import { transitionExpenditures } from './expenditure.service.js';
import { derivedId, newId } from './ids.js';
import { retrying } from './retry.js';

export type NewPartialDraft = Omit<PartialDraftInput, 'customerId'> & { customerId?: string };

/** The routes of partial invoices answer only where the tenant's settings allow them (422 PARTIAL_INVOICING_DISABLED). */
export const assertPartialInvoicing = async (tenantId: string): Promise<void> => {
  const { settings } = await getTenant(tenantId);
  if (!settings.partialInvoicing) {
    throw new DomainError('rule', 'PARTIAL_INVOICING_DISABLED', 'Partial invoicing is off in the settings (partialInvoicing)');
  }
};

/** The draft moved on (another request completed or undid its selection) since it was read. */
const selectionMoved = (): DomainError =>
  new DomainError('conflict', 'SELECTION_MOVED', 'The selection was changed by another request meanwhile; reload it');

/**
 * A draft still `selecting` after this long was left by a request that died (none runs longer than
 * the function's timeout): the next change of it completes its selection, or undoes it.
 */
const STALE_SELECTION_MS = FUNCTION_TIMEOUT_SECONDS * 1000 * 2;

/** How often a selection is read again after another request moved it, before its conflict is answered. */
const MOVED_ATTEMPTS = 5;

/**
 * The visible expenditures of `ids` the job has (one a batch has not made visible yet is none). Read
 * once each: a selection naming one twice is the domain's to refuse, naming the entry.
 */
const readExpenditures = async (tenantId: string, jobId: string, ids: string[]): Promise<Expenditure[]> =>
  [...(await getExpenditures(tenantId, jobId, [...new Set(ids)])).values()].flatMap((s) =>
    s.pendingBatch === undefined ? [s.expenditure] : [],
  );

/**
 * The draft a request makes: with an Idempotency-Key, one derived from the key, the job and the
 * body, so that a retry of a request cut off part-way finds the draft it began and completes it.
 */
const draftIdOf = (jobId: string, input: NewPartialDraft, idempotencyKey: string | undefined): string =>
  idempotencyKey === undefined ? newId('inv') : derivedId('inv', `${jobId}\n${idempotencyKey}\n${canonicalJson(input)}`);

/** A refusal to select an expenditure, naming its entry of the selection (`expenditureIds.<i>`). */
const naming =
  (ids: string[], select: (e: Expenditure, now: Date) => Expenditure) =>
  (e: Expenditure, now: Date): Expenditure => {
    try {
      return select(e, now);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      const field = `expenditureIds.${ids.indexOf(e.id)}`;
      throw new DomainError(error.kind, error.code, error.message, [
        { field, code: error.code.toLowerCase(), message: error.message },
      ]);
    }
  };

/** Moves expenditures for the draft in chunks, each on condition that the draft is still the version that asked for it. */
const moveFor = (
  tenantId: string,
  invoice: Invoice,
  ids: string[],
  transition: (e: Expenditure, now: Date) => Expenditure,
): Promise<Expenditure[]> =>
  transitionExpenditures(tenantId, jobOf(invoice), ids, transition, () => [invoiceAtVersion(tenantId, invoice, selectionMoved)]);

const release = (tenantId: string, invoice: Invoice, ids: string[]): Promise<Expenditure[]> =>
  moveFor(tenantId, invoice, ids, (e, now) => releaseExpenditure(e, invoice.id, now));

/** Writes a `selecting` draft's marks (its additions, then its removals), then opens it. */
const writeMarks = async (tenantId: string, invoice: Invoice): Promise<Invoice> => {
  const { expenditureIds, pending } = selectionOf(invoice);
  await moveFor(
    tenantId,
    invoice,
    pending?.select ?? [],
    naming(expenditureIds, (e, now) => selectExpenditure(e, invoice.id, now)),
  );
  await release(tenantId, invoice, pending?.release ?? []);
  const held = await readExpenditures(tenantId, jobOf(invoice), expenditureIds);
  const open = selectionWritten(invoice, held, clock.now());
  await saveInvoice(tenantId, { next: open, previous: invoice });
  return open;
};

/**
 * Completes the selection of a `selecting` draft. A mark that is refused (an expenditure another
 * draft took meanwhile) undoes it by `undo` and answers the refusal; another request that moved the
 * draft meanwhile (completed or undid it) is no failure: the draft is read again.
 */
const completeSelection = async (
  tenantId: string,
  draft: Invoice,
  undo: (invoice: Invoice) => Promise<void>,
): Promise<Invoice> => {
  let invoice = draft;
  for (let attempt = 1; invoice.selection?.state === 'selecting'; attempt++) {
    try {
      return await writeMarks(tenantId, invoice);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      const moved = error.code === 'SELECTION_MOVED' || error.code === 'VERSION_CONFLICT';
      if (!moved) {
        await undo(invoice);
        throw error;
      }
      if (attempt >= MOVED_ATTEMPTS) throw error;
      invoice = await getInvoice(tenantId, invoice.id);
    }
  }
  return invoice;
};

/** Gives back the draft's expenditures of `ids` and deletes it, on condition that it is still the version read. */
const dropDraft = async (tenantId: string, invoice: Invoice, ids: string[]): Promise<void> => {
  await release(tenantId, invoice, ids);
  await retrying(async () => {
    const current = await getInvoice(tenantId, invoice.id);
    if (current.version !== invoice.version) throw selectionMoved();
    await deleteDraft(tenantId, current, await getJob(tenantId, jobOf(invoice)));
  });
};

/** Undoes a change of selection that cannot be completed: back to the selection before it, open. */
const revertDraft = async (tenantId: string, invoice: Invoice): Promise<void> => {
  const { expenditureIds, pending } = selectionOf(invoice);
  const job = await getJob(tenantId, jobOf(invoice));
  const before = await readExpenditures(tenantId, job.id, [...expenditureIds, ...(pending?.release ?? [])]);
  const reverted = revertSelection(job, invoice, before, clock.now());
  await release(tenantId, invoice, reverted.release);
  await saveInvoice(tenantId, { next: reverted.invoice, previous: invoice });
};

/**
 * A draft a crash left `selecting` (older than any request) is completed, or reverted where that
 * cannot be; one younger is being written by a live request, and stays as it is (a change of it is
 * then refused, 409 SELECTION_NOT_OPEN: retry shortly).
 */
const resumeAbandoned = async (tenantId: string, invoice: Invoice): Promise<Invoice> => {
  if (invoice.selection?.state !== 'selecting') return invoice;
  if (clock.now().getTime() - Date.parse(invoice.updatedAt) <= STALE_SELECTION_MS) return invoice;
  try {
    return await completeSelection(tenantId, invoice, (current) => revertDraft(tenantId, current));
  } catch (error) {
    // Reverted: what the abandoned request asked for is not this request's refusal.
    if (!(error instanceof DomainError) || error.code === 'SELECTION_MOVED') throw error;
    return getInvoice(tenantId, invoice.id);
  }
};

const findInvoice = (tenantId: string, id: string): Promise<Invoice | undefined> =>
  getInvoice(tenantId, id).catch((error: unknown) => {
    if (error instanceof DomainError && error.code === 'INVOICE_NOT_FOUND') return undefined;
    throw error;
  });

/**
 * A time and material partial invoice draft of the job selecting `input.expenditureIds`: written
 * `selecting`, its expenditures then marked as selected by it in chunks, then open. Should another
 * draft take one of them meanwhile, what it marked is given back and it is deleted (409 naming the
 * expenditure): each expenditure lands in exactly one draft. A retry with the same Idempotency-Key
 * completes the draft a crash left.
 */
export const createPartialInvoice = async (
  tenantId: string,
  jobId: string,
  input: NewPartialDraft,
  idempotencyKey?: string,
): Promise<Invoice> => {
  await assertPartialInvoicing(tenantId);
  const id = draftIdOf(jobId, input, idempotencyKey);
  const begun = await findInvoice(tenantId, id);
  const draft =
    begun ??
    (await retrying(async () => {
      // The expenditures before the job: a change of one since moves the job, whose version the write is conditioned on.
      const expenditures = await readExpenditures(tenantId, jobId, input.expenditureIds);
      const job = await getJob(tenantId, jobId);
      await assertCustomerOfDraft(tenantId, job, input.customerId);
      const customerId = input.customerId ?? job.customerId;
      const { invoice } = draftPartialInvoice(job, { ...input, customerId }, expenditures, id, clock.now());
      await insertDraft(tenantId, invoice, job);
      return invoice;
    }));
  // Undone: what it marked is given back, and it is deleted.
  return completeSelection(tenantId, draft, (current) =>
    dropDraft(tenantId, current, selectionOf(current).pending?.select ?? []),
  );
};

/** The draft with the change `edit` makes of it and its selection completed (reverted, with the refusal, if it cannot be). */
const changeSelection = async (
  tenantId: string,
  id: string,
  edit: (invoice: Invoice) => Promise<Invoice>,
  expectedVersion?: number,
): Promise<Invoice> => {
  const stored = expectVersion(await getInvoice(tenantId, id), expectedVersion, 'invoice');
  // If-Match names the version read; completing what a crash left of it is no change the client missed.
  const resumed = await resumeAbandoned(tenantId, stored);
  const expected = expectedVersion === undefined ? undefined : resumed.version;
  const selecting = await retrying(async () => {
    const invoice = expectVersion(await getInvoice(tenantId, id), expected, 'invoice');
    const next = await edit(invoice);
    await saveInvoice(tenantId, { next, previous: invoice });
    return next;
  });
  return completeSelection(tenantId, selecting, (current) => revertDraft(tenantId, current));
};

/**
 * Changes the selection, copy mode, tax rate or free lines of an open partial invoice draft: the
 * additions are marked first, then the removals given back. An addition another draft holds
 * reverts the draft to its selection before (409 naming the expenditure).
 */
export const updatePartialInvoice = async (
  tenantId: string,
  id: string,
  patch: PartialPatch,
  expectedVersion?: number,
): Promise<Invoice> => {
  await assertPartialInvoicing(tenantId);
  const edit = async (invoice: Invoice): Promise<Invoice> => {
    const ids = patch.expenditureIds ?? selectionOf(invoice).expenditureIds;
    const expenditures = await readExpenditures(tenantId, jobOf(invoice), ids);
    const job = await getJob(tenantId, jobOf(invoice));
    return editPartialInvoice(job, invoice, patch, expenditures, clock.now()).invoice;
  };
  return changeSelection(tenantId, id, edit, expectedVersion);
};

/**
 * Deletes a partial invoice draft (DELETE /v1/invoices/{id}): its selection is given back first (as
 * a change to none, so that a crash part-way is resumed as any change is), then the draft goes. It
 * bills nothing, so nothing of the job refuses it: not a job billed since, nor one whose price fell
 * below the draft's lines.
 */
export const deletePartialInvoice = async (tenantId: string, id: string, expectedVersion?: number): Promise<void> => {
  const emptied = await changeSelection(tenantId, id, async (invoice) => selectionEmptied(invoice, clock.now()), expectedVersion);
  await retrying(async () => {
    const invoice = await getInvoice(tenantId, emptied.id);
    assertSelectionOpen(invoice);
    if (invoice.selection!.expenditureIds.length > 0) throw selectionMoved();
    await deleteDraft(tenantId, invoice, await getJob(tenantId, jobOf(invoice)));
  });
};
