/** How long a function may run (the Lambda timeout), well under API Gateway's 30 s; the local stack keeps it too. */
export const FUNCTION_TIMEOUT_SECONDS = 10;

/** Settings every function reads from its environment: read once, failing fast when one is missing. */
export interface Config {
  tableName: string;
  /** Set only off AWS (the local stack, tests): DynamoDB Local's URL. */
  dynamoEndpoint: string | undefined;
  region: string;
}

/**
 * What a function that sends mail needs besides `Config`. Read apart from it, on the first mail,
 * because only the functions that send mail are given a sender (the others must not fail for it).
 */
export interface MailConfig {
  /** The sender address (`MAIL_FROM`): a verified SES identity on AWS; the local stack sets `billing@tally.local`. */
  mailFrom: string;
  /** Set only off AWS (the local stack, tests): the local SES's URL (`SES_ENDPOINT`). */
  sesEndpoint: string | undefined;
  region: string;
}

let loaded: Config | undefined;
let loadedMail: MailConfig | undefined;
let loadedCursorSecret: string | undefined;
let loadedSchedule: ScheduleConfig | undefined;
const loadedWorkflowArns = new Map<string, string>();

const required = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
};

export const config = (): Config => {
  loaded ??= {
    tableName: required('TABLE_NAME'),
    dynamoEndpoint: process.env.DYNAMODB_ENDPOINT || undefined,
    region: process.env.AWS_REGION ?? 'us-east-1',
  };
  return loaded;
};

export const mailConfig = (): MailConfig => {
  loadedMail ??= {
    mailFrom: required('MAIL_FROM'),
    sesEndpoint: process.env.SES_ENDPOINT || undefined,
    region: process.env.AWS_REGION ?? 'us-east-1',
  };
  return loadedMail;
};

/**
 * The secret that seals list cursors (`CURSOR_KEY`, at least 32 characters): on AWS a secret the
 * stack generates, locally one kept in the data dir. Read apart from `Config`, on the first listing,
 * because the authorizer lists nothing and is not given one.
 */
export const cursorSecret = (): string => {
  if (loadedCursorSecret === undefined) {
    const value = required('CURSOR_KEY');
    if (value.length < 32) throw new Error('environment variable CURSOR_KEY must be at least 32 characters long');
    loadedCursorSecret = value;
  }
  return loadedCursorSecret;
};

/** The variable that holds a workflow's state machine ARN: `milestone-billing` -> `WORKFLOW_MILESTONE_BILLING_ARN`. */
export const workflowArnVariable = (workflow: string): string =>
  `WORKFLOW_${workflow.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_ARN`;

/**
 * The state machine ARN of a workflow, read on its first start: only the functions that start a
 * workflow are given its ARN (the Workflow construct's `grantStart`), the others must not fail for it.
 */
export const workflowArn = (workflow: string): string => {
  let arn = loadedWorkflowArns.get(workflow);
  if (arn === undefined) {
    arn = required(workflowArnVariable(workflow));
    loadedWorkflowArns.set(workflow, arn);
  }
  return arn;
};

/** The step a step function runs (`STEP_NAME`, set by the Workflow construct): one Lambda per step. */
export const stepName = (): string => required('STEP_NAME');

/**
 * The public base URL of the portal (`PORTAL_URL`, no trailing slash): the API's URL on AWS, the
 * local server's locally (known once it listens). Read with each approval link, by the functions that email one.
 */
export const portalUrl = (): string => required('PORTAL_URL').replace(/\/+$/, '');

/** What a function that puts or removes schedules is told (the Schedules construct's `grantSchedule`), by variable. */
export const SCHEDULE_VARIABLES = {
  group: 'SCHEDULE_GROUP',
  targetArn: 'SCHEDULE_TARGET_ARN',
  roleArn: 'SCHEDULE_ROLE_ARN',
  deadLetterArn: 'SCHEDULE_DLQ_ARN',
} as const;

/** Where EventBridge Scheduler keeps Tally's schedules and what each one invokes. */
export type ScheduleConfig = Record<keyof typeof SCHEDULE_VARIABLES, string>;

/**
 * The schedule group, the scheduled-target function, the role Scheduler invokes it as and the
 * dead-letter queue, read on the first schedule put or removed: only the functions that schedule
 * are given them, the others must not fail for it.
 */
export const scheduleConfig = (): ScheduleConfig => {
  loadedSchedule ??= {
    group: required(SCHEDULE_VARIABLES.group),
    targetArn: required(SCHEDULE_VARIABLES.targetArn),
    roleArn: required(SCHEDULE_VARIABLES.roleArn),
    deadLetterArn: required(SCHEDULE_VARIABLES.deadLetterArn),
  };
  return loadedSchedule;
};
