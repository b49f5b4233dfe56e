import type { Template } from 'aws-cdk-lib/assertions';

export type Resource = { Properties: Record<string, any> };

export interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}

/** The logical id of the function that serves a route key (route -> integration -> function). */
export const servingFunction = (template: Template, key: string): string => {
  const route = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).find((r) => r.Properties.RouteKey === key);
  const integration = template.findResources('AWS::ApiGatewayV2::Integration')[route?.Properties.Target['Fn::Join'][1][1].Ref];
  return integration?.Properties.IntegrationUri['Fn::GetAtt'][0];
};

/** Every statement of the policies attached to a role (its logical id). */
export const roleStatements = (template: Template, role: string): Statement[] =>
  Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => p.Properties.Roles.some((r: { Ref: string }) => r.Ref === role))
    .flatMap((p) => p.Properties.PolicyDocument.Statement);

/** Every statement of a function's role (the function's logical id). */
export const functionStatements = (template: Template, fn: string): Statement[] =>
  roleStatements(template, template.findResources('AWS::Lambda::Function')[fn]!.Properties.Role['Fn::GetAtt'][0]);

/** The statements that grant an action of the service (`ses`, `states`, ...). */
export const grantsOf = (statements: Statement[], service: string): Statement[] =>
  statements.filter((s) => [s.Action].flat().some((action) => action.startsWith(`${service}:`)));
