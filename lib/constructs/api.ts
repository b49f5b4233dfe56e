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
import type { WorkflowName } from '../../functions/adapters/workflows.js';
import { portalRoutes } from '../../functions/api/portal/routes.js';
import { routeKey, type Route } from '../../functions/api/route.js';
import { routeGroups, type RouteGroup } from '../../functions/api/routes/index.js';
import { BillingFunction, type FunctionNeeds, type MailSender } from './billing-function.js';
import type { Schedules } from './schedules.js';
import type { Workflow } from './workflow.js';

export interface ApiProps {
  table: ITable;
  /** Who the functions that send mail send as. */
  mail: MailSender;
  /** Every workflow, for the functions that start one (`starts`). */
  workflows: Readonly<Record<WorkflowName, Workflow>>;
  /** The schedules, for the functions that put or remove one (`schedules`). */
  schedules: Schedules;
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

/** What a function of the API needs beyond the table. */
interface GroupNeeds extends FunctionNeeds {
  /** The workflows it starts (`grantStart`: states:StartExecution and `WORKFLOW_<NAME>_ARN`). */
  starts?: readonly WorkflowName[];
  /** Puts portal links in what it sends: told the portal's public base URL (`PORTAL_URL`, no trailing slash). */
  portalUrl?: boolean;
  /** Puts or removes schedules (`grantSchedule`: in the schedule group, as its role; `SCHEDULE_*`). */
  schedules?: boolean;
  /** Serves API Gateway's `$default` route: its handler answers what no route matched (404, or 405 with `Allow`). */
  answersUnmatched?: boolean;
}

const GROUP_NEEDS: Partial<Record<RouteGroup, GroupNeeds>> = {
  // Renders invoice PDFs and emails them. Issuing, voiding or paying a profile's invoice puts or
  // removes its late-fee check.
  invoices: { rendersDocuments: true, sendsMail: true, schedules: true },
  // Completing a milestone emails the client an approval link, whose request schedules its reminder
  // and expiry; a decision or a retry starts its billing.
  milestones: { sendsMail: true, portalUrl: true, starts: ['milestone-billing'], schedules: true },
  // Proposing a change order emails the client its approval link, and schedules the request's reminder and expiry.
  'change-orders': { sendsMail: true, portalUrl: true, schedules: true },
  // Sending an estimate emails its approval link (timers scheduled as a change order's); its document renders as a PDF.
  estimates: { rendersDocuments: true, sendsMail: true, portalUrl: true, schedules: true },
  // Activating, pausing, updating or cancelling a profile puts or removes its schedule.
  profiles: { schedules: true },
  // The go-ahead of a partial invoice starts its finalization.
  'partial-invoices': { starts: ['partial-invoice'] },
  // Its handler knows every route, for the OpenAPI document and for what no route matched (meta.handler.ts).
  meta: { answersUnmatched: true },
};

// The client's decisions (functions/api/portal.handler.ts): an approval starts the milestone's billing.
const PORTAL_NEEDS: GroupNeeds = { starts: ['milestone-billing'] };

/**
 * The HTTP API (design §6), built from the route table in `functions/api/routes`: one Lambda per
 * route group (`functions/api/<group>.handler.ts`), one API Gateway route per route, every route
 * behind the API key authorizer unless it is declared public, and a public `$default` route for
 * what no route matched.
 */
export class Api extends Construct {
  readonly url: string;
  /** The portal's public base URL: the API's own endpoint (the `$default` stage serves at its root). */
  private readonly endpoint: string;

  constructor(scope: Construct, id: string, { table, mail, workflows, schedules }: ApiProps) {
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
    this.endpoint = httpApi.apiEndpoint;

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

    /** The function that serves a group of routes (`functions/api/<name>.handler.ts`), with what it needs, and its integration. */
    const serve = (name: string, needs: GroupNeeds): { fn: BillingFunction; integration: HttpLambdaIntegration } => {
      const fn = new BillingFunction(this, `${name}-routes`, {
        entry: `functions/api/${name}.handler.ts`,
        needs,
      });
      fn.bindTable(table);
      if (needs.sendsMail) fn.bindMail(mail);
      if (needs.portalUrl) this.bindPortalUrl(fn);
      for (const workflow of needs.starts ?? []) workflows[workflow].grantStart(fn);
      if (needs.schedules) schedules.grantSchedule(fn);
      return { fn, integration: new HttpLambdaIntegration(`${name}-integration`, fn.fn) };
    };
    /** API Gateway routes to the integration; a public one without the authorizer, acknowledged with why. */
    const addRoutes = <R extends Pick<Route, 'method' | 'path' | 'summary'>>(
      routes: readonly R[],
      integration: HttpLambdaIntegration,
      whyPublic: (route: R) => string | undefined,
    ): void => {
      for (const route of routes) {
        const reason = whyPublic(route);
        const created = httpApi.addRoutes({
          path: route.path,
          methods: [HttpMethod[route.method]],
          integration,
          authorizer: reason ? new HttpNoneAuthorizer() : undefined,
        });
        if (reason)
          for (const publicRoute of created) Validations.of(publicRoute).acknowledge({ id: 'AwsSolutions-APIG4', reason });
      }
    };

    for (const [group, routes] of Object.entries(routeGroups) as [RouteGroup, Route[]][]) {
      const needs = GROUP_NEEDS[group] ?? {};
      const { fn, integration } = serve(group, needs);
      fn.fn.addEnvironment('CURSOR_KEY', cursorKey.secretValue.unsafeUnwrap());
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
      addRoutes(routes, integration, (route) =>
        route.public
          ? `${routeKey(route)} (${route.summary}) is declared public in the route table: it is served without an API key by design.`
          : undefined,
      );
    }

    // The client portal, outside /v1: the client has no API key, the link's token is the credential.
    const portal = serve('portal', PORTAL_NEEDS);
    addRoutes(
      portalRoutes,
      portal.integration,
      (route) =>
        `${routeKey(route)} (${route.summary}) is a client portal page, public by design: its path carries a single-use, expiring token (32 random bytes, stored only as its SHA-256 hash) without which it shows and changes nothing.`,
    );
  }

  /** Tells a function that puts portal links in what it sends where the portal is (`PORTAL_URL`: `<endpoint>/portal/...`). */
  bindPortalUrl(fn: BillingFunction): void {
    fn.fn.addEnvironment('PORTAL_URL', this.endpoint);
  }
}
