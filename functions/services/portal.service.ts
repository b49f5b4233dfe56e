import { clock } from '../adapters/clock.js';
import {
  hasControlCharacter,
  isExpired,
  readableComment,
  type ApprovalOutcome,
  type ApprovalRequest,
} from '../domain/approval.js';
import { DomainError } from '../domain/errors.js';
import { localDate } from '../domain/dates.js';
import { estimateTotals, isAsSent, isPastValidity } from '../domain/estimate.js';
import { billingSummary, masterJobIdOf, milestonePlanOf, type Job } from '../domain/job.js';
import { positionOf } from '../domain/milestone.js';
import { getApprovalRequest } from '../store/approval.store.js';
import { getCustomer } from '../store/customer.store.js';
import { getEstimate } from '../store/estimate.store.js';
import { getJob } from '../store/job.store.js';
import { getMilestone } from '../store/milestone.store.js';
import { getTenant } from '../store/tenant.store.js';
import { changeLines } from './change-order-approval.service.js';
import { decideRequest } from './approval-decisions.js';
import { getChangeOrder, stillApplies } from './change-order.service.js';
import {
  renderApprovalPage,
  renderChangeOrderPage,
  renderEstimatePage,
  renderOutcomePage,
  type OutcomeKind,
  type PortalError,
} from './documents/portal-pages.js';
import { readToken, secretMatches } from './portal-links.js';
import { retrying } from './retry.js';

/** What the portal answers: a status and a whole HTML page. */
export interface PortalPage {
  status: number;
  html: string;
}

/** The decision as the form posts it (`application/x-www-form-urlencoded`). */
export interface DecisionForm {
  decision?: string | undefined;
  comment?: string | undefined;
  /** The fields whose bytes are not UTF-8: read with U+FFFD in their place to show again, never kept. */
  unreadable?: readonly ('decision' | 'comment')[];
}

/** Where the client's request came from: kept with the decision as its evidence. */
export interface ClientEvidence {
  ip: string | null;
  userAgent: string | null;
}

/** The longest comment the form takes. */
export const MAX_COMMENT_LENGTH = 2000;

const outcome = (
  kind: OutcomeKind,
  status: number,
  request?: ApprovalRequest,
  business?: string,
  subject?: string,
): PortalPage => ({
  status,
  html: renderOutcomePage({
    kind,
    ...(business ? { business: { name: business } } : {}),
    ...(subject ? { subject } : {}),
    ...(request ? { subjectKind: request.subject.kind } : {}),
    ...(kind === 'used' && request?.decision ? { decided: { outcome: request.decision.outcome, at: request.decision.at } } : {}),
  }),
});

// A link that is not one of ours says only that: whether its tenant or request exists stays unknown.
const invalid = (): PortalPage => outcome('invalid', 404);

const isNotFound = (error: unknown): boolean => error instanceof DomainError && error.kind === 'not_found';

/** The request the token opens, if its tenant, request and secret all match; undefined for any other token. */
const resolve = async (token: string): Promise<{ tenantId: string; request: ApprovalRequest } | undefined> => {
  const parts = readToken(token);
  if (!parts) return undefined;
  const request = await getApprovalRequest(parts.tenantId, parts.requestId).catch((error: unknown) => {
    if (isNotFound(error)) return undefined;
    throw error;
  });
  // The first link, or the reminder's: either decides the one request.
  const hashes = [request?.secretHash, request?.reminder?.secretHash].filter((h): h is string => !!h);
  if (!request || !hashes.some((hash) => secretMatches(parts.secret, hash))) return undefined;
  return { tenantId: parts.tenantId, request };
};

const trackerOf = (job: Job) => {
  const summary = billingSummary(job);
  return {
    currency: job.currency,
    projectValue: summary.projectValue,
    invoicedToDate: summary.invoicedToDate,
    paidToDate: summary.paidToDate,
    remaining: summary.remaining,
  };
};

interface Shown {
  business: string;
  subject: string;
  /** The subject is decided already (by staff, say), whatever the request says. */
  decided: boolean;
  /** Deciding it now would be refused: the job moved on since the link was sent. */
  undecidable?: boolean;
  /** Its subject has expired of itself (an estimate past its validity), whatever the link's expiry. */
  expired?: boolean;
  render: (form?: { error: PortalError; decision?: string; comment?: string }) => string;
}

const pickedDecision = <T extends string>(value: string | undefined, allowed: readonly T[]): T | undefined =>
  allowed.find((option) => option === value);

/** The estimate's page: every charge in its order and the total; past its validity it is expired. */
const showEstimate = async (tenantId: string, request: ApprovalRequest, estimateId: string): Promise<Shown> => {
  const [tenant, estimate] = await Promise.all([getTenant(tenantId), getEstimate(tenantId, estimateId)]);
  const customer = await getCustomer(tenantId, estimate.customerId);
  const { totals } = estimateTotals(estimate);
  return {
    business: tenant.name,
    subject: estimate.name,
    decided: estimate.status === 'accepted' || estimate.status === 'declined' || estimate.approval?.requestId !== request.id,
    // Changed since it was sent (its charges, its customer): the link asks nothing until staff send it again.
    undecidable: !isAsSent(estimate),
    expired: isPastValidity(estimate, localDate(clock.now(), tenant.settings.timeZone)),
    render: (form) =>
      renderEstimatePage({
        business: { name: tenant.name },
        customer: { name: customer.name },
        estimate: {
          name: estimate.name,
          currency: estimate.currency,
          validUntil: estimate.validUntil,
          charges: estimate.charges,
          totals,
        },
        expiresAt: request.expiresAt,
        ...(form ? { error: form.error, ...optional('comment', form.comment) } : {}),
      }),
  };
};

/** What the request's page shows, from its subject as it is now; the job is read only for a subject of a job. */
const show = async (tenantId: string, request: ApprovalRequest): Promise<Shown> => {
  if (request.subject.kind === 'estimate') return showEstimate(tenantId, request, request.subject.estimateId);
  const [tenant, job] = await Promise.all([getTenant(tenantId), getJob(tenantId, request.subject.jobId)]);
  const masterId = masterJobIdOf(job);
  // A phase's page names its master.
  const [customer, master] = await Promise.all([
    getCustomer(tenantId, job.customerId),
    masterId === null ? undefined : getJob(tenantId, masterId),
  ]);
  const business = { name: tenant.name };
  if (request.subject.kind === 'milestone') {
    const m = await getMilestone(tenantId, job.id, request.subject.milestoneId);
    return {
      business: tenant.name,
      subject: m.name,
      decided: m.status !== 'awaiting_approval' || m.approval?.requestId !== request.id,
      render: (form) =>
        renderApprovalPage({
          business,
          job: { name: job.name, masterJobName: master?.name ?? null },
          customer: { name: customer.name },
          milestone: {
            name: m.name,
            description: m.description,
            completionCriteria: m.completionCriteria,
            completionNote: m.completionNote,
            amount: m.amount,
            taxRate: m.taxRate,
            currency: job.currency,
            position: positionOf(job, m.id) ?? 0,
            count: milestonePlanOf(job).length,
          },
          tracker: trackerOf(job),
          expiresAt: request.expiresAt,
          ...(form
            ? {
                error: form.error,
                ...(form.comment !== undefined ? { comment: form.comment } : {}),
                ...optional('decision', pickedDecision(form.decision, ['approve', 'request_revision'] as const)),
              }
            : {}),
        }),
    };
  }
  const co = await getChangeOrder(tenantId, request.subject.changeOrderId);
  const changes = await changeLines(tenantId, job, co);
  return {
    business: tenant.name,
    subject: co.description,
    decided: co.status === 'approved' || co.status === 'rejected' || co.approval?.requestId !== request.id,
    undecidable: !(await stillApplies(tenantId, co, job)),
    render: (form) =>
      renderChangeOrderPage({
        business,
        job: { name: job.name, masterJobName: master?.name ?? null },
        customer: { name: customer.name },
        changeOrder: { description: co.description, ...changes },
        expiresAt: request.expiresAt,
        ...(form
          ? {
              error: form.error,
              ...(form.comment !== undefined ? { comment: form.comment } : {}),
              ...optional('decision', pickedDecision(form.decision, ['approve', 'reject'] as const)),
            }
          : {}),
      }),
  };
};

const optional = <K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> =>
  (value === undefined ? {} : { [key]: value }) as Partial<Record<K, V>>;

/** Why a request takes no decision any more, as a page; undefined while it does. */
const closed = (request: ApprovalRequest, shown: Shown, now: Date): PortalPage | undefined => {
  // Expired by its timer: the link says so, as it would before the timer ran.
  if (request.status === 'expired') return outcome('expired', 410, request, shown.business, shown.subject);
  if (request.status !== 'pending' || shown.decided) return outcome('used', 410, request, shown.business, shown.subject);
  if (isExpired(request, now) || shown.expired) return outcome('expired', 410, request, shown.business, shown.subject);
  if (shown.undecidable) return outcome('unavailable', 409, request, shown.business, shown.subject);
  return undefined;
};

const gone = (request: ApprovalRequest): PortalPage => outcome('unavailable', 410, request);

/** The link as it is now: its request and subject, or the page that says why it asks nothing. */
type Opened = { page: PortalPage } | { page?: undefined; tenantId: string; request: ApprovalRequest; shown: Shown; now: Date };

/**
 * Reads the link's request and its subject as they are now. Those are several reads, and one may
 * meet a decision's write half-way (a change order's milestones against its job's plan, say): that
 * is a lost race, and every read is made again, so that a link opened or posted while it is being
 * decided answers what stands (the question, or used), never a failure.
 */
const opened = (token: string): Promise<Opened> =>
  retrying(async (): Promise<Opened> => {
    const found = await resolve(token);
    if (!found) return { page: invalid() };
    const { tenantId, request } = found;
    // Its job, milestone or change order deleted since the link was sent.
    const shown = await show(tenantId, request).catch((error: unknown) => {
      if (isNotFound(error)) return undefined;
      throw error;
    });
    if (!shown) return { page: gone(request) };
    const now = clock.now();
    const page = closed(request, shown, now);
    return page ? { page } : { tenantId, request, shown, now };
  });

/**
 * The page a link opens: the question, or why it asks nothing any more. It decides nothing: mail
 * scanners open links too.
 */
export const openApproval = async (token: string): Promise<PortalPage> => {
  const link = await opened(token);
  return link.page ?? { status: 200, html: link.shown.render() };
};

const OUTCOMES: Record<ApprovalRequest['subject']['kind'], readonly ApprovalOutcome[]> = {
  milestone: ['approve', 'request_revision'],
  change_order: ['approve', 'reject'],
  estimate: ['approve', 'reject'],
};

/** What the form says when a comment is needed and missing. */
const COMMENT_NEEDED: Record<ApprovalRequest['subject']['kind'], string> = {
  milestone: 'Say what should be revised',
  change_order: 'Say why you reject the change',
  estimate: 'Say why you decline the estimate',
};

const DECIDED_KIND: Record<ApprovalOutcome, OutcomeKind> = {
  approve: 'approved',
  request_revision: 'revision_requested',
  reject: 'rejected',
};

/**
 * The client's decision through the link: checked as the form's (a choice, and a comment to send
 * work back or reject; the page again with the error, 400), then recorded with its evidence by one
 * conditional write of the request and its subject, which starts what it owes (the milestone's
 * billing). A link used meanwhile (by staff, another tab) or expired decides nothing (410).
 */
export const submitDecision = async (token: string, form: DecisionForm, evidence: ClientEvidence): Promise<PortalPage> => {
  const link = await opened(token);
  if (link.page) return link.page;
  const { tenantId, request, shown, now } = link;
  const choice = OUTCOMES[request.subject.kind].find((option) => option === form.decision);
  const comment = readableComment(form.comment);
  const formError = (error: PortalError): PortalPage => ({
    status: 400,
    html: shown.render({ error, ...optional('decision', form.decision), ...optional('comment', form.comment) }),
  });
  if (!choice) {
    const message = request.subject.kind === 'estimate' ? 'Choose whether you accept the estimate' : 'Choose whether you approve';
    return formError({ field: 'decision', message });
  }
  // As the JSON API: bytes that are not UTF-8, and control characters, are refused, never stored.
  if (form.unreadable?.includes('comment') || hasControlCharacter(form.comment ?? '')) {
    return formError({ field: 'comment', message: 'Some characters of the comment cannot be read: type it again' });
  }
  if (choice !== 'approve' && !comment) return formError({ field: 'comment', message: COMMENT_NEEDED[request.subject.kind] });
  if ((form.comment?.length ?? 0) > MAX_COMMENT_LENGTH) {
    return formError({ field: 'comment', message: `Keep the comment to ${MAX_COMMENT_LENGTH} characters or fewer` });
  }
  const at = { by: 'client' as const, at: now.toISOString(), ip: evidence.ip, userAgent: evidence.userAgent, comment };
  try {
    await decideRequest(tenantId, request, choice, at);
  } catch (error) {
    // A race lost past every retry is the handler's 503: nothing was decided, and the client may post again.
    if (!(error instanceof DomainError) || error.retryable) throw error;
    // Decided meanwhile (by staff, another tab), expired, or gone: the link as it is now says so.
    const again = await opened(token);
    if (again.page) return again.page;
    if (error.code === 'APPROVAL_DECIDED') return outcome('used', 410, request, shown.business, shown.subject);
    // The job moved on since the link was sent (a milestone invoiced, deleted, the job billed): nothing to decide here.
    return outcome('unavailable', 409, request, shown.business, shown.subject);
  }
  return outcome(DECIDED_KIND[choice], 200, request, shown.business, shown.subject);
};
