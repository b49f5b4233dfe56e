import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { provideScheduler } from '../../functions/adapters/scheduler.js';
import { scheduleTargets } from '../../functions/scheduled/targets.js';
import { localScheduler } from '../../local/scheduler.js';
import { LOCAL_MAIL_FROM, TABLE_NAME } from '../../local/stack.js';

// Store and service tests talk to the run's DynamoDB Local and local SES, as the handlers of the local stack do.
Object.assign(process.env, {
  TABLE_NAME,
  DYNAMODB_ENDPOINT: inject('dynamoEndpoint'),
  SES_ENDPOINT: new URL(inject('mailUrl')).origin,
  MAIL_FROM: LOCAL_MAIL_FROM,
  AWS_REGION: 'local',
  POWERTOOLS_LOG_LEVEL: 'ERROR',
  // Store tests seal and open their cursors in this process: a key of its own will do.
  CURSOR_KEY: randomBytes(32).toString('base64url'),
});

// Service tests put schedules (an approval request's timers) as the handlers do: into the run's table,
// through the local scheduler, whose firing is the local stack's (this one is never started).
provideScheduler(localScheduler({ targets: scheduleTargets }));
