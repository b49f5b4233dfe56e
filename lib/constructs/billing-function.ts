import { join } from 'node:path';
import { AssetHashType, DockerImage, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Code, type ILayerVersion, LayerVersion, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { FUNCTION_TIMEOUT_SECONDS } from '../../functions/shared/config.js';
import { indexes } from '../../functions/store/keys.js';
import { buildSdkLayer, installedModules, lambdaBundling, PROJECT_ROOT as root } from './bundling.js';

// Every table access is a key lookup, a query or a transaction (design §3): no Scan.
const READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem'];
const WRITE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];

export interface BillingFunctionProps {
  /** The handler module, from the repository root (`functions/api/meta.handler.ts`); it exports `handler`. */
  entry: string;
  /** What it needs that decides how it is built: the packages installed beside its bundle (`installedModules`). */
  needs?: FunctionNeeds;
  /** How long it may run (default `FUNCTION_TIMEOUT_SECONDS`, under API Gateway's 30 s): longer only where no request waits. */
  timeout?: Duration;
  /** Its physical name (default: one CloudFormation makes), for a function told its own ARN, which a reference to itself cannot give. */
  functionName?: string;
}

/** Who a function sends mail as, through SES. */
export interface MailSender {
  /** The From address, e.g. `billing@example.com`. */
  from: string;
  /** The verified SES identity that covers it: the address itself or its domain (`example.com`). */
  identity: string;
}

/** What a function needs beyond the table, declared where the function is named (a route group, a workflow step). */
export interface FunctionNeeds {
  /** Renders invoice PDFs: the renderer (pdfkit) is installed beside its bundle. */
  rendersDocuments?: boolean;
  /** Sends mail, as the deployment's sender (`bindMail`). */
  sendsMail?: boolean;
}

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

// SES v2 SendEmail with simple content (the mailer's, attachments included) is authorized as ses:SendEmail alone.
const MAIL_ACTIONS = ['ses:SendEmail'];

const SDK_LAYER_ID = 'AwsSdkLayer';

/**
 * The stack's one AWS SDK layer (`buildSdkLayer`, docs/architecture.md Bundles), made with its first
 * function: the lock file's SDK, minified, for every function instead of the runtime's copy.
 */
export const sdkLayer = (scope: Construct): ILayerVersion => {
  const stack = Stack.of(scope);
  const existing = stack.node.tryFindChild(SDK_LAYER_ID) as LayerVersion | undefined;
  return (
    existing ??
    new LayerVersion(stack, SDK_LAYER_ID, {
      description: 'Tally: the AWS SDK of the lock file, shaken to what the functions import, minified, an entry per package',
      compatibleRuntimes: [Runtime.NODEJS_22_X],
      compatibleArchitectures: [Architecture.ARM_64],
      // Built by esbuild at synth from node_modules/@aws-sdk (no Docker: the image is never pulled).
      code: Code.fromAsset(join(root, 'node_modules/@aws-sdk'), {
        assetHashType: AssetHashType.OUTPUT,
        bundling: {
          image: DockerImage.fromRegistry('public.ecr.aws/docker/library/node:22'),
          local: {
            tryBundle: (outputDir) => {
              buildSdkLayer(outputDir);
              return true;
            },
          },
        },
      }),
    })
  );
};

/** Every Lambda of Tally, with the same runtime, bundling, logging and permissions model. */
export class BillingFunction extends Construct {
  readonly fn: NodejsFunction;
  /** Its handler module, from the repository root, and the packages installed beside its bundle: what it is built from. */
  readonly entry: string;
  readonly nodeModules: readonly string[];

  constructor(scope: Construct, id: string, { entry, needs = {}, timeout, functionName }: BillingFunctionProps) {
    super(scope, id);
    this.entry = entry;
    this.nodeModules = installedModules(needs);

    const logGroup = new LogGroup(this, 'Logs', {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // Our own role instead of AWSLambdaBasicExecutionRole: it may write to this log group only.
    const role = new Role(this, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    logGroup.grantWrite(role);

    this.fn = new NodejsFunction(this, 'Function', {
      entry: join(root, entry),
      handler: 'handler',
      projectRoot: root,
      depsLockFilePath: join(root, 'package-lock.json'),
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      // 1 GB buys the CPU share that keeps cold starts short.
      memorySize: 1024,
      timeout: timeout ?? Duration.seconds(FUNCTION_TIMEOUT_SECONDS),
      functionName,
      role,
      logGroup,
      environment: {
        POWERTOOLS_SERVICE_NAME: 'tally',
        POWERTOOLS_LOG_LEVEL: 'INFO',
      },
      bundling: lambdaBundling(this.nodeModules),
      layers: [sdkLayer(this)],
    });
    Validations.of(this.fn).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Node.js 22 is pinned on purpose: the local stack, the tests and the tools run Node 22 (package.json), so AWS runs the same runtime.',
    });
  }

  /** Grants the function the table's data (`read` for lookups only) and tells it the table's name. */
  bindTable(table: ITable, access: 'read' | 'readWrite' = 'readWrite'): void {
    const indexArns = Object.values(indexes).map((index) => `${table.tableArn}/index/${index.name}`);
    this.fn.addToRolePolicy(new PolicyStatement({ actions: READ_ACTIONS, resources: [table.tableArn, ...indexArns] }));
    if (access === 'readWrite') {
      this.fn.addToRolePolicy(new PolicyStatement({ actions: WRITE_ACTIONS, resources: [table.tableArn] }));
    }
    this.fn.addEnvironment('TABLE_NAME', table.tableName);
  }

  /**
   * Lets the function send mail from `sender.from` only (the ses:FromAddress condition), as the
   * sender's SES identity, and tells it the address (`MAIL_FROM`).
   */
  bindMail(sender: MailSender): void {
    const identityArn = Stack.of(this).formatArn({ service: 'ses', resource: 'identity', resourceName: sender.identity });
    this.fn.addToRolePolicy(
      new PolicyStatement({
        actions: MAIL_ACTIONS,
        resources: [identityArn],
        conditions: { StringEquals: { 'ses:FromAddress': sender.from } },
      }),
    );
    this.fn.addEnvironment('MAIL_FROM', sender.from);
  }
}
