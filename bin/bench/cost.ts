/**
 * AWS cost of a flow from what the bench measured of it. Unit prices: us-east-1, on-demand list
 * prices of the AWS pricing pages (Lambda Arm, API Gateway HTTP API, DynamoDB on-demand, Step
 * Functions Standard, EventBridge Scheduler, SES outbound), as written down on PRICES_DATE, free
 * tiers left out; check them before quoting a figure.
 */
export const PRICES_DATE = '2026-12-01';

export const PRICES = {
  /** Lambda: per request, and per GB-second on Arm (the functions are arm64). */
  lambdaRequest: 0.2 / 1e6,
  lambdaGbSecond: 0.0000133334,
  /** API Gateway HTTP API, per request (first 300 million a month). */
  apiRequest: 1.0 / 1e6,
  /** DynamoDB on-demand, per write and per read request unit. */
  writeUnit: 0.625 / 1e6,
  readUnit: 0.125 / 1e6,
  /** Step Functions Standard, per state transition. */
  transition: 0.025 / 1000,
  /** EventBridge Scheduler, per scheduled invocation (beyond the 14 million free a month). */
  schedulerInvocation: 1.0 / 1e6,
  /** SES, per outbound email, and per GB of attachments. */
  email: 0.1 / 1000,
  attachmentGb: 0.12,
} as const;

/** Every Tally function has 1,024 MB (lib/constructs/billing-function.ts). */
export const LAMBDA_GB = 1;

/** What one run of a flow used, as measured. */
export interface FlowUsage {
  flow: string;
  /** Invoices the run made: the cost is scaled to 1,000 of them. */
  invoices: number;
  /** Requests through the API (API Gateway + one Lambda invocation each; the authorizer's answer is cached). */
  apiRequests: number;
  /** Their client-side milliseconds: an upper bound of the functions' billed duration. */
  apiMs: number;
  stepInvocations: number;
  stepMs: number;
  scheduledInvocations: number;
  scheduledMs: number;
  transitions: number;
  readUnits: number;
  /** Write units by DynamoDB's documented rules (functions/store/documented-units.ts): the ones priced. */
  writeUnits: number;
  /** Write units as DynamoDB Local reported them, below those rules for some transactions: shown, not priced. */
  localWriteUnits: number;
  emails: number;
  attachmentBytes: number;
}

export interface FlowCost {
  flow: string;
  /** Dollars per 1,000 invoices, by service. */
  lambda: number;
  apiGateway: number;
  dynamodb: number;
  stepFunctions: number;
  scheduler: number;
  ses: number;
  total: number;
}

export const costPer1000Invoices = (u: FlowUsage): FlowCost => {
  const scale = 1000 / u.invoices;
  const invocations = u.apiRequests + u.stepInvocations + u.scheduledInvocations;
  const seconds = (u.apiMs + u.stepMs + u.scheduledMs) / 1000;
  const lambda = (invocations * PRICES.lambdaRequest + seconds * LAMBDA_GB * PRICES.lambdaGbSecond) * scale;
  const apiGateway = u.apiRequests * PRICES.apiRequest * scale;
  const dynamodb = (u.writeUnits * PRICES.writeUnit + u.readUnits * PRICES.readUnit) * scale;
  const stepFunctions = u.transitions * PRICES.transition * scale;
  const scheduler = u.scheduledInvocations * PRICES.schedulerInvocation * scale;
  const ses = (u.emails * PRICES.email + (u.attachmentBytes / 2 ** 30) * PRICES.attachmentGb) * scale;
  return {
    flow: u.flow,
    lambda,
    apiGateway,
    dynamodb,
    stepFunctions,
    scheduler,
    ses,
    total: lambda + apiGateway + dynamodb + stepFunctions + scheduler + ses,
  };
};
