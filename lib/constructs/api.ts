import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  HttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
  HttpRoute,
  HttpRouteKey,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { routeKey } from '../../functions/api/route.js';
import { routeGroups } from '../../functions/api/routes/index.js';
import { BillingFunction, type BillingFunctionProps, type MailSender } from './billing-function.js';

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

/** What a route group's function needs beyond the table. */
interface GroupNeeds {
  nodeModules?: BillingFunctionProps['nodeModules'];
  sendsMail?: boolean;
  /** Serves API Gateway's `$default` route: its handler answers what no route matched (404, or 405 with `Allow`). */
  answersUnmatched?: boolean;
}

const GROUP_NEEDS: Record<string, GroupNeeds> = {
  // Renders invoice PDFs (pdfkit loads its standard font metrics from its own files at run time,
  // so it is installed beside the bundle, not bundled) and emails them.
  invoices: { nodeModules: ['pdfkit'], sendsMail: true },
  // Its handler knows every route, for the OpenAPI document and for what no route matched (meta.handler.ts).
  meta: { answersUnmatched: true },
};

const EMAIL = /^[^@\s]+@([^@\s]+\.[^@\s]+)$/;

/**
 * Who Tally sends mail as, from the CDK context: `-c mailFrom=billing@example.com`, and
 * `-c mailIdentity=...` when the verified SES identity is not the address's domain (the address
 * itself, say). Required: without a verified sender no invoice can be emailed, so the synth fails.
 */
export const mailSender = (scope: Construct): MailSender => {
  const from: unknown = scope.node.tryGetContext('mailFrom');
  const domain = typeof from === 'string' ? EMAIL.exec(from)?.[1] : undefined;
  if (typeof from !== 'string' || !domain) {
    throw new Error(
      'Set the sender of invoice mail, a verified SES identity or an address of one: -c mailFrom=billing@example.com',
    );
  }
  const identity: unknown = scope.node.tryGetContext('mailIdentity');
  return { from, identity: typeof identity === 'string' && identity ? identity : domain };
};

/**
 * The HTTP API (design §6), built from the route table in `functions/api/routes`: one Lambda per
 * route group (`functions/api/<group>.handler.ts`), one API Gateway route per route, every route
 * behind the API key authorizer unless it is declared public, and a public `$default` route for
 * what no route matched.
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

    // Seals list cursors (docs/api.md, Lists); CloudFormation resolves it into the functions' environment.
    const cursorKey = new Secret(this, 'CursorKey', {
      description: 'Seals the list cursors of the Tally API (AES-256-GCM)',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(cursorKey).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        "Not rotated: a new key turns every cursor handed out into a 400 INVALID_CURSOR mid-listing, and the key keeps cursors opaque, never data apart (every listing is a key query on the caller's own tenant partition).",
    });

    for (const [group, routes] of Object.entries(routeGroups)) {
      const needs = GROUP_NEEDS[group] ?? {};
      const handler = new BillingFunction(this, `${group}-routes`, {
        entry: `functions/api/${group}.handler.ts`,
        nodeModules: needs.nodeModules,
      });
      handler.bindTable(table);
      handler.fn.addEnvironment('CURSOR_KEY', cursorKey.secretValue.unsafeUnwrap());
      if (needs.sendsMail) handler.bindMail(mailSender(this));
      const integration = new HttpLambdaIntegration(`${group}-integration`, handler.fn);
      if (needs.answersUnmatched) {
        const unmatched = new HttpRoute(this, 'DefaultRoute', {
          httpApi,
          routeKey: HttpRouteKey.DEFAULT,
          integration,
          authorizer: new HttpNoneAuthorizer(),
        });
        Validations.of(unmatched).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason:
            '$default (what no route matched) is public, as locally: its 404 or 405 with Allow tells only what the public OpenAPI document tells, and it reads no data.',
        });
      }
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
