import { ArnFormat, Duration, Names, Stack, Token, Validations } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import { deadLetterAlarm } from './dead-letter-alarm.js';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { ScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { SCHEDULE_VARIABLES } from '../../functions/shared/config.js';
import { BillingFunction, type FunctionNeeds, type MailSender } from './billing-function.js';

const TARGET_ENTRY = 'functions/scheduled/target.handler.ts';
const SCHEDULER = 'scheduler.amazonaws.com';
// A profile's snapshot turns a tab of up to 5,000 items into an invoice in chunks, renders and emails it:
// minutes, not the API's seconds. A fire cut short resumes from its last chunk on Lambda's retry.
const TARGET_TIMEOUT = Duration.minutes(5);

export interface SchedulesProps {
  /** The table of the data stack, which the targets read and write. */
  table: ITable;
  /** What the targets need beyond the table. */
  targetNeeds?: FunctionNeeds;
  /** The sender of targets that send mail (required when they do). */
  mail?: MailSender;
}

/**
 * The AWS side of the schedules made at run time (design §5): one schedule group that holds them
 * all; the one scheduled-target function each of them invokes (functions/scheduled/target.handler.ts,
 * which runs the target the schedule names); the role Scheduler invokes it as, which may do that and
 * send to the dead-letter queue, nothing else; and the dead-letter queue, with an alarm on any
 * message in it. `grantSchedule` lets a function put and remove schedules in the group.
 *
 * A fire goes wrong two ways, and both end in the one queue: Scheduler could not invoke the function
 * (its retry policy spent: the adapter's `RETRY_POLICY`), or the function failed on it (Scheduler
 * invokes it asynchronously, so Lambda retries it, then sends it to the queue as its on-failure destination).
 */
export class Schedules extends Construct {
  readonly group: ScheduleGroup;
  readonly target: BillingFunction;
  /**
   * The target function's ARN, built from its physical name rather than referenced, so that the target
   * itself may be told it (`grantSchedule`): a function's environment cannot refer to the function.
   */
  private readonly targetArn: string;
  readonly role: Role;
  readonly deadLetterQueue: Queue;
  readonly deadLetterAlarm: Alarm;

  constructor(scope: Construct, id: string, { table, targetNeeds = {}, mail }: SchedulesProps) {
    super(scope, id);

    // Kept if the stack goes (ScheduleGroup's default): its schedules are what the profiles and invoices
    // in the table count on, and a group deleted deletes all of them.
    this.group = new ScheduleGroup(this, 'Group');

    this.deadLetterQueue = new Queue(this, 'DeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        "It is a dead-letter queue itself: that of the schedules (fires Scheduler could not deliver) and the scheduled-target function's on-failure destination (fires it failed), which cdk-nag does not recognize as one.",
    });

    // Unique in the account and region as CloudFormation's own names are (the path, hashed), within Lambda's 64 characters.
    const targetName = `${Names.uniqueResourceName(this, { maxLength: 64 - '-Target'.length, separator: '-' })}-Target`;
    this.target = new BillingFunction(this, 'Target', {
      entry: TARGET_ENTRY,
      needs: targetNeeds,
      timeout: TARGET_TIMEOUT,
      functionName: targetName,
    });
    this.targetArn = Stack.of(this).formatArn({
      service: 'lambda',
      resource: 'function',
      resourceName: targetName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    this.target.bindTable(table);
    if (targetNeeds.sendsMail) {
      if (!mail) throw new Error('The schedule targets send mail: give Schedules a sender');
      this.target.bindMail(mail);
    }
    // Every target is safe to run twice for one fire: two retries of a failure (Lambda's backoff, a
    // minute and two), for six hours of throttling at most, then the dead-letter queue. Three runs of
    // TARGET_TIMEOUT each (a snapshot that timed out resumes) fit well within those six hours.
    this.target.fn.configureAsyncInvoke({
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      onFailure: new SqsDestination(this.deadLetterQueue),
    });

    // Only Scheduler, for a schedule of this group in this account (confused deputy), may take the role.
    const account = Stack.of(this).account;
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal(SCHEDULER, {
        conditions: {
          StringEquals: { 'aws:SourceAccount': account, 'aws:SourceArn': this.group.scheduleGroupArn },
        },
      }),
      description: 'EventBridge Scheduler invokes the Tally scheduled-target function as this role',
    });
    // The function's own ARN only: not `<arn>:*` (every version and alias), which grantInvoke would add.
    this.role.addToPolicy(new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.target.fn.functionArn] }));
    this.role.addToPolicy(new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.deadLetterQueue.queueArn] }));

    this.deadLetterAlarm = deadLetterAlarm(
      this,
      'DeadLetter',
      this.deadLetterQueue,
      "A schedule's fire was not done (see the dead-letter queue, and the scheduled-target function's log): a billing cycle, late fee or reminder is missing.",
    );
  }

  /**
   * Lets the function create, update and delete the schedules of the group, each invoking the target
   * as the role (iam:PassRole of that role, to Scheduler only), and tells it the group, the target,
   * the role and the dead-letter queue (`SCHEDULE_*`).
   */
  grantSchedule(fn: BillingFunction): void {
    const stack = Stack.of(this);
    const schedules = stack.formatArn({
      service: 'scheduler',
      resource: 'schedule',
      resourceName: `${this.group.scheduleGroupName}/*`,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    fn.fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['scheduler:CreateSchedule', 'scheduler:UpdateSchedule', 'scheduler:DeleteSchedule'],
        resources: [schedules],
      }),
    );
    fn.fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [this.role.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': SCHEDULER } },
      }),
    );
    // The resource as cdk-nag names it: a pseudo parameter the stack does not know as `<AWS::Name>`.
    const shown = (value: string, name: string): string => (Token.isUnresolved(value) ? `<AWS::${name}>` : value);
    const named = `arn:${shown(stack.partition, 'Partition')}:scheduler:${shown(stack.region, 'Region')}:${shown(stack.account, 'AccountId')}`;
    Validations.of(fn.fn.role!).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${named}:schedule/${this.group.scheduleGroupName}/*]`,
      reason:
        'Schedules are made at run time, named by their business keys (a profile, an invoice, an approval request): the grant is on the schedules of the one Tally group, which is as narrow as a name known only at run time allows.',
    });
    const variables: Record<keyof typeof SCHEDULE_VARIABLES, string> = {
      group: this.group.scheduleGroupName,
      targetArn: this.targetArn,
      roleArn: this.role.roleArn,
      deadLetterArn: this.deadLetterQueue.queueArn,
    };
    for (const [key, value] of Object.entries(variables))
      fn.fn.addEnvironment(SCHEDULE_VARIABLES[key as keyof typeof variables], value);
  }
}
