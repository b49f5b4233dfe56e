import type { ScheduleTargetName } from '../adapters/scheduler.js';
import { deemApproval, expireApproval, remindApproval } from '../services/approval-timers.js';
import { lateFee } from '../services/late-fees.js';
import { snapshotProfile } from '../services/profile-snapshot.service.js';

/** A use case a schedule fires, given its input and the time it was scheduled for. */
export type ScheduleTarget = (input: Record<string, unknown>, scheduledTime: Date) => Promise<unknown>;

export type TargetRegistry = Record<ScheduleTargetName, ScheduleTarget>;

/** Every target's use case, by name: what the scheduled-target function and the local scheduler run. */
export const scheduleTargets: TargetRegistry = {
  'approval-reminder': remindApproval,
  'approval-expiry': expireApproval,
  'approval-deemed-acceptance': deemApproval,
  'profile-snapshot': snapshotProfile,
  'late-fee': lateFee,
};
