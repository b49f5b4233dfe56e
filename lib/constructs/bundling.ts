import type { BuildOptions } from 'esbuild';
import { type BundlingOptions, LogLevel, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';

/**
 * How every function of Tally is built (docs/architecture.md, Bundles): the one definition that
 * `BillingFunction` hands NodejsFunction and that test/infra/bundles.test.ts builds with esbuild,
 * so that the sizes the test checks are those of what is deployed.
 */

/** Node 22, as the functions' runtime (`Runtime.NODEJS_22_X`). */
const TARGET = 'node22';

/**
 * The Lambda Node 22 runtime's own AWS SDK v3 (and the Smithy packages it is made of) instead of a
 * bundled copy: a third of every bundle. The runtime's version is not the lock file's.
 */
export const RUNTIME_PROVIDED = ['@aws-sdk/*', '@smithy/*'];

/**
 * Never bundled, and installed beside the bundle only in the functions that render documents
 * (`FunctionNeeds.rendersDocuments`): pdfkit loads its font metrics from its own files at run time,
 * and it (with fontkit and brotli) would be half of every bundle that merely imports the renderer.
 */
export const DOCUMENT_RENDERER = ['pdfkit'];

/**
 * The mail client at the lock file's version, installed beside the bundle of the functions that send
 * mail (`FunctionNeeds.sendsMail`): SES's Content.Simple.Attachments is newer than a runtime's copy of
 * @aws-sdk/client-sesv2 may be, and an older serializer would drop the invoice's PDF without an error.
 */
export const MAIL_CLIENT = ['@aws-sdk/client-sesv2'];

/** The bundle's file in the asset: what NodejsFunction names a CommonJS bundle. */
export const BUNDLE_FILE = 'index.js';

const ESBUILD_FORMATS = { [OutputFormat.CJS]: 'cjs', [OutputFormat.ESM]: 'esm' } as const;

// The ES module builds of dependencies where they have one: esbuild shakes those, not CommonJS.
const MAIN_FIELDS = ['module', 'main'];

/** What is installed beside a function's bundle, from what it needs. */
export const installedModules = (needs: { rendersDocuments?: boolean; sendsMail?: boolean }): string[] => [
  ...(needs.rendersDocuments ? DOCUMENT_RENDERER : []),
  ...(needs.sendsMail ? MAIL_CLIENT : []),
];

/**
 * NodejsFunction's bundling of a function (docs/architecture.md, Bundles). CommonJS: the runtime's SDK
 * is CommonJS, and an ES module bundle importing it makes Node scan the SDK's sources for their export
 * names first, 60 to 90 ms of every cold start. No source maps: they would more than double what a
 * cold start reads, and `--enable-source-maps` makes every `error.stack` slow.
 */
export const lambdaBundling = (nodeModules: readonly string[]): BundlingOptions => ({
  target: TARGET,
  format: OutputFormat.CJS,
  mainFields: MAIN_FIELDS,
  minify: true,
  sourceMap: false,
  externalModules: [...RUNTIME_PROVIDED, ...DOCUMENT_RENDERER],
  ...(nodeModules.length ? { nodeModules: [...nodeModules] } : {}),
  logLevel: LogLevel.WARNING,
});

/** The same build as esbuild options (what NodejsFunction passes esbuild for `lambdaBundling`), for `entry`. */
export const esbuildOptions = (entry: string, nodeModules: readonly string[]): BuildOptions => {
  const bundling = lambdaBundling(nodeModules);
  return {
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    target: bundling.target,
    format: ESBUILD_FORMATS[bundling.format!],
    mainFields: bundling.mainFields,
    minify: bundling.minify,
    sourcemap: bundling.sourceMap,
    external: [...bundling.externalModules!, ...(bundling.nodeModules ?? [])],
    logLevel: 'warning',
  };
};
