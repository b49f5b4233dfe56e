import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { routeKey } from '../../functions/api/route.js';
import { routeGroups } from '../../functions/api/routes/index.js';
import { tallyApp } from './tally-app.js';
import { type Resource, servingFunction } from './template-queries.js';

describe('the API on AWS, beyond its routes', () => {
  let template: Template;
  let functions: Record<string, Resource>;

  beforeAll(() => {
    // Prepare / Act
    template = Template.fromStack(tallyApp().service);
    functions = template.findResources('AWS::Lambda::Function') as Record<string, Resource>;
  }, 120_000);

  it('sends what no route matched to the meta function, without the API key, which answers 404 or 405', () => {
    // Assess: a public $default route, served by the function whose handler knows every route
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: '$default', AuthorizationType: 'NONE' });
    const meta = servingFunction(template, routeKey(routeGroups.meta[0]!));
    expect(meta).toEqual(expect.any(String));
    expect(servingFunction(template, '$default')).toBe(meta);
  });

  it('gives every route group function the cursor key from one generated secret, resolved at deploy time', () => {
    // Prepare: the functions that serve the route table (the authorizer, the portal, steps and the sweep list nothing)
    const routeFunctions = Object.values(routeGroups).map((routes) => servingFunction(template, routeKey(routes[0]!)));
    expect(new Set(routeFunctions).size).toBe(Object.keys(routeGroups).length);
    const secrets = Object.keys(template.findResources('AWS::SecretsManager::Secret'));
    const policies = JSON.stringify(template.findResources('AWS::IAM::Policy'));
    // Assess
    expect(secrets).toHaveLength(1);
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true },
    });
    for (const [id, fn] of Object.entries(functions)) {
      const cursorKey = JSON.stringify(fn.Properties.Environment.Variables.CURSOR_KEY ?? null);
      if (routeFunctions.includes(id)) {
        expect(cursorKey, id).toContain('{{resolve:secretsmanager:');
        expect(cursorKey, id).toContain(secrets[0]);
      } else {
        expect(cursorKey, id).toBe('null');
      }
    }
    // CloudFormation reads the secret, the functions never do.
    expect(policies).not.toContain('secretsmanager:');
  });
});
