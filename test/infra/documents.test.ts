import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { routeKey } from '../../functions/api/route.js';
import { routeGroups } from '../../functions/api/routes/index.js';
import { lambdaLayout } from '../../bin/bench/bundles.js';
import { mailSender } from '../../lib/constructs/billing-function.js';
import { BUNDLE_FILE } from '../../lib/constructs/bundling.js';
import type { ServiceStack } from '../../lib/stacks/service-stack.js';
import { MAIL_FROM, tallyApp } from './tally-app.js';
import { functionStatements, grantsOf, type Resource, servingFunction } from './template-queries.js';

// Simple content, attachments included: SendEmail alone (raw MIME would need ses:SendRawEmail as well).
const SES_ACTION = 'ses:SendEmail';

/** The lock file's SES client: Content.Simple.Attachments is newer than some of its versions. */
const sesClientVersion = (
  JSON.parse(readFileSync(new URL('../../node_modules/@aws-sdk/client-sesv2/package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;

describe('invoice documents on AWS', () => {
  let template: Template;
  let app: App;
  let service: ServiceStack;
  let outdir: string;
  let functions: Record<string, Resource>;
  let invoicesFunction: string;
  /** Every function that emails: invoices, approval links (milestones, change orders, estimates, the schedules' reminders), the workflows' invoices. */
  let senders: Record<string, string>;

  beforeAll(() => {
    // Prepare
    ({ app, service } = tallyApp(undefined, { bundled: true }));
    // Act
    template = Template.fromStack(service);
    outdir = app.outdir;
    functions = template.findResources('AWS::Lambda::Function') as Record<string, Resource>;
    invoicesFunction = servingFunction(template, routeKey(routeGroups.invoices[0]!));
    senders = {
      invoices: invoicesFunction,
      milestones: servingFunction(template, routeKey(routeGroups.milestones[0]!)),
      'change-orders': servingFunction(template, routeKey(routeGroups['change-orders'][0]!)),
      estimates: servingFunction(template, routeKey(routeGroups.estimates[0]!)),
      SendMilestoneInvoice: service.getLogicalId(
        service.workflows['milestone-billing'].steps.SendMilestoneInvoice!.fn.node.defaultChild as CfnFunction,
      ),
      SendFinalized: service.getLogicalId(
        service.workflows['partial-invoice'].steps.SendFinalized!.fn.node.defaultChild as CfnFunction,
      ),
      'scheduled-target': service.getLogicalId(service.schedules.target.fn.node.defaultChild as CfnFunction),
    };
  }, 120_000);

  it('lets only the functions that email send mail, only from the configured sender, as its domain identity', () => {
    // Prepare
    const mailStatements = (id: string) => grantsOf(functionStatements(template, id), 'ses');
    // Assess
    for (const [sender, id] of Object.entries(senders)) {
      const [statement, ...others] = mailStatements(id);
      expect(others, sender).toEqual([]);
      expect(statement, sender).toMatchObject({
        Effect: 'Allow',
        Action: SES_ACTION,
        Condition: { StringEquals: { 'ses:FromAddress': MAIL_FROM } },
      });
      expect(JSON.stringify(statement?.Resource), sender).toMatch(/:ses:.*:identity\/tally\.example"/);
      expect(functions[id]!.Properties.Environment.Variables.MAIL_FROM, sender).toBe(MAIL_FROM);
    }
    for (const id of Object.keys(functions).filter((id) => !Object.values(senders).includes(id))) {
      expect(mailStatements(id), id).toEqual([]);
      expect(functions[id]!.Properties.Environment.Variables.MAIL_FROM, id).toBeUndefined();
    }
  });

  it('takes the sender from the context, the identity defaulting to its domain', () => {
    // Prepare
    const sender = (context: Record<string, string>) => mailSender(new App({ context }));
    // Assess
    expect(sender({ mailFrom: 'billing@tally.example' })).toEqual({ from: 'billing@tally.example', identity: 'tally.example' });
    expect(sender({ mailFrom: 'a@mail.tally.example', mailIdentity: 'a@mail.tally.example' })).toEqual({
      from: 'a@mail.tally.example',
      identity: 'a@mail.tally.example',
    });
    expect(() => sender({})).toThrow(/-c mailFrom=/);
    expect(() => sender({ mailFrom: 'not-an-address' })).toThrow(/-c mailFrom=/);
  });

  // The step function loads its step at cold start, named by STEP_NAME as the Workflow construct sets it.
  it.each([
    { renderer: 'invoices', env: {} },
    // an estimate's document as a PDF
    { renderer: 'estimates', env: {} },
    { renderer: 'SendMilestoneInvoice', env: { STEP_NAME: 'SendMilestoneInvoice' } },
    // a live profile's snapshot and late fee email the invoice's PDF
    { renderer: 'scheduled-target', env: {} },
  ] as const)('ships pdfkit beside the $renderer bundle, so that its standard fonts load on Lambda', ({ renderer, env }) => {
    // Prepare: the function's asset as it is zipped and uploaded.
    const id = senders[renderer]!;
    const asset = join(outdir, `asset.${functions[id]!.Properties.Code.S3Key.replace(/\.zip$/, '')}`);
    expect(existsSync(join(asset, BUNDLE_FILE))).toBe(true);
    // Act: lay out a page in Helvetica with the pdfkit of the asset, as the bundle will at run time.
    const script = `import PDFDocument from 'pdfkit';
      const doc = new PDFDocument({ size: 'A4' }); const chunks = [];
      doc.on('data', (c) => chunks.push(c)); doc.on('end', () => process.stdout.write(Buffer.concat(chunks).subarray(0, 5)));
      doc.font('Helvetica-Bold').text('Invoice'); doc.end();`;
    const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: asset, encoding: 'latin1' });
    // The bundle where Lambda runs it, with the SDK layer, as Lambda resolves it, and the SES client it sends with.
    const [layer] = Object.values(template.findResources('AWS::Lambda::LayerVersion'));
    const layout = lambdaLayout(asset, join(outdir, `asset.${layer!.Properties.Content.S3Key.replace(/\.zip$/, '')}`));
    const load = `console.log(typeof require(${JSON.stringify(layout.file)}).handler, typeof require('@aws-sdk/client-sesv2').SESv2Client, require('@aws-sdk/client-sesv2/package.json').version)`;
    const loaded = execFileSync(process.execPath, ['-e', load], {
      encoding: 'utf8',
      cwd: layout.dir,
      env: { ...process.env, ...env, ...layout.env },
    });
    rmSync(layout.dir, { recursive: true, force: true });
    // Assess
    expect(output).toBe('%PDF-');
    // the lock file's SES client (from the layer), whose simple content carries the PDF
    expect(loaded.trim()).toBe(`function function ${sesClientVersion}`);
    expect(existsSync(join(asset, 'node_modules/pdfkit/package.json'))).toBe(true);
  });
});
