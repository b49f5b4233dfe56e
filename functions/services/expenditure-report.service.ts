import { unbilledReport, wipReport } from '../domain/expenditure-reports.js';
import type { Job } from '../domain/job.js';
import type { Page } from '../store/aggregate.js';
import { getJob, listJobs } from '../store/job.store.js';

export interface ReportQuery {
  jobId?: string | undefined;
  limit: number;
  cursor?: string | undefined;
}

/**
 * The jobs a report covers: the one named, or a page of the tenant's jobs. Each job holds its
 * expenditures' totals, so a report reads jobs, never the (many) expenditures.
 */
const jobsOf = async (tenantId: string, { jobId, limit, cursor }: ReportQuery): Promise<Page<Job>> =>
  jobId ? { items: [await getJob(tenantId, jobId)], nextCursor: null } : listJobs(tenantId, {}, limit, cursor);

export const unbilledExpenditures = async (tenantId: string, query: ReportQuery) => {
  const page = await jobsOf(tenantId, query);
  return { ...unbilledReport(page.items), nextCursor: page.nextCursor };
};

export const workInProcess = async (tenantId: string, query: ReportQuery) => {
  const page = await jobsOf(tenantId, query);
  return { ...wipReport(page.items, query.jobId !== undefined), nextCursor: page.nextCursor };
};
