import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, HttpMethod, HttpNoneAuthorizer, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { routeKey } from '../../functions/api/route.js';
import { routeGroups } from '../../functions/api/routes/index.js';
import { BillingFunction } from './billing-function.js';

export interface ApiProps {
  table: ITable;
}

// One JSON line per request; the tenant comes from the authorizer's context.
const accessLogFormat = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    ip: '$context.identity.sourceIp',
    time: '$context.requestTime',
    routeKey: '$context.routeKey',
    status: '$context.status',
    latency: '$context.responseLatency',
    tenantId: '$context.authorizer.tenantId',
    authorizerError: '$context.authorizer.error',
    integrationError: '$context.integrationErrorMessage',
  }),
);

/**
 * The HTTP API (design §6), built from the route table in `functions/api/routes`: one Lambda per
 * route group (`functions/api/<group>.handler.ts`), one API Gateway route per route, every route
 * behind the API key authorizer unless it is declared public.
 */
export class Api extends Construct {
  readonly url: string;

  constructor(scope: Construct, id: string, { table }: ApiProps) {
    super(scope, id);

    const authorizerFunction = new BillingFunction(this, 'Authorizer', { entry: 'functions/api/authorizer.handler.ts' });
    authorizerFunction.bindTable(table, 'read');
    const authorizer = new HttpLambdaAuthorizer('ApiKey', authorizerFunction.fn, {
      responseTypes: [HttpLambdaResponseType.SIMPLE],
      identitySource: ['$request.header.Authorization'],
      // A revoked key keeps working for at most this long.
      resultsCacheTtl: Duration.minutes(5),
    });

    const httpApi = new HttpApi(this, 'HttpApi', { defaultAuthorizer: authorizer, createDefaultStage: false });
    const accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const stage = httpApi.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: 100, burstLimit: 200 },
      accessLogSettings: { destination: new LogGroupLogDestination(accessLogs), format: accessLogFormat },
    });
    this.url = stage.url;

    for (const [group, routes] of Object.entries(routeGroups)) {
      const handler = new BillingFunction(this, `${group}-routes`, { entry: `functions/api/${group}.handler.ts` });
      handler.bindTable(table);
      const integration = new HttpLambdaIntegration(`${group}-integration`, handler.fn);
      for (const route of routes) {
        const created = httpApi.addRoutes({
          path: route.path,
          methods: [HttpMethod[route.method]],
          integration,
          authorizer: route.public ? new HttpNoneAuthorizer() : undefined,
        });
        if (route.public) {
          for (const publicRoute of created) {
            Validations.of(publicRoute).acknowledge({
              id: 'AwsSolutions-APIG4',
              reason: `${routeKey(route)} (${route.summary}) is declared public in the route table: it is served without an API key by design.`,
            });
          }
        }
      }
    }
  }
}
