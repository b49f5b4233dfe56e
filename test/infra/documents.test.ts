import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { routeKey } from '../../functions/api/route.js';
import { routeGroups } from '../../functions/api/routes/index.js';
import { mailSender } from '../../lib/constructs/api.js';
import { MAIL_FROM, tallyApp } from './tally-app.js';

type Resource = { Properties: Record<string, any> };

const SES_ACTIONS = ['ses:SendEmail', 'ses:SendRawEmail'];

/** The logical id of the function that serves a route (route -> integration -> function). */
const servingFunction = (template: Template, key: string): string => {
  const route = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).find((r) => r.Properties.RouteKey === key);
  const integration = template.findResources('AWS::ApiGatewayV2::Integration')[route?.Properties.Target['Fn::Join'][1][1].Ref];
  return integration?.Properties.IntegrationUri['Fn::GetAtt'][0];
};

describe('invoice documents on AWS', () => {
  let template: Template;
  let outdir: string;
  let functions: Record<string, Resource>;
  let invoicesFunction: string;

  beforeAll(() => {
    // Prepare
    const { app, service } = tallyApp();
    // Act
    template = Template.fromStack(service);
    outdir = app.outdir;
    functions = template.findResources('AWS::Lambda::Function') as Record<string, Resource>;
    invoicesFunction = servingFunction(template, routeKey(routeGroups.invoices[0]!));
  }, 120_000);

  it('lets only the invoices function send mail, only from the configured sender, as its domain identity', () => {
    // Prepare
    const policies = Object.values(template.findResources('AWS::IAM::Policy'));
    const mailStatements = (id: string) =>
      policies
        .filter((p) => p.Properties.Roles.some((r: { Ref: string }) => r.Ref === functions[id]!.Properties.Role['Fn::GetAtt'][0]))
        .flatMap((p) => p.Properties.PolicyDocument.Statement)
        .filter((s) => [s.Action].flat().some((action: string) => action.startsWith('ses:')));
    // Assess
    const [statement, ...others] = mailStatements(invoicesFunction);
    expect(others).toEqual([]);
    expect(statement).toMatchObject({
      Effect: 'Allow',
      Action: SES_ACTIONS,
      Condition: { StringEquals: { 'ses:FromAddress': MAIL_FROM } },
    });
    expect(JSON.stringify(statement.Resource)).toMatch(/:ses:.*:identity\/tally\.example"/);
    expect(functions[invoicesFunction]!.Properties.Environment.Variables.MAIL_FROM).toBe(MAIL_FROM);
    for (const id of Object.keys(functions).filter((id) => id !== invoicesFunction)) {
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

  it('ships pdfkit beside the invoices bundle, so that its standard fonts load on Lambda', () => {
    // Prepare: the function's asset as it is zipped and uploaded.
    const asset = join(outdir, `asset.${functions[invoicesFunction]!.Properties.Code.S3Key.replace(/\.zip$/, '')}`);
    expect(existsSync(join(asset, 'index.mjs'))).toBe(true);
    // Act: lay out a page in Helvetica with the pdfkit of the asset, as the bundle will at run time.
    const script = `import PDFDocument from 'pdfkit';
      const doc = new PDFDocument({ size: 'A4' }); const chunks = [];
      doc.on('data', (c) => chunks.push(c)); doc.on('end', () => process.stdout.write(Buffer.concat(chunks).subarray(0, 5)));
      doc.font('Helvetica-Bold').text('Invoice'); doc.end();`;
    const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: asset, encoding: 'latin1' });
    const loaded = execFileSync(
      process.execPath,
      ['--input-type=module', '-e', "const m = await import('./index.mjs'); console.log(typeof m.handler)"],
      {
        cwd: asset,
        encoding: 'utf8',
      },
    );
    // Assess
    expect(output).toBe('%PDF-');
    expect(loaded.trim()).toBe('function');
    expect(existsSync(join(asset, 'node_modules/pdfkit/package.json'))).toBe(true);
  });
});
