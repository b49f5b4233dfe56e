/**
 * Every key of the one table is built here.
 *
 * | item            | PK                  | SK        | GSI1PK (owner listing)   | GSI1SK | GSI2PK (tenant listing) | GSI2SK |
 * |-----------------|---------------------|-----------|--------------------------|--------|-------------------------|--------|
 * | tenant          | T#<tid>             | TENANT    |                          |        |                         |        |
 * | API key         | APIKEY#<sha256>     | APIKEY    |                          |        |                         |        |
 * | customer        | T#<tid>#CUS#<id>    | CUSTOMER  |                          |        | T#<tid>#CUSTOMERS       | <id>   |
 * | job (+ charges) | T#<tid>#JOB#<id>    | JOB       | T#<tid>#CUS#<cid>#JOBS   | <id>   | T#<tid>#JOBS            | <id>   |
 * | milestone       | T#<tid>#JOB#<jid>   | MILESTONE#<id> |                     |        |                         |        |
 * | expenditure     | T#<tid>#JOB#<jid>   | EXPENDITURE#<id> | T#<tid>#JOB#<jid>#EXP#<listing> | <date>#<id> | T#<tid>#JOB#<jid>#EXPENDITURES | <date>#<id> |
 * | expenditure batch (open) | T#<tid>#JOB#<jid> | EXPBATCH#<bid> |              |        |                         |        |
 * | expenditure batch (done) | T#<tid>#JOB#<jid> | EXPBATCHDONE#<bid> |          |        |                         |        |
 * | change order    | T#<tid>#CO#<id>     | CHANGE_ORDER | T#<tid>#JOB#<jid>#CHANGEORDERS | <id> |                  |        |
 * | estimate (+ charges) | T#<tid>#EST#<id> | ESTIMATE | T#<tid>#CUS#<cid>#ESTIMATES | <id>   | T#<tid>#ESTIMATES       | <id>   |
 * | idempotency key | T#<tid>#IDEM#<key>  | IDEM      |                          |        |                         |        |
 * | invoice         | T#<tid>#INV#<id>    | INVOICE   | T#<tid>#JOB#<jid>#INVOICES (a profile's: T#<tid>#PRF#<pid>#INVOICES) | <date>#<id> | T#<tid>#INVOICES | <date>#<id> |
 * | invoice number  | T#<tid>#INVNO#<no>  | INVNO     |                          |        |                         |        |
 * | number counter  | T#<tid>#COUNTER#<series>#<scope> | COUNTER |              |        |                         |        |
 * | event           | T#<tid>#EVT#<id>    | EVENT     |                          |        | T#<tid>#EVENTS          | <id>   |
 * | export batch    | T#<tid>#EXPORT#<id>   | EXPORT  | T#<tid>#EXPORTS#<from>#<to> | <createdAt>#<id> |                 |        |
 * | local workflow execution | WFEXEC#<workflow>#<name> | WFEXEC | WFEXEC#<workflow>#RUNNING (while running) | <startedAt>#<name> |        |        |
 * | invoice sent by a workflow | T#<tid>#INV#<id> | SENT#<purpose> |          |        |                         |        |
 * | approval request | T#<tid>#APPROVAL#<id> | APPROVAL |                      |        |                         |        |
 * | owed workflow start | T#<tid>#WFSTART#<workflow>#<name> | WFSTART | WFSTART#OWED | <owedAt>#<tid>#<name> |            |        |
 * | local schedule  | SCHEDULE#<name>     | SCHEDULE  | SCHEDULE#NEXT (while one is left) | <nextFireAt>#<name> |        |        |
 * | dead-lettered fire | SCHEDULEDLQ#<name>#<scheduledTime> | SCHEDULEDLQ | SCHEDULEDLQ | <deadLetteredAt>#<name> |      |        |
 * | local test clock | LOCALCLOCK         | LOCALCLOCK |                         |        |                         |        |
 * | profile (+ discounts, taxes) | T#<tid>#PRF#<id> | PROFILE | T#<tid>#CUS#<cid>#PROFILES | <id> | T#<tid>#PROFILES | <id> |
 * | tab item        | T#<tid>#PRF#<pid>   | TABITEM#<id> | T#<tid>#PRF#<pid>#ITEMS | <id> |                       |        |
 * | snapshot (a cycle) | T#<tid>#PRF#<pid> | SNAPSHOT#<runDay> |        |        |                         |        |
 * | item claimed by a snapshot | T#<tid>#PRF#<pid> | SNAPITEM#<runDay>#<id> |  |  |                   |        |
 *
 * Invoices also sit in GSI3 under their customer: `T#<tid>#CUS#<cid>#INVOICES` / `<date>#<id>`.
 * A phase job also sits in GSI3 under its master: `T#<tid>#JOB#<mid>#PHASES` / `<id>` (sparse: a job
 * that is no phase has no GSI3 keys, and a job never has a customer listing there), so that it stays in
 * GSI1 and GSI2 as every job does and `GET /v1/jobs?masterJobId=` is one more partition of an index
 * that exists, not an index of its own.
 * GSI3 exists because an invoice has three listings (its job, its customer, the tenant) and a date
 * order in each; `<date>` is the issue date (for a draft, the day it was made), so a date range is
 * a key condition. The invoice number item makes numbers unique and finds an invoice by its number.
 * An export's id is `exp_` + a hash of its invoice ids; one made from a date range is also listed
 * under that range (GSI1), so that a repeat of the range finds it.
 *
 * A job, an invoice or an idempotency record larger than 64 KB keeps its lists (charges; lines and
 * payments; the response body) in part items of its own collection: PK as the aggregate's, SK
 * `<its SK>#PART#0000`, ... (store/parts.ts).
 *
 * A milestone is an item of its own in its job's item collection, all of a job's read by one Query
 * (`MILESTONE#` prefix): its status, approvals and invoice change it alone, never the job. The job
 * keeps the milestones' order and the terms that make its price (amount, tax rate), and a
 * write that changes them writes the job and the milestone in one transaction (docs/architecture.md).
 *
 * An expenditure is an item of its own in its job's item collection, like a milestone (a job may
 * have tens of thousands). GSI1 lists a job's expenditures by `<listing>`, their state in billing
 * (`unbooked`, else the billing status of a booked one: `unbilled`, `selected`, `settled`), GSI2 all of
 * them; both by date, newest first, the kind a filter. A change of state moves the entry to its new
 * GSI1 partition in the same write. The job keeps their totals (by kind and status), so its price and
 * WIP are the job item alone; every write of expenditures writes the job's next version with them.
 * A batch larger than one transaction writes its expenditures without index keys (invisible, counted
 * nowhere) behind an open batch marker holding their ids; one transaction then counts them on the job
 * and marks the batch committed; then they get their index keys, and the marker becomes a done record
 * (kept with a TTL, so that a retry of the request finds what it made). A marker left open by a crash
 * is finished (committed) or undone (not) by the next read of the job's expenditures.
 *
 * A change order has a partition of its own, read by its id alone (`/v1/change-orders/{id}`), and is
 * listed under its job in GSI1, newest first. Approving it writes it with the job and every milestone
 * it adds, modifies or removes in one transaction.
 *
 * An estimate has a partition of its own and holds its charges as a job does (in its item, or its
 * parts); it is listed under its customer (GSI1) and the tenant (GSI2), newest first. Accepting it
 * writes it with the job it makes (a new item, its id drawn from the estimate's) in one transaction.
 *
 * Workflow executions are recorded by the local runner only (local/workflows.ts), as Step Functions
 * keeps its own on AWS; an execution is the runner's, not a tenant's, so its key has no tenant (the
 * tenant is in the execution's name and input). GSI1 lists a workflow's executions while they run
 * (sparse: the entry is removed when one ends), which is what start-up recovery reads.
 *
 * An approval request is found by its id, which the portal link carries with the tenant and a secret
 * (only the secret's SHA-256 is stored). An owed workflow start is written in the same transaction as
 * the decision that owes it and deleted once the start is made; GSI1 lists every tenant's owed starts
 * in one partition, oldest first, for the sweep that makes the starts a crash left owed.
 *
 * The local scheduler (local/scheduler.ts) keeps its schedules as EventBridge Scheduler keeps its
 * own on AWS: by name, unique among all schedules (the tenant is in the name and the input), so
 * their keys have no tenant. GSI1 lists the schedules that have a fire left, by the time of their
 * next one (sparse: a schedule with none left is deleted), which is what the scheduler polls; a
 * fire that failed every attempt is kept as a dead-lettered fire, listed in GSI1 too. The local
 * test clock's offset from real time is one item, so that a restart keeps test time.
 *
 * An accumulating profile keeps its discounts and taxes (a few, bounded) in its item, and the totals of
 * its tab (item count and nets by tax rate), so that its preview is the profile item alone. A tab item
 * is an item of its own in the profile's collection (a tab holds up to 5,000): GSI1 lists a tab's
 * items, newest first; every write of one writes the profile's next version with it, in one transaction.
 * A cycle's snapshot (domain/profile-snapshot.ts) is a marker in the profile's collection, keyed on
 * the day of its cycle; it claims the tab's items by moving each (a put and a conditional
 * delete) to an item of its own under `SNAPITEM#<runDay>#`, which a strongly consistent Query
 * of the collection reads back exactly (no index lags behind it), and deletes them once invoiced.
 *
 * Every key starts with the tenant, but the API key, workflow execution and local scheduler items
 * (above): a bearer key is resolved before the tenant is known, and only its SHA-256 hash is stored. Each
 * aggregate has a partition of its own (no hot tenant partition). GSI1 lists an aggregate under
 * its owner (a customer's jobs), GSI2 under the tenant (all jobs); both sort by ULID, so by
 * creation time. A job holds its charges (in its item, or its parts): one version, and issuing an
 * invoice writes one job however many charges it has.
 */
export type Key = { PK: string; SK: string };

const tenant = (tenantId: string): string => `T#${tenantId}`;

/** What the sort keys of a job's milestones begin with. */
export const MILESTONE_PREFIX = 'MILESTONE#';

/** What the sort keys of a job's open expenditure batches begin with (the done ones begin otherwise). */
export const EXPENDITURE_BATCH_PREFIX = 'EXPBATCH#';

export const keys = {
  tenantPrefix: (tenantId: string): string => `${tenant(tenantId)}#`,
  tenant: (tenantId: string): Key => ({ PK: tenant(tenantId), SK: 'TENANT' }),
  apiKey: (hash: string): Key => ({ PK: `APIKEY#${hash}`, SK: 'APIKEY' }),
  customer: (tenantId: string, id: string): Key => ({ PK: `${tenant(tenantId)}#CUS#${id}`, SK: 'CUSTOMER' }),
  customers: (tenantId: string): string => `${tenant(tenantId)}#CUSTOMERS`,
  job: (tenantId: string, id: string): Key => ({ PK: `${tenant(tenantId)}#JOB#${id}`, SK: 'JOB' }),
  jobs: (tenantId: string): string => `${tenant(tenantId)}#JOBS`,
  masterPhases: (tenantId: string, masterJobId: string): string => `${tenant(tenantId)}#JOB#${masterJobId}#PHASES`,
  milestone: (tenantId: string, jobId: string, id: string): Key => ({
    PK: `${tenant(tenantId)}#JOB#${jobId}`,
    SK: `${MILESTONE_PREFIX}${id}`,
  }),
  expenditure: (tenantId: string, jobId: string, id: string): Key => ({
    PK: `${tenant(tenantId)}#JOB#${jobId}`,
    SK: `EXPENDITURE#${id}`,
  }),
  /** A job's expenditures in one state of billing (`unbooked`, `unbilled`, `selected`, `settled`). */
  jobExpenditures: (tenantId: string, jobId: string, listing: string): string =>
    `${tenant(tenantId)}#JOB#${jobId}#EXP#${listing}`,
  allJobExpenditures: (tenantId: string, jobId: string): string => `${tenant(tenantId)}#JOB#${jobId}#EXPENDITURES`,
  expenditureBatch: (tenantId: string, jobId: string, batchId: string): Key => ({
    PK: `${tenant(tenantId)}#JOB#${jobId}`,
    SK: `${EXPENDITURE_BATCH_PREFIX}${batchId}`,
  }),
  doneExpenditureBatch: (tenantId: string, jobId: string, batchId: string): Key => ({
    PK: `${tenant(tenantId)}#JOB#${jobId}`,
    SK: `EXPBATCHDONE#${batchId}`,
  }),
  changeOrder: (tenantId: string, id: string): Key => ({ PK: `${tenant(tenantId)}#CO#${id}`, SK: 'CHANGE_ORDER' }),
  jobChangeOrders: (tenantId: string, jobId: string): string => `${tenant(tenantId)}#JOB#${jobId}#CHANGEORDERS`,
  customerJobs: (tenantId: string, customerId: string): string => `${tenant(tenantId)}#CUS#${customerId}#JOBS`,
  estimate: (tenantId: string, id: string): Key => ({ PK: `${tenant(tenantId)}#EST#${id}`, SK: 'ESTIMATE' }),
  estimates: (tenantId: string): string => `${tenant(tenantId)}#ESTIMATES`,
  customerEstimates: (tenantId: string, customerId: string): string => `${tenant(tenantId)}#CUS#${customerId}#ESTIMATES`,
  idempotency: (tenantId: string, key: string): Key => ({ PK: `${tenant(tenantId)}#IDEM#${key}`, SK: 'IDEM' }),
  invoice: (tenantId: string, id: string): Key => ({ PK: `${tenant(tenantId)}#INV#${id}`, SK: 'INVOICE' }),
  invoices: (tenantId: string): string => `${tenant(tenantId)}#INVOICES`,
  jobInvoices: (tenantId: string, jobId: string): string => `${tenant(tenantId)}#JOB#${jobId}#INVOICES`,
  customerInvoices: (tenantId: string, customerId: string): string => `${tenant(tenantId)}#CUS#${customerId}#INVOICES`,
  invoiceNumber: (tenantId: string, number: string): Key => ({ PK: `${tenant(tenantId)}#INVNO#${number}`, SK: 'INVNO' }),
  counter: (tenantId: string, series: string, scope: string): Key => ({
    PK: `${tenant(tenantId)}#COUNTER#${series}#${scope}`,
    SK: 'COUNTER',
  }),
  event: (tenantId: string, id: string): Key => ({ PK: `${tenant(tenantId)}#EVT#${id}`, SK: 'EVENT' }),
  events: (tenantId: string): string => `${tenant(tenantId)}#EVENTS`,
  export: (tenantId: string, batch: string): Key => ({ PK: `${tenant(tenantId)}#EXPORT#${batch}`, SK: 'EXPORT' }),
  rangeExports: (tenantId: string, from: string, to: string): string => `${tenant(tenantId)}#EXPORTS#${from}#${to}`,
  invoiceSend: (tenantId: string, invoiceId: string, purpose: string): Key => ({
    PK: `${tenant(tenantId)}#INV#${invoiceId}`,
    SK: `SENT#${purpose}`,
  }),
  approvalRequest: (tenantId: string, id: string): Key => ({ PK: `${tenant(tenantId)}#APPROVAL#${id}`, SK: 'APPROVAL' }),
  owedStart: (tenantId: string, workflow: string, name: string): Key => ({
    PK: `${tenant(tenantId)}#WFSTART#${workflow}#${name}`,
    SK: 'WFSTART',
  }),
  owedStarts: (): string => 'WFSTART#OWED',
  workflowExecution: (workflow: string, name: string): Key => ({ PK: `WFEXEC#${workflow}#${name}`, SK: 'WFEXEC' }),
  runningExecutions: (workflow: string): string => `WFEXEC#${workflow}#RUNNING`,
  schedule: (name: string): Key => ({ PK: `SCHEDULE#${name}`, SK: 'SCHEDULE' }),
  pendingSchedules: (): string => 'SCHEDULE#NEXT',
  deadLetteredFire: (name: string, scheduledTime: string): Key => ({
    PK: `SCHEDULEDLQ#${name}#${scheduledTime}`,
    SK: 'SCHEDULEDLQ',
  }),
  deadLetteredFires: (): string => 'SCHEDULEDLQ',
  testClock: (): Key => ({ PK: 'LOCALCLOCK', SK: 'LOCALCLOCK' }),
  profile: (tenantId: string, id: string): Key => ({ PK: `${tenant(tenantId)}#PRF#${id}`, SK: 'PROFILE' }),
  profiles: (tenantId: string): string => `${tenant(tenantId)}#PROFILES`,
  customerProfiles: (tenantId: string, customerId: string): string => `${tenant(tenantId)}#CUS#${customerId}#PROFILES`,
  tabItem: (tenantId: string, profileId: string, id: string): Key => ({
    PK: `${tenant(tenantId)}#PRF#${profileId}`,
    SK: `TABITEM#${id}`,
  }),
  tabItems: (tenantId: string, profileId: string): string => `${tenant(tenantId)}#PRF#${profileId}#ITEMS`,
  profileInvoices: (tenantId: string, profileId: string): string => `${tenant(tenantId)}#PRF#${profileId}#INVOICES`,
  snapshot: (tenantId: string, profileId: string, runDay: string): Key => ({
    PK: `${tenant(tenantId)}#PRF#${profileId}`,
    SK: `SNAPSHOT#${runDay}`,
  }),
  /** A tab item claimed by a snapshot; `itemId` omitted: the prefix of all of that snapshot's. */
  snapshotItem: (tenantId: string, profileId: string, runDay: string, itemId = ''): Key => ({
    PK: `${tenant(tenantId)}#PRF#${profileId}`,
    SK: `SNAPITEM#${runDay}#${itemId}`,
  }),
};

/** What an item is, by its sort key (`JOB`, `INVOICE`, ...): a part item is of its aggregate. */
export const itemKind = (key: Key): string => key.SK.split('#')[0]!;

/** The secondary indexes and the attributes that key them; each projects keys only (a listing reads the items: aggregate.ts). */
export const indexes = {
  byOwner: { name: 'GSI1', pk: 'GSI1PK', sk: 'GSI1SK' },
  byTenant: { name: 'GSI2', pk: 'GSI2PK', sk: 'GSI2SK' },
  byCustomer: { name: 'GSI3', pk: 'GSI3PK', sk: 'GSI3SK' },
} as const;

export type IndexName = keyof typeof indexes;

/** DynamoDB TTL attribute (epoch seconds). */
export const TTL_ATTRIBUTE = 'expiresAt';
