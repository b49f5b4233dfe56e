import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { routeKey } from '../../functions/api/route.js';
import { routeGroups } from '../../functions/api/routes/index.js';
import { tallyApp } from './tally-app.js';

type Resource = { Properties: Record<string, any> };

/** The logical id of the function behind a route key (route -> integration -> function). */
const servingFunction = (template: Template, key: string): string | undefined => {
  const route = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).find((r) => r.Properties.RouteKey === key);
  const integration = template.findResources('AWS::ApiGatewayV2::Integration')[route?.Properties.Target['Fn::Join'][1][1].Ref];
  return integration?.Properties.IntegrationUri['Fn::GetAtt'][0];
};

describe('the API on AWS, beyond its routes', () => {
  let template: Template;
  let functions: Record<string, Resource>;
  let authorizerFunction: string;

  beforeAll(() => {
    // Prepare / Act
    template = Template.fromStack(tallyApp().service);
    functions = template.findResources('AWS::Lambda::Function') as Record<string, Resource>;
    const authorizer = Object.values(template.findResources('AWS::ApiGatewayV2::Authorizer'))[0]!;
    authorizerFunction = Object.keys(functions).find((id) => JSON.stringify(authorizer).includes(id))!;
  }, 120_000);

  it('sends what no route matched to the meta function, without the API key, which answers 404 or 405', () => {
    // Assess: a public $default route, served by the function whose handler knows every route
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: '$default', AuthorizationType: 'NONE' });
    const meta = servingFunction(template, routeKey(routeGroups.meta[0]!));
    expect(meta).toEqual(expect.any(String));
    expect(servingFunction(template, '$default')).toBe(meta);
  });

  it('gives every route function the cursor key from one generated secret, resolved at deploy time', () => {
    // Prepare
    const secrets = Object.keys(template.findResources('AWS::SecretsManager::Secret'));
    const policies = JSON.stringify(template.findResources('AWS::IAM::Policy'));
    // Assess
    expect(secrets).toHaveLength(1);
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true },
    });
    for (const [id, fn] of Object.entries(functions)) {
      const cursorKey = JSON.stringify(fn.Properties.Environment.Variables.CURSOR_KEY ?? null);
      if (id === authorizerFunction) {
        // The authorizer lists nothing.
        expect(cursorKey).toBe('null');
      } else {
        expect(cursorKey, id).toContain('{{resolve:secretsmanager:');
        expect(cursorKey, id).toContain(secrets[0]);
      }
    }
    // CloudFormation reads the secret, the functions never do.
    expect(policies).not.toContain('secretsmanager:');
  });
});
