import { readFileSync } from 'node:fs';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { routeKey } from '../../functions/api/route.js';
import { routeGroups } from '../../functions/api/routes/index.js';
import { workflowArnVariable } from '../../functions/shared/config.js';
import { tallyApp } from './tally-app.js';
import { functionStatements, grantsOf, type Resource, roleStatements, servingFunction } from './template-queries.js';

const DEFINITION = new URL('../../workflows/partial-invoice.asl.json', import.meta.url);
const STEPS = [
  'PlanSettlement',
  'SettleChunk',
  'MarkSettled',
  'CopyLines',
  'Finalize',
  'SendFinalized',
  'RecordSendFailure',
  'ReleaseSelection',
];

describe('the partial-invoice workflow on AWS', () => {
  let template: Template;
  let functions: Record<string, Resource>;
  let machine: Resource;
  let ids: { machine: string; steps: Record<string, string>; partialInvoices: string };

  beforeAll(() => {
    // Prepare
    const { service } = tallyApp();
    // Act
    template = Template.fromStack(service);
    functions = template.findResources('AWS::Lambda::Function') as Record<string, Resource>;
    const logicalId = (construct: { node: { defaultChild?: unknown } }) =>
      service.getLogicalId(construct.node.defaultChild as never);
    const workflow = service.workflows['partial-invoice'];
    ids = {
      machine: logicalId(workflow.stateMachine),
      steps: Object.fromEntries(Object.entries(workflow.steps).map(([step, fn]) => [step, logicalId(fn.fn)])),
      partialInvoices: servingFunction(template, routeKey(routeGroups['partial-invoices'][0]!)),
    };
    machine = template.findResources('AWS::StepFunctions::StateMachine')[ids.machine] as Resource;
  }, 120_000);

  it('is a Standard, logged, traced state machine whose every placeholder is its own step function', () => {
    expect(machine.Properties).toMatchObject({
      StateMachineType: 'STANDARD',
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: false },
      TracingConfiguration: { Enabled: true },
    });
    const placeholders = [...new Set([...readFileSync(DEFINITION, 'utf8').matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]!))];
    const substitutions = machine.Properties.DefinitionSubstitutions as Record<string, { 'Fn::GetAtt': [string, string] }>;
    expect(placeholders.sort()).toEqual(STEPS.map((step) => `${step}FunctionArn`).sort());
    expect(Object.keys(substitutions).sort()).toEqual(placeholders);
    for (const step of STEPS) {
      const [id] = substitutions[`${step}FunctionArn`]!['Fn::GetAtt'];
      expect(functions[id]!.Properties.Environment.Variables.STEP_NAME, step).toBe(step);
    }
  });

  it('may invoke exactly its steps; SendFinalized alone may mail', () => {
    const [invoking, ...others] = grantsOf(roleStatements(template, machine.Properties.RoleArn['Fn::GetAtt'][0]), 'lambda');
    expect(others).toEqual([]);
    expect([invoking!.Resource].flat()).toHaveLength(STEPS.length);
    for (const [step, id] of Object.entries(ids.steps)) {
      expect(grantsOf(functionStatements(template, id), 'ses').length, step).toBe(step === 'SendFinalized' ? 1 : 0);
    }
  });

  it('lets the partial-invoices function start exactly this state machine, telling it the ARN', () => {
    expect(grantsOf(functionStatements(template, ids.partialInvoices), 'states')).toEqual([
      expect.objectContaining({ Effect: 'Allow', Action: 'states:StartExecution', Resource: { Ref: ids.machine } }),
    ]);
    expect(functions[ids.partialInvoices]!.Properties.Environment.Variables[workflowArnVariable('partial-invoice')]).toEqual({
      Ref: ids.machine,
    });
  });
});
