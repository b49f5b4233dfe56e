import * as z from '../shared/zod.js';
import {
  copyLines,
  finalize,
  markSettled,
  planSettlement,
  recordSendFailure,
  releaseSelection,
  sendFinalized,
  settleChunk,
  type Finalization,
} from '../services/partial-invoice-finalization.service.js';
import { failureOf, stepError } from './errors.js';
import type { StepHandler } from './step.js';

// The steps of workflows/partial-invoice.asl.json: each reads the finalization from its input.

const finalization = z.object({
  tenantId: z.string().check(z.minLength(1)),
  invoiceId: z.string().check(z.minLength(1)),
  attempt: z.number().check(z.int(), z.positive()),
  send: z.boolean(),
});
const chunk = z.extend(finalization, { ids: z.array(z.string().check(z.minLength(1))).check(z.minLength(1)) });
const failed = z.extend(finalization, { error: z.object({ Error: z.optional(z.string()), Cause: z.optional(z.string()) }) });

/** A step: its input checked, its errors named for the ASL's Retry and Catch (steps/errors.ts). */
const step =
  <S extends z.ZodMiniType, T>(schema: S, run: (input: z.infer<S>) => Promise<T>): StepHandler =>
  async (input) => {
    try {
      return await run(schema.parse(input));
    } catch (error) {
      throw stepError(error);
    }
  };

const summary = (invoice: { id: string; status: string; number: string | null; selection?: { state: string } | null }) => ({
  invoiceId: invoice.id,
  status: invoice.status,
  number: invoice.number,
  selection: invoice.selection?.state ?? null,
});

export const partialInvoiceSteps: Record<string, StepHandler> = {
  PlanSettlement: step(finalization, planSettlement),
  SettleChunk: step(chunk, async ({ ids, ...input }: z.infer<typeof chunk>) => ({
    settled: await settleChunk(input as Finalization, ids),
  })),
  MarkSettled: step(finalization, async (input) => summary(await markSettled(input))),
  CopyLines: step(finalization, async (input) => summary(await copyLines(input))),
  Finalize: step(finalization, async (input) => summary(await finalize(input))),
  SendFinalized: step(finalization, async (input) => {
    const sent = await sendFinalized(input);
    return { state: sent.state, to: sent.to ?? null, messageId: sent.messageId ?? null };
  }),
  RecordSendFailure: step(failed, async ({ error, ...input }: z.infer<typeof failed>) =>
    summary(await recordSendFailure(input as Finalization, failureOf(error))),
  ),
  ReleaseSelection: step(failed, async ({ error, ...input }: z.infer<typeof failed>) =>
    summary(await releaseSelection(input as Finalization, failureOf(error))),
  ),
};
