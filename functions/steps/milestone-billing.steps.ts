import * as z from '../shared/zod.js';
import type { BillingRound } from '../services/milestone-billing.service.js';
import {
  checkBillable,
  createMilestoneInvoice,
  endRound,
  issueMilestoneInvoice,
  sendMilestoneInvoice,
} from '../services/milestone-invoice.service.js';
import { failureOf, stepError } from './errors.js';
import type { StepHandler } from './step.js';

// The steps of workflows/milestone-billing.asl.json: each reads the round from its input and
// answers a small result (the ASL keeps the input and puts the result beside it).

const round = z.object({
  tenantId: z.string().check(z.minLength(1)),
  jobId: z.string().check(z.minLength(1)),
  milestoneId: z.string().check(z.minLength(1)),
  round: z.number().check(z.int(), z.positive()),
  invoiceId: z.string().check(z.minLength(1)),
});

const failed = z.extend(round, { error: z.object({ Error: z.optional(z.string()), Cause: z.optional(z.string()) }) });

/** A step of the round: its input checked, its errors named for the ASL's Retry and Catch (steps/errors.ts). */
const roundStep =
  <T>(run: (input: BillingRound) => Promise<T>): StepHandler =>
  async (input) => {
    try {
      return await run(round.parse(input));
    } catch (error) {
      throw stepError(error);
    }
  };

export const milestoneBillingSteps: Record<string, StepHandler> = {
  ApplyMilestoneApproval: roundStep(async (input) => {
    const m = await checkBillable(input);
    return { status: m.status };
  }),
  CreateMilestoneInvoice: roundStep(async (input) => {
    const invoice = await createMilestoneInvoice(input);
    return { invoiceId: invoice.id, status: invoice.status };
  }),
  IssueMilestoneInvoice: roundStep(async (input) => {
    const invoice = await issueMilestoneInvoice(input);
    return { invoiceId: invoice.id, number: invoice.number, gross: invoice.totals.gross };
  }),
  SendMilestoneInvoice: roundStep(async (input) => {
    const send = await sendMilestoneInvoice(input);
    return { state: send.state, to: send.to ?? null, messageId: send.messageId ?? null };
  }),
  MarkMilestoneInvoiced: roundStep(async (input) => {
    const m = await endRound(input, 'done');
    return { status: m.status, billing: m.billing };
  }),
  RecordMilestoneBillingFailure: async (input) => {
    try {
      const { error, ...rest } = failed.parse(input);
      const m = await endRound(rest, { error: failureOf(error) });
      return { status: m.status, billingError: m.billingError };
    } catch (error) {
      throw stepError(error);
    }
  },
};
