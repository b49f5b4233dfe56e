import { clock } from '../adapters/clock.js';
import { expectVersion } from '../domain/errors.js';
import { isoDate } from '../domain/dates.js';
import { invoiceEvent } from '../domain/event.js';
import { assertDraft, type Invoice } from '../domain/invoice.js';
import { applyCredits } from '../domain/invoice-credits.js';
import { issue, issueDateFor, seriesOf } from '../domain/invoice-lifecycle.js';
import { jobStanding } from '../domain/job.js';
import { allocatedToCharges, assertIssuable } from '../domain/partial-invoice.js';
import { reversedInvoice } from '../domain/partial-invoice-reversal.js';
import { applyInvoice } from '../domain/job-ledger.js';
import { counterScope, formatNumber, type Settings } from '../domain/settings.js';
import { getCounter, getInvoice, saveIssue } from '../store/invoice.store.js';
import type { Profile } from '../domain/profile.js';
import { getProfile } from '../store/profile.store.js';
import { getTenant } from '../store/tenant.store.js';
import { assertReadyToComplete, ledgerJob, sourceActions } from './billing-source.js';
import { correctedInvoices } from './corrected-invoices.js';
import { newId } from './ids.js';
import { scheduleLateFee } from './late-fee-schedule.js';
import { retrying } from './retry.js';

/** The accumulating profile an invoice bills; null for an invoice of a job (nothing is read). */
const profileOf = (tenantId: string, invoice: Invoice): Promise<Profile | null> =>
  invoice.profileId === null ? Promise.resolve(null) : getProfile(tenantId, invoice.profileId);

/**
 * The series an issue of the invoice draws its number from, that series' counter and the date the
 * issue would give it now (the backdating rules refuse one before the series' last issue, or in the
 * future). An invoice of a profile with a number format of its own counts in that format's counter
 * (`profile`: the invoice's, when the caller has read it).
 */
export const numberingOf = async (
  tenantId: string,
  invoice: Invoice,
  settings: Settings,
  now: Date,
  profile?: Profile | null,
) => {
  const series = seriesOf(invoice);
  const source = series === 'invoice' ? (profile === undefined ? await profileOf(tenantId, invoice) : profile) : null;
  const own = source?.invoiceNumberFormat ?? null;
  const format = own ?? (series === 'invoice' ? settings.invoiceNumberFormat : settings.creditNoteNumberFormat);
  const tenantScope = counterScope(format, invoice.issueDate ?? isoDate(now));
  const scope = own === null ? tenantScope : `${own}#${tenantScope}`;
  const counter = await getCounter(tenantId, series, scope);
  const issueDate = issueDateFor(invoice, { settings, lastIssueDate: counter?.lastIssueDate ?? null, now });
  return { series, format, scope, counter, issueDate };
};

/**
 * Issues a draft: the next gap-free number of its series, its date (backdating rules), its job's
 * ledger (an invoice of a profile has none), what a correction credits against the invoices it names, and what its billing source
 * moves (a milestone invoiced), all in one transaction; a lost race for the counter, the job, a
 * corrected invoice, the milestone or the settings is run again. An invoice of a profile with a late
 * fee gets the fee's schedule first (services/late-fee-schedule.ts).
 */
export const issueInvoice = (tenantId: string, id: string, expectedVersion?: number): Promise<Invoice> =>
  retrying(async () => {
    const [invoice, tenant] = await Promise.all([getInvoice(tenantId, id), getTenant(tenantId)]);
    const { settings } = tenant;
    expectVersion(invoice, expectedVersion, 'invoice');
    assertDraft(invoice);
    assertIssuable(invoice);
    const now = clock.now();
    const profileRead = profileOf(tenantId, invoice);
    const [job, profile, { series, format, scope, counter, issueDate }, corrected, source] = await Promise.all([
      ledgerJob(tenantId, invoice),
      profileRead,
      profileRead.then((read) => numberingOf(tenantId, invoice, settings, now, read)),
      correctedInvoices(tenantId, invoice.lines),
      sourceActions(tenantId, invoice, 'issue', now),
    ]);
    if (job) await assertReadyToComplete(tenantId, job, invoice.type);
    const issuedDraft = issue(invoice, formatNumber(format, (counter?.last ?? 0) + 1, issueDate), issueDate, settings, now);
    // A partial invoice of a fixed-price job bills a phase of its price: allocated to the charges as the job is now.
    const numbered = job ? allocatedToCharges(job, issuedDraft) : issuedDraft;
    // The invoices it corrects first, as at draft: one voided since is refused as such, whatever the ledger says.
    // The credit note of a reversal marks the invoice it reverses as reversed by it, on condition of its version.
    const credited = numbered.reversal
      ? corrected.map((reversed) => ({ next: reversedInvoice(reversed, numbered, now), previous: reversed }))
      : applyCredits(numbered, corrected, 1, now);
    const nextJob = job && applyInvoice(job, numbered, 1, now);
    const issued: Invoice = nextJob ? { ...numbered, jobStanding: jobStanding(nextJob) } : numbered;
    if (profile) await scheduleLateFee(tenantId, issued, profile, settings.timeZone);
    await saveIssue(tenantId, {
      invoice: { next: issued, previous: invoice },
      ...(job && nextJob ? { job: { next: nextJob, previous: job } } : {}),
      counter: { series, scope, previous: counter },
      event: invoiceEvent('invoice.issued', issued, newId('evt'), now),
      corrected: credited,
      settingsVersion: tenant.version,
      source,
    });
    return issued;
  });
