import * as z from '../../shared/zod.js';

// Apart from the expenditures' routes, so that the jobs' group, which shows the summary, does not bundle those.

const totalSchema = z.withMeta(
  z.object({ count: z.number().check(z.int(), z.gte(0)), cost: z.string(), salesValue: z.string() }),
  {
    id: 'ExpenditureTotal',
  },
);
const byStatus = z.object({ unbilled: totalSchema, selected: totalSchema, settled: totalSchema });

/** What a job's expenditures add up to, on the job. */
export const expenditureSummarySchema = z.withMeta(
  z.object({
    booked: z.withMeta(z.object({ hours: byStatus, material: byStatus, purchase: byStatus }), {
      description: 'Booked expenditures by kind and billing status',
    }),
    unbooked: z.withMeta(totalSchema, { description: 'Not booked yet: in neither WIP nor the price' }),
    wip: z.withMeta(z.object({ bookedCost: z.string(), settledCost: z.string(), wipBalance: z.string() }), {
      description: 'Work in Process at cost: booked, settled by partial invoices, and the balance (booked - settled)',
    }),
  }),
  { id: 'JobExpenditures' },
);
