import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { indexes, TTL_ATTRIBUTE } from '../../functions/store/keys.js';
import { DataStack } from '../../lib/stacks/data-stack.js';
import { newApp } from './tally-app.js';

describe('DataStack', () => {
  let template: Template;

  beforeAll(() => {
    // Prepare
    const stack = new DataStack(newApp(), 'Tally-Data');
    // Act
    template = Template.fromStack(stack);
  });

  it('has the one table, keyed on PK and SK, billed per request', () => {
    // Assess
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'PK', KeyType: 'HASH' },
        { AttributeName: 'SK', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
    });
  });

  it('has every index of store/keys.ts, string-keyed, projecting keys only', () => {
    // Assess
    const table = Object.values(template.findResources('AWS::DynamoDB::Table'))[0];
    const expected = Object.values(indexes).map((index) => ({
      IndexName: index.name,
      KeySchema: [
        { AttributeName: index.pk, KeyType: 'HASH' },
        { AttributeName: index.sk, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'KEYS_ONLY' },
    }));
    expect(table?.Properties.GlobalSecondaryIndexes).toEqual(expected);
    const attributes = Object.values(indexes).flatMap((index) => [index.pk, index.sk]);
    const definitions = ['PK', 'SK', ...attributes].map((name) => ({ AttributeName: name, AttributeType: 'S' }));
    expect(table?.Properties.AttributeDefinitions).toHaveLength(definitions.length);
    expect(table?.Properties.AttributeDefinitions).toEqual(expect.arrayContaining(definitions));
  });

  it('expires items on the TTL attribute', () => {
    // Assess
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
    });
  });

  it('protects the data: point-in-time recovery, deletion protection, retained on stack deletion', () => {
    // Assess
    template.hasResource('AWS::DynamoDB::Table', {
      Properties: {
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
      },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });
});
