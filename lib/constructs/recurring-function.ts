import { Duration, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { deadLetterAlarm } from './dead-letter-alarm.js';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { BillingFunction } from './billing-function.js';

export interface RecurringFunctionProps {
  /** The handler module (`BillingFunctionProps.entry`); it exports `handler`, and a run must be safe to repeat. */
  entry: string;
  /** How often it runs: a whole number of minutes, at least one. */
  every: Duration;
  /** What a run does, for the rule and the alarms. */
  description: string;
}

/** Runs in a row that all fail before the alarm fires: one may fail on something passing, the next retries it. */
const FAILED_RUNS_TO_ALARM = 5;

/**
 * A function run at a fixed rate by an EventBridge rule, for work that catches up on itself (the
 * sweep of owed workflow starts): every run does what is due, so the next run is the retry. A run
 * that cannot be delivered is retried for at most one interval, then kept in a dead-letter queue.
 * Alarms fire on a dead letter and on runs that keep failing.
 *
 * Decision: a rule rather than an EventBridge Scheduler schedule (design §5 keeps Scheduler for
 * the schedules made at run time: a profile's cycle, a late fee, a reminder). A fixed rate of the
 * stack needs none of Scheduler's time zones, one-time schedules or windows, and a rule invokes the
 * function through a resource policy on it, conditioned on the rule, where a schedule needs a role
 * (which CDK grants every version of the function, `<arn>:*`).
 */
export class RecurringFunction extends Construct {
  readonly function: BillingFunction;
  readonly deadLetterQueue: Queue;
  readonly alarms: readonly Alarm[];

  constructor(scope: Construct, id: string, { entry, every, description }: RecurringFunctionProps) {
    super(scope, id);

    this.function = new BillingFunction(this, 'Function', { entry });
    // Lambda's own retries of a failed run would only overlap the next run, which is the retry.
    this.function.fn.configureAsyncInvoke({ retryAttempts: 0 });

    this.deadLetterQueue = new Queue(this, 'DeadLetters', { enforceSSL: true, retentionPeriod: Duration.days(14) });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        "It is a dead-letter queue itself: that of the rule's target (runs EventBridge could not deliver), which cdk-nag does not recognize as one.",
    });

    new Rule(this, 'Rule', {
      description,
      schedule: Schedule.rate(every),
      targets: [
        new LambdaFunction(this.function.fn, {
          // A run older than one interval is superseded by the next one.
          maxEventAge: every,
          retryAttempts: 2,
          deadLetterQueue: this.deadLetterQueue,
        }),
      ],
    });

    this.alarms = [
      deadLetterAlarm(
        this,
        'Undelivered',
        this.deadLetterQueue,
        `A run was not delivered (see its dead-letter queue): ${description}`,
      ),
      new Alarm(this, 'Failing', {
        alarmDescription: `The last ${FAILED_RUNS_TO_ALARM} runs failed (see the function's log): ${description}`,
        metric: this.function.fn.metricErrors({ period: every, statistic: 'Sum' }),
        threshold: 1,
        evaluationPeriods: FAILED_RUNS_TO_ALARM,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    ];
  }
}
