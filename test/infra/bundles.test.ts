import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { build, type Metafile, type Plugin } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BillingFunction } from '../../lib/constructs/billing-function.js';
import {
  BUNDLE_FILE,
  buildSdkLayer,
  esbuildOptions,
  SDK_LAYER_DIR,
  SDK_LAYER_MODULES,
  type SdkImports,
  sdkImports,
  sdkLayerSources,
} from '../../lib/constructs/bundling.js';
import { tallyApp } from './tally-app.js';

/** The most a function's bundle may weigh, minified (issue 10): what every cold start downloads and parses. */
const LIMIT_KB = 250;

interface Bundle {
  entry: string;
  nodeModules: readonly string[];
  /** The functions built from it (construct paths). */
  functions: string[];
  kb: number;
  /** Its bytes by package (`ours` for Tally's own modules), largest first. */
  parts: [string, number][];
  /** The packages it leaves to Node's `import()`. */
  imported: string[];
}

const packageOf = (input: string): string => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1] ?? 'ours';

const partsOf = (metafile: Metafile): [string, number][] => {
  const parts = new Map<string, number>();
  for (const output of Object.values(metafile.outputs))
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs))
      parts.set(packageOf(input), (parts.get(packageOf(input)) ?? 0) + bytesInOutput);
  return [...parts].sort((a, b) => b[1] - a[1]);
};

const shown = (bundles: Bundle[]): string =>
  bundles
    .map(
      (b) =>
        `${b.kb.toFixed(0).padStart(5)} KB  ${b.entry}${b.nodeModules.length ? ` (+ ${b.nodeModules.join(', ')} beside)` : ''}` +
        ` for ${b.functions.length} function(s): ${b.parts
          .slice(0, 6)
          .map(([name, bytes]) => `${name} ${(bytes / 1024).toFixed(0)}`)
          .join(', ')}`,
    )
    .join('\n');

/**
 * Resolves the functions' SDK imports to the layer's sources (a module per package that exports the
 * names the layer is shaken to), so that esbuild fails the build on a name the layer does not export.
 */
const layerExports = (modules: Record<string, string>): Plugin => ({
  name: 'sdk-layer-exports',
  setup(build) {
    const layerSources = new Set(Object.values(modules));
    build.onResolve({ filter: /^@aws-sdk\// }, ({ path, importer }) => {
      if (layerSources.has(importer)) return { path, external: true };
      const module = modules[path];
      return module ? { path: module } : { errors: [{ text: `${path} is not in the SDK layer` }] };
    });
  },
});

describe('function bundles', () => {
  let functions: BillingFunction[];
  let lambdas: NodejsFunction[];
  let bundles: Bundle[];

  beforeAll(async () => {
    // Prepare: the app's functions as the CDK declares them, without CDK's own bundling (tallyApp's default; what
    // this test does, with esbuild and the options BillingFunction gives NodejsFunction).
    const { app } = tallyApp();
    const constructs = app.node.findAll();
    functions = constructs.filter((c): c is BillingFunction => c instanceof BillingFunction);
    lambdas = constructs.filter((c): c is NodejsFunction => c instanceof NodejsFunction);
    const byBuild = new Map<string, BillingFunction[]>();
    for (const fn of functions) {
      const key = JSON.stringify([fn.entry, fn.nodeModules]);
      byBuild.set(key, [...(byBuild.get(key) ?? []), fn]);
    }
    // Act
    bundles = await Promise.all(
      [...byBuild.values()].map(async (alike) => {
        const { entry, nodeModules } = alike[0]!;
        const { outputFiles, metafile } = await build({
          ...esbuildOptions(entry, nodeModules),
          outfile: BUNDLE_FILE,
          write: false,
          metafile: true,
        });
        return {
          entry,
          nodeModules,
          functions: alike.map((fn) => fn.node.path),
          kb: outputFiles[0]!.contents.byteLength / 1024,
          parts: partsOf(metafile),
          imported: [...outputFiles[0]!.text.matchAll(/\bimport\("([^"]+)"\)/g)].map((match) => match[1]!),
        };
      }),
    );
    bundles.sort((a, b) => b.kb - a.kb);
  }, 60_000);

  it('builds every Lambda of the app through BillingFunction, so that this test builds them all', () => {
    // Assess
    expect(functions.length).toBeGreaterThan(20);
    expect(lambdas.map((fn) => fn.node.scope)).toEqual(functions);
  });

  it(`keeps every function's bundle at most ${LIMIT_KB} KB minified`, () => {
    // Assess
    const over = bundles.filter((b) => b.kb > LIMIT_KB).map((b) => `${b.entry}: ${b.kb.toFixed(0)} KB`);
    expect(over, `every bundle, in KB by package:\n${shown(bundles)}\n`).toEqual([]);
  });

  it('loads every package with require(), which searches NODE_PATH (the layer), never with import(), which does not', () => {
    // Assess
    expect(bundles.filter((b) => b.imported.length).map((b) => `${b.entry}: ${b.imported.join(', ')}`)).toEqual([]);
  });

  it('imports from the AWS SDK only names that the SDK layer exports', async () => {
    // Prepare: the sources the layer is built from (sdkImports()), as at synth.
    const sources = mkdtempSync(join(tmpdir(), 'tally-sdk-sources-'));
    const modules = sdkLayerSources(sources, sdkImports());
    const entries = [...new Set(functions.map((fn) => fn.entry))];
    const options = esbuildOptions(entries[0]!, []);
    // Act: every function built against them (esbuild refuses an import that a module does not export).
    const built = build({
      ...options,
      entryPoints: entries,
      outdir: join(sources, 'out'),
      write: false,
      external: options.external!.filter((name) => !name.startsWith('@aws-sdk/')),
      plugins: [layerExports(modules)],
      logLevel: 'silent',
    }).finally(() => rmSync(sources, { recursive: true, force: true }));
    // Assess
    await expect(built).resolves.toMatchObject({ errors: [] });
  });

  it('bundles neither the AWS SDK nor the PDF renderer', () => {
    // Assess
    const bundled = bundles.flatMap((b) =>
      b.parts
        .map(([name]) => name)
        .filter((name) => /^@aws-sdk\/|^@smithy\/|^(pdfkit|fontkit|brotli)$/.test(name))
        .map((name) => `${b.entry}: ${name}`),
    );
    expect(bundled).toEqual([]);
  });
});

/** Every file of a built layer, by its path in the layer. */
const filesOf = (dir: string): Record<string, Buffer> =>
  Object.fromEntries(
    readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .filter((file) => statSync(join(dir, file)).isFile())
      .sort()
      .map((file) => [file, readFileSync(join(dir, file))]),
  );

describe('the AWS SDK layer', () => {
  let layer: string;
  let imports: SdkImports;

  /** In a fresh process, as a function requires them on Lambda (NODE_PATH), the project's `node_modules` out of reach. */
  const requireFromLayer = (script: string): unknown =>
    JSON.parse(
      execFileSync(process.execPath, ['-e', script], {
        cwd: tmpdir(),
        encoding: 'utf8',
        env: { ...process.env, NODE_PATH: join(layer, SDK_LAYER_MODULES) },
      }),
    );

  /** The layer's files (in SDK_LAYER_DIR) that requiring `modules` loads. */
  const loadedBy = (modules: string[]): string[] =>
    requireFromLayer(`${JSON.stringify(modules)}.forEach((m) => require(m));
      console.log(JSON.stringify(Object.keys(require.cache).map((f) => require('node:path').relative(${JSON.stringify(join(layer, SDK_LAYER_DIR))}, f))));`) as string[];

  beforeAll(() => {
    // Prepare
    layer = mkdtempSync(join(tmpdir(), 'tally-sdk-layer-'));
    imports = sdkImports();
    // Act: built as at synth.
    buildSdkLayer(layer, imports);
    const kb = (files: string[]) =>
      (files.reduce((sum, f) => sum + statSync(join(layer, SDK_LAYER_DIR, f)).size, 0) / 1024).toFixed(0);
    console.log(
      `SDK layer: ${kb(readdirSync(join(layer, SDK_LAYER_DIR)))} KB minified, for ${Object.keys(imports).join(', ')}; loaded by ` +
        Object.keys(imports)
          .map((module) => `${module} ${kb(loadedBy([module]).filter((f) => !f.startsWith('..')))} KB`)
          .join(', '),
    );
  }, 60_000);

  afterAll(() => rmSync(layer, { recursive: true, force: true }));

  it("holds the packages the functions import, at the lock file's versions", () => {
    // Assess
    expect(Object.keys(imports)).toEqual(
      expect.arrayContaining(['@aws-sdk/client-dynamodb', '@aws-sdk/lib-dynamodb', '@aws-sdk/client-sesv2']),
    );
    for (const module of Object.keys(imports)) {
      const version = (file: string) => (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
      expect(version(join(layer, SDK_LAYER_MODULES, module, 'package.json')), module).toBe(
        version(join('node_modules', module, 'package.json')),
      );
    }
  });

  it('exports every name the functions import, where Lambda resolves packages', () => {
    // Act
    const run = requireFromLayer(`const imports = ${JSON.stringify(imports)};
      const missing = Object.entries(imports).flatMap(([m, names]) => names.filter((n) => require(m)[n] === undefined).map((n) => m + ' ' + n));
      const loaded = Object.keys(require.cache).filter((f) => !f.startsWith(${JSON.stringify(layer)}));
      console.log(JSON.stringify({ missing, loaded }));`);
    // Assess
    expect(run).toEqual({ missing: [], loaded: [] });
  });

  it("sends each client's commands, signed with the environment's credentials, and reads their answers", () => {
    // Act: a command of each client to an endpoint in the same process that records what it gets
    // (the SDK's code for both loaded from the layer's chunks, its credential chain on demand).
    const run = requireFromLayer(`const http = require('node:http');
      const seen = [];
      const answers = {
        'DynamoDB_20120810.GetItem': { Item: { PK: { S: 'JOB#1' }, version: { N: '3' } } },
        'AWSStepFunctions.StartExecution': { executionArn: 'arn:aws:states:eu-west-1:1:execution:m:n', startDate: 1 },
        'POST /schedules/late-fee': { ScheduleArn: 'arn:aws:scheduler:eu-west-1:1:schedule/default/late-fee' },
        'POST /v2/email/outbound-emails': { MessageId: 'mail-1' },
      };
      const server = http.createServer((req, res) => {
        const operation = req.headers['x-amz-target'] ?? req.method + ' ' + req.url;
        seen.push(operation + ' ' + /^AWS4-HMAC-SHA256 Credential=AKIDLAYERTEST\\//.test(req.headers.authorization));
        req.resume().on('end', () => res.setHeader('content-type', 'application/json').end(JSON.stringify(answers[operation])));
      });
      server.listen(0, '127.0.0.1', async () => {
        Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIDLAYERTEST', AWS_SECRET_ACCESS_KEY: 'secret' });
        const endpoint = 'http://127.0.0.1:' + server.address().port;
        const config = { region: 'eu-west-1', endpoint };
        const { DynamoDBClient } = require('@aws-sdk/client-dynamodb');
        const { DynamoDBDocumentClient, GetCommand } = require('@aws-sdk/lib-dynamodb');
        const { SFNClient, StartExecutionCommand } = require('@aws-sdk/client-sfn');
        const { SchedulerClient, CreateScheduleCommand } = require('@aws-sdk/client-scheduler');
        const { SESv2Client, SendEmailCommand } = require('@aws-sdk/client-sesv2');
        const answered = [
          (await DynamoDBDocumentClient.from(new DynamoDBClient(config)).send(new GetCommand({ TableName: 't', Key: { PK: 'JOB#1' } }))).Item,
          (await new SFNClient(config).send(new StartExecutionCommand({ stateMachineArn: 'arn:aws:states:eu-west-1:1:stateMachine:m', input: '{}' }))).executionArn,
          (await new SchedulerClient(config).send(new CreateScheduleCommand({ Name: 'late-fee', ScheduleExpression: 'at(2030-01-01T00:00:00)', FlexibleTimeWindow: { Mode: 'OFF' }, Target: { Arn: 'arn:t', RoleArn: 'arn:r' } }))).ScheduleArn,
          (await new SESv2Client(config).send(new SendEmailCommand({ FromEmailAddress: 'a@example.com', Destination: { ToAddresses: ['b@example.com'] }, Content: { Simple: { Subject: { Data: 's' }, Body: { Text: { Data: 'b' } }, Attachments: [{ FileName: 'i.pdf', RawContent: Buffer.from('%PDF') }] } } }))).MessageId,
        ];
        server.close();
        console.log(JSON.stringify({ answered, seen }));
      });`);
    // Assess
    expect(run).toEqual({
      answered: [
        { PK: 'JOB#1', version: 3 },
        'arn:aws:states:eu-west-1:1:execution:m:n',
        'arn:aws:scheduler:eu-west-1:1:schedule/default/late-fee',
        'mail-1',
      ],
      seen: [
        'DynamoDB_20120810.GetItem true',
        'AWSStepFunctions.StartExecution true',
        'POST /schedules/late-fee true',
        'POST /v2/email/outbound-emails true',
      ],
    });
  });

  it('loads with a package only its own entry and the chunks it shares, never the code of a package the function does not import', () => {
    // Prepare
    const entries = Object.keys(imports).map((module) => `${module.replace('@aws-sdk/', '')}.cjs`);
    for (const [module, entry] of Object.keys(imports).map((m, i) => [m, entries[i]!] as const)) {
      // Act
      const loaded = loadedBy([module]).filter((f) => !f.startsWith('..'));
      // Assess
      expect(
        loaded.filter((f) => entries.includes(f)),
        module,
      ).toEqual([entry]);
    }
  });

  it('is the same bytes from the same sources, so that its asset changes only with them', () => {
    // Prepare
    const again = mkdtempSync(join(tmpdir(), 'tally-sdk-layer-'));
    // Act
    buildSdkLayer(again, imports);
    const files = filesOf(again);
    rmSync(again, { recursive: true, force: true });
    // Assess
    expect(files).toEqual(filesOf(layer));
  });
});
