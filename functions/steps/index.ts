import { milestoneBillingSteps } from './milestone-billing.steps.js';
import { partialInvoiceSteps } from './partial-invoice.steps.js';
import type { StepRegistry } from './step.js';

/**
 * Every step of Tally's workflows, by name: a Task whose Resource is `${<Name>FunctionArn}` runs
 * the step `<Name>`, in a Lambda of its own on AWS (step.handler.ts) and in process locally.
 */
export const steps: StepRegistry = { ...milestoneBillingSteps, ...partialInvoiceSteps };

export { TransientStepError } from './errors.js';
export type { StepHandler, StepRegistry } from './step.js';
