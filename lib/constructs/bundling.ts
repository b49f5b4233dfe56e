import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuildOptions, buildSync, transformSync } from 'esbuild';
import { type BundlingOptions, LogLevel, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import ts from 'typescript';

/**
 * How every function of Tally is built (docs/architecture.md, Bundles): the one definition that
 * `BillingFunction` hands NodejsFunction and that test/infra/bundles.test.ts builds with esbuild,
 * so that the sizes the test checks are those of what is deployed; and the AWS SDK layer that every
 * function is given (`buildSdkLayer`).
 */

/** The repository's root, where the functions' sources and the lock file's packages are. */
export const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Node 22, as the functions' runtime (`Runtime.NODEJS_22_X`). */
const TARGET = 'node22';

/**
 * The AWS SDK v3 (and the Smithy packages it is made of): never in a function's bundle, but in the
 * SDK layer (`buildSdkLayer`), which every function shares and Lambda resolves before its runtime's copy.
 */
export const SDK_MODULES = ['@aws-sdk/*', '@smithy/*'];

/**
 * Never bundled, and installed beside the bundle only in the functions that render documents
 * (`FunctionNeeds.rendersDocuments`): pdfkit loads its font metrics from its own files at run time,
 * and it (with fontkit and brotli) would be half of every bundle that merely imports the renderer.
 */
export const DOCUMENT_RENDERER = ['pdfkit'];

/** The bundle's file in the asset: what NodejsFunction names a CommonJS bundle. */
export const BUNDLE_FILE = 'index.js';

const ESBUILD_FORMATS = { [OutputFormat.CJS]: 'cjs', [OutputFormat.ESM]: 'esm' } as const;

// The ES module builds of dependencies where they have one: esbuild shakes those, not CommonJS.
const MAIN_FIELDS = ['module', 'main'];

/** What is installed beside a function's bundle, from what it needs. */
export const installedModules = (needs: { rendersDocuments?: boolean }): string[] =>
  needs.rendersDocuments ? DOCUMENT_RENDERER : [];

/**
 * NodejsFunction's bundling of a function (docs/architecture.md, Bundles). CommonJS: the layer's SDK
 * is CommonJS, and an ES module bundle importing it makes Node scan it for its export names first.
 * No source maps: they would more than double what a cold start reads, and `--enable-source-maps`
 * makes every `error.stack` slow.
 */
export const lambdaBundling = (nodeModules: readonly string[]): BundlingOptions => ({
  target: TARGET,
  format: OutputFormat.CJS,
  mainFields: MAIN_FIELDS,
  minify: true,
  sourceMap: false,
  externalModules: [...SDK_MODULES, ...DOCUMENT_RENDERER],
  // A package loaded on first use (`await import('@aws-sdk/client-sesv2')`) is require()d too: Node's
  // import() does not search NODE_PATH, where Lambda finds the SDK layer.
  esbuildArgs: { '--supported:dynamic-import': false },
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
    supported: { 'dynamic-import': bundling.esbuildArgs!['--supported:dynamic-import'] as boolean },
    logLevel: 'warning',
  };
};

/** The names a function may import, by SDK package (`@aws-sdk/lib-dynamodb`: `GetCommand`, ...). */
export type SdkImports = Record<string, string[]>;

const SDK_PACKAGE = /^@aws-sdk\/[a-z0-9-]+$/;

const sdkModuleOf = (node: ts.Node): string | undefined => {
  const specifier =
    ts.isImportDeclaration(node) || ts.isExportDeclaration(node)
      ? node.moduleSpecifier
      : ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword
        ? node.arguments[0]
        : undefined;
  return specifier && ts.isStringLiteral(specifier) && specifier.text.startsWith('@aws-sdk/') ? specifier.text : undefined;
};

/** What one import of an SDK module takes from it: its values by name (types left out), or `undefined` for the module whole. */
const importedNames = (node: ts.Node): string[] | undefined => {
  if (ts.isImportDeclaration(node)) {
    const clause = node.importClause;
    if (clause?.isTypeOnly) return [];
    const bindings = clause?.namedBindings;
    if (!clause || clause.name || !bindings || !ts.isNamedImports(bindings)) return undefined;
    return bindings.elements.filter((e) => !e.isTypeOnly).map((e) => (e.propertyName ?? e.name).text);
  }
  // `const { SESv2Client } = await import('@aws-sdk/client-sesv2')`: a client loaded on its first use.
  const declaration = ts.isCallExpression(node) && ts.isAwaitExpression(node.parent) ? node.parent.parent : undefined;
  if (!declaration || !ts.isVariableDeclaration(declaration) || !ts.isObjectBindingPattern(declaration.name)) return undefined;
  const { elements } = declaration.name;
  return elements.some((e) => e.dotDotDotToken) ? undefined : elements.map((e) => (e.propertyName ?? e.name).getText());
};

/**
 * The names that the functions' sources (`functions/**.ts`) import from each AWS SDK package, read
 * from their syntax (type imports left out): what the SDK layer exports, so that esbuild shakes the
 * SDK down to them. An import that takes a module whole (a namespace, a re-export) fails the build.
 */
export const sdkImports = (dir = join(PROJECT_ROOT, 'functions')): SdkImports => {
  const names: SdkImports = {};
  for (const file of readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'))) {
    const path = join(dir, file);
    const visit = (node: ts.Node): void => {
      const module = sdkModuleOf(node);
      const imported = module ? importedNames(node) : [];
      if (module && (!imported || !SDK_PACKAGE.test(module))) {
        throw new Error(
          `${path}: import ${module} by name (import { A } from '${module}', or const { A } = await import('${module}')): the SDK layer exports only the names the functions import`,
        );
      }
      if (module && imported?.length) names[module] = [...new Set([...(names[module] ?? []), ...imported])].sort();
      ts.forEachChild(node, visit);
    };
    visit(ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true));
  }
  return Object.fromEntries(Object.entries(names).sort(([a], [b]) => a.localeCompare(b)));
};

/**
 * The layer's SDK, beside the packages' directories (`nodejs/`, on Lambda /opt/nodejs): per package
 * an entry (`lib-dynamodb.cjs`, ...) and the chunks that entries share (the Smithy and AWS cores once
 * for all), so that a function loads only the packages it imports and the SDK's own `import()`s
 * (credential sources other than the environment, event streams) stay unloaded until used. `.cjs`,
 * so that Node loads them as CommonJS wherever they lie (in cdk.out, a `"type": "module"`
 * package.json above them would make a `.js` an ES module, in which `module.exports` is not defined).
 */
export const SDK_LAYER_DIR = 'nodejs/aws-sdk';

/** Where Lambda's Node.js runtimes look for a layer's packages (in NODE_PATH, before the runtime's own). */
export const SDK_LAYER_MODULES = 'nodejs/node_modules';

const packageName = (module: string): string => module.replace('@aws-sdk/', '');

/**
 * The sources of the layer, written into `dir`: per SDK package a module re-exporting the names the
 * functions import, which the layer is built from and the bundles test builds the functions against.
 */
export const sdkLayerSources = (dir: string, imports: SdkImports): Record<string, string> =>
  Object.fromEntries(
    Object.entries(imports).map(([module, names]) => {
      const file = join(dir, `${packageName(module)}.mjs`);
      writeFileSync(file, `export { ${names.join(', ')} } from ${JSON.stringify(module)};\n`);
      return [module, file];
    }),
  );

/**
 * Builds the SDK layer into `outDir` (docs/architecture.md, Bundles): the lock file's SDK, shaken
 * to the names the functions import (`sdkImports`), minified, an entry per package and the chunks
 * they share (`SDK_LAYER_DIR`); and per package a directory in `nodejs/node_modules` whose index is
 * that package's entry, so that a function's `require('@aws-sdk/lib-dynamodb')` resolves to the
 * layer. esbuild splits only ES modules: each file it writes is then turned into CommonJS on its
 * own (its imports of other chunks become `require()`s, its `import()`s `require()`s on demand: the
 * layer is required, and `import()` would parse each chunk again for its export names). The same
 * sources give the same bytes: the asset's hash is its output's.
 */
export const buildSdkLayer = (outDir: string, imports: SdkImports = sdkImports()): void => {
  const sources = mkdtempSync(join(tmpdir(), 'tally-sdk-layer-'));
  try {
    const modules = sdkLayerSources(sources, imports);
    const { outputFiles } = buildSync({
      entryPoints: Object.fromEntries(Object.entries(modules).map(([module, file]) => [packageName(module), file])),
      bundle: true,
      splitting: true,
      platform: 'node',
      target: TARGET,
      format: 'esm',
      mainFields: MAIN_FIELDS,
      minify: true,
      nodePaths: [join(PROJECT_ROOT, 'node_modules')],
      outdir: join(outDir, SDK_LAYER_DIR),
      outExtension: { '.js': '.cjs' },
      chunkNames: 'chunk-[hash]',
      write: false,
      logLevel: 'warning',
    });
    mkdirSync(join(outDir, SDK_LAYER_DIR), { recursive: true });
    for (const file of outputFiles) {
      const { code } = transformSync(file.text, {
        format: 'cjs',
        platform: 'node',
        target: TARGET,
        minify: true,
        supported: { 'dynamic-import': false },
        logLevel: 'warning',
      });
      writeFileSync(file.path, code);
    }
  } finally {
    rmSync(sources, { recursive: true, force: true });
  }
  for (const module of Object.keys(imports)) {
    const dir = join(outDir, SDK_LAYER_MODULES, module);
    const { version } = JSON.parse(readFileSync(join(PROJECT_ROOT, 'node_modules', module, 'package.json'), 'utf8'));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: module, version, main: 'index.js' }, null, 2)}\n`);
    const entry = relative(dir, join(outDir, SDK_LAYER_DIR, `${packageName(module)}.cjs`));
    writeFileSync(join(dir, 'index.js'), `module.exports = require(${JSON.stringify(entry)});\n`);
  }
};
