import { z } from 'zod';
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
  tenantId: z.string().min(1),
  invoiceId: z.string().min(1),
  attempt: z.number().int().positive(),
  send: z.boolean(),
});
const chunk = finalization.extend({ ids: z.array(z.string().min(1)).min(1) });
const failed = finalization.extend({ error: z.object({ Error: z.string().optional(), Cause: z.string().optional() }) });

/** A step: its input checked, its errors named for the ASL's Retry and Catch (steps/errors.ts). */
const step =
  <S extends z.ZodType, T>(schema: S, run: (input: z.infer<S>) => Promise<T>): StepHandler =>
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
