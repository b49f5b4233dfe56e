import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type App, Validations } from 'aws-cdk-lib';
import { VALIDATION_REPORT_FILE } from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { routeKey } from '../../functions/api/route.js';
import { portalRoutes } from '../../functions/api/portal/routes.js';
import { allRoutes } from '../../functions/api/routes/index.js';
import { tallyApp } from './tally-app.js';

interface ValidationReport {
  pluginReports: { pluginName: string; violations: { ruleName: string; violatingConstructs: { constructPath: string }[] }[] }[];
}

/** Every rule acknowledged anywhere in the app, with its reason. */
const acknowledgments = (app: App): { rule: string; reason: string }[] =>
  app.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) => Object.entries(entry.data as Record<string, string>))
      .map(([id, reason]) => ({ rule: id.replace(/^\w+::/, ''), reason })),
  );

describe('cdk-nag AwsSolutions checks', () => {
  let app: App;
  /** The scheduling functions' grant on the schedules of the group, whose names are known only at run time. */
  let schedulesOfGroup: string;

  beforeAll(() => {
    // Prepare: the app as bin/tally.ts builds it, checks included.
    const stacks = tallyApp();
    app = stacks.app;
    schedulesOfGroup = `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/${stacks.service.schedules.group.scheduleGroupName}/*]`;
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  }, 120_000);

  it('finds nothing that is not acknowledged', () => {
    // Act: synth throws, with the report, on any unacknowledged error or warning.
    const { directory } = app.synth();
    // Assess
    const report = JSON.parse(readFileSync(join(directory, VALIDATION_REPORT_FILE), 'utf8')) as ValidationReport;
    const findings = report.pluginReports.flatMap((plugin) =>
      plugin.violations.map((v) => `${v.ruleName} at ${v.violatingConstructs.map((c) => c.constructPath).join(', ')}`),
    );
    expect(findings).toEqual([]);
  }, 120_000);

  it('acknowledges only the runtime pin, the public routes and portal pages, the unrotated cursor key, the wildcard of workflow logging, the schedules of the group and the dead-letter queues, each with a reason', () => {
    // Act
    const acknowledged = acknowledgments(app);
    // Assess
    expect(new Set(acknowledged.map((a) => a.rule))).toEqual(
      new Set([
        'AwsSolutions-L1',
        'AwsSolutions-APIG4',
        'AwsSolutions-SMG4',
        'AwsSolutions-IAM5[Resource::*]',
        'AwsSolutions-SQS3',
        schedulesOfGroup,
      ]),
    );
    const publicRoutes = [...allRoutes().filter((r) => r.public), ...portalRoutes]
      .map((r) => `${routeKey(r)} `)
      .concat('$default ');
    const unauthorized = acknowledged.filter((a) => a.rule === 'AwsSolutions-APIG4').map((a) => a.reason);
    expect(unauthorized.map((reason) => publicRoutes.find((key) => reason.startsWith(key))).sort()).toEqual(publicRoutes.sort());
    for (const { reason } of acknowledged) expect(reason.length).toBeGreaterThan(40);
  });
});
