import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { clock } from '../functions/adapters/clock.js';
import { provideScheduler } from '../functions/adapters/scheduler.js';
import { provideWorkflows, type WorkflowName } from '../functions/adapters/workflows.js';
import { httpHandler } from '../functions/api/http.js';
import { routeGroups } from '../functions/api/routes/index.js';
import { generateApiKey, registerTenant, tenantIdForAuthorization } from '../functions/services/tenant.service.js';
import { steps, type StepRegistry } from '../functions/steps/index.js';
import { handler as portalHandler } from '../functions/api/portal.handler.js';
import { portalRoutes } from '../functions/api/portal/routes.js';
import { scheduleTargets, type TargetRegistry } from '../functions/scheduled/targets.js';
import { sweepOwedStarts } from '../functions/services/workflow-starts.js';
import { logger } from '../functions/shared/logger.js';
import { ensureTable, startDynamo } from './dynamodb.js';
import { localRoutes } from './local.routes.js';
import { localScheduler } from './scheduler.js';
import { startApiServer, type LocalFunction } from './server.js';
import { testClock } from './test-clock.js';
import { localWorkflows, WORKFLOWS_DIR } from './workflows.js';

export interface LocalStackOptions {
  /** API port; 0 picks a free one. */
  port: number;
  /** Where DynamoDB Local keeps its data; null keeps it in memory. */
  dataDir: string | null;
  /** The local tenant's key; without one, a key is made once and kept in the data dir. */
  apiKey?: string;
  /** Local SES port; 0 picks a free one. */
  sesPort: number;
  /** An SES endpoint running already (its base URL): mail goes there and no local SES is started. */
  sesUrl?: string;
  /** The step handlers the workflows run (default: Tally's, functions/steps/index.ts). */
  steps?: StepRegistry;
  /** The use cases schedules fire (default: Tally's, functions/scheduled/targets.ts). */
  scheduleTargets?: TargetRegistry;
  /** How long a function may run, in ms (default: Lambda's timeout, as deployed); tests shorten it. */
  functionTimeoutMs?: number;
}

export interface LocalStack {
  apiUrl: string;
  mailUrl: string;
  dynamoEndpoint: string;
  apiKey: string;
  tenantId: string;
  /** Resolves when no workflow execution is in flight. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export const TABLE_NAME = 'tally';

/** How often the local stack makes the workflow starts still owed (AWS: a rule every minute). */
const SWEEP_INTERVAL_MS = 10_000;
/** A move of the test clock runs every fire on its way: it has Lambda's longest timeout, not the API's. */
const CLOCK_MOVE_TIMEOUT_MS = 15 * 60_000;
export const LOCAL_MAIL_FROM = 'billing@tally.local';

// A CommonJS package whose default export ESM loaders (Node, Vite) wrap differently: require is the same everywhere.
const startSes = (createRequire(import.meta.url)('aws-ses-v2-local') as typeof import('aws-ses-v2-local')).default;

export const freePort = async (): Promise<number> => {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
};

const portOf = (server: Server): number => (server.address() as AddressInfo).port;

const close = (server: Server): Promise<void> =>
  new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });

/** A secret made once and kept in the data dir, so that it outlives a restart; without one, made anew. */
const keptSecret = (dataDir: string | null, name: string, make: () => string): string => {
  const file = dataDir ? join(dataDir, name) : undefined;
  if (file && existsSync(file)) return readFileSync(file, 'utf8').trim();
  const secret = make();
  if (file) writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
};

/**
 * Runs Tally on this machine: DynamoDB Local, local SES, the workflow runner, the scheduler (with
 * its test clock) and the API, served by the same Lambda handlers that AWS runs. The process environment is pointed at them, as Lambda's would be.
 */
export const startLocalStack = async (options: LocalStackOptions): Promise<LocalStack> => {
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const dynamo = await startDynamo(await freePort(), options.dataDir && join(options.dataDir, 'dynamodb'));
  const servers: Server[] = [];
  const workflowRunner = localWorkflows<WorkflowName>({ dir: WORKFLOWS_DIR, steps: options.steps ?? steps });
  // A move of the test clock waits, after each fire, for the workflows the fire started.
  const schedules = localScheduler({
    targets: options.scheduleTargets ?? scheduleTargets,
    clock: testClock,
    settle: () => workflowRunner.idle(),
  });
  // Stopped before the table goes: an execution cut off stays running, to be run again at the next
  // start; the scheduler first, as a fire in flight ends and is recorded (it may mail, start workflows).
  let sweeper: NodeJS.Timeout | undefined;
  const stopAll = async (): Promise<void> => {
    clearInterval(sweeper);
    await schedules.stop();
    await Promise.all(servers.map(close));
    await workflowRunner.stop();
    await dynamo.stop();
  };
  try {
    Object.assign(process.env, {
      TABLE_NAME,
      DYNAMODB_ENDPOINT: dynamo.endpoint,
      AWS_REGION: process.env.AWS_REGION ?? 'local',
      // Seals list cursors; kept, a cursor still reads on after a restart, as on AWS after a deploy.
      CURSOR_KEY:
        process.env.CURSOR_KEY || keptSecret(options.dataDir, 'cursor-key', () => randomBytes(32).toString('base64url')),
    });
    await ensureTable(dynamo.endpoint, TABLE_NAME);
    // Test time, if the test clock was moved before a restart, before anything reads the time.
    await testClock.restore();

    let sesUrl = options.sesUrl;
    if (!sesUrl) {
      const ses = await startSes({ host: '127.0.0.1', port: options.sesPort || (await freePort()) });
      servers.push(ses);
      sesUrl = `http://127.0.0.1:${portOf(ses)}`;
    }
    // The mailer sends to the local SES; on AWS, MAIL_FROM is the deployment's verified sender.
    Object.assign(process.env, {
      SES_ENDPOINT: sesUrl,
      MAIL_FROM: process.env.MAIL_FROM || LOCAL_MAIL_FROM,
    });

    // The local tenant's key: the given one, the one kept in the data dir, or a new one.
    const apiKey = options.apiKey || keptSecret(options.dataDir, 'api-key', generateApiKey);
    const tenantId =
      (await tenantIdForAuthorization(`Bearer ${apiKey}`)) ?? (await registerTenant({ name: 'Local tenant' }, apiKey)).tenant.id;

    // Each group's function is what its `functions/api/<group>.handler.ts` exports: httpHandler(routes).
    const local = localRoutes(schedules);
    const functions: LocalFunction[] = [
      ...Object.entries(routeGroups).map(([group, routes]) => ({ name: `tally-${group}`, routes, handler: httpHandler(routes) })),
      { name: 'tally-local', routes: local, handler: httpHandler(local), timeoutMs: CLOCK_MOVE_TIMEOUT_MS },
      { name: 'tally-portal', routes: portalRoutes, handler: portalHandler },
    ];
    const api = await startApiServer(functions, options.port, options.functionTimeoutMs);
    servers.push(api);
    // Approval links point at this server, as on AWS at the API's URL.
    process.env.PORTAL_URL = `http://127.0.0.1:${portOf(api)}`;

    // Services start workflows on the local runner, which runs again what a crash cut off: in the
    // background, so start-up waits only for finding them. Then the starts a crash left owed are
    // made (none is in the making before this process serves), and from then on, as on AWS, every
    // start still owed after the grace a request has to make it itself. Owed since is on the
    // process's clock, the test clock's. Schedules fire what fell due while the stack was down, then poll.
    provideWorkflows(workflowRunner);
    provideScheduler(schedules);
    await workflowRunner.recover();
    await sweepOwedStarts(clock.now(), 0);
    sweeper = setInterval(() => {
      sweepOwedStarts(clock.now()).catch((error: unknown) =>
        logger.error('owed workflow starts not swept', { error: error as Error }),
      );
    }, SWEEP_INTERVAL_MS);
    schedules.start();

    return {
      apiUrl: `http://127.0.0.1:${portOf(api)}`,
      mailUrl: `${sesUrl}/store`,
      dynamoEndpoint: dynamo.endpoint,
      apiKey,
      tenantId,
      idle: () => workflowRunner.idle(),
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
};
