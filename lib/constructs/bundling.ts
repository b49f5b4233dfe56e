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

// A CommonJS dependency bundled into ESM calls require(), which fails only on AWS (local runs are unbundled).
const BANNER =
  "import { createRequire as topLevelCreateRequire } from 'node:module'; const require = topLevelCreateRequire(import.meta.url);";

const MAIN_FIELDS = ['module', 'main'];

/** What is installed beside a function's bundle, from what it needs. */
export const installedModules = (needs: { rendersDocuments?: boolean; sendsMail?: boolean }): string[] => [
  ...(needs.rendersDocuments ? DOCUMENT_RENDERER : []),
  ...(needs.sendsMail ? MAIL_CLIENT : []),
];

/**
 * NodejsFunction's bundling of a function. No source maps: they would double what each cold start
 * reads, and `--enable-source-maps` makes every `error.stack` slow (docs/architecture.md, Bundles).
 */
export const lambdaBundling = (nodeModules: readonly string[]): BundlingOptions => ({
  target: TARGET,
  format: OutputFormat.ESM,
  mainFields: MAIN_FIELDS,
  banner: BANNER,
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
    format: 'esm',
    mainFields: bundling.mainFields,
    banner: { js: bundling.banner! },
    minify: bundling.minify,
    sourcemap: bundling.sourceMap,
    external: [...bundling.externalModules!, ...(bundling.nodeModules ?? [])],
    logLevel: 'warning',
  };
};
