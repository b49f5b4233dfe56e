import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUNDLE_FILE, SDK_LAYER_DIR, SDK_LAYER_MODULES } from '../../lib/constructs/bundling.js';

/** One built Lambda bundle: the functions that run it, its size, and how long a fresh process takes to import it. */
export interface BundleFigure {
  functions: string[];
  bytes: number;
  /** Median over the runs, measured inside a fresh Node process around the import (its own start excluded). */
  importMs: number;
  /** The packages installed beside the bundle (its asset's `node_modules`), which it loads from there. */
  beside: string[];
}

interface LambdaResource {
  Type: string;
  Properties: {
    Code?: { S3Key?: string };
    Content?: { S3Key?: string };
    Environment?: { Variables?: Record<string, unknown> };
  };
}

/** The function's variables that are plain text (the rest are references, resolved only on AWS). */
const plainVariables = (resource: LambdaResource): Record<string, string> =>
  Object.fromEntries(
    Object.entries(resource.Properties.Environment?.Variables ?? {}).filter(
      (entry): entry is [string, string] => typeof entry[1] === 'string',
    ),
  );

/** `ApiinvoicesroutesFunction1A2B3C4D` -> `Apiinvoicesroutes`: the construct path without CDK's suffixes. */
const shortName = (logicalId: string): string => logicalId.replace(/[0-9A-F]{8}$/, '').replace(/(Function)+$/, '');

/** The packages installed beside an asset's bundle: the dependencies of the package.json the CDK writes for them. */
const installedBeside = (asset: string): string[] => {
  const manifest = join(asset, 'package.json');
  if (!existsSync(manifest)) return [];
  return Object.keys((JSON.parse(readFileSync(manifest, 'utf8')) as { dependencies?: object }).dependencies ?? {});
};

/**
 * The asset laid out as Lambda runs it, in a directory of its own: the bundle in `task/` (/var/task)
 * with the asset's own `node_modules` beside it, and the SDK layer's packages (`layer`, the layer's
 * asset, unpacked in /opt on AWS) where Lambda's NODE_PATH finds them (`env`). The project's
 * `node_modules` is out of reach, so a package the layer lacks fails the import.
 */
export const lambdaLayout = (asset: string, layer: string): { dir: string; file: string; env: { NODE_PATH: string } } => {
  const dir = mkdtempSync(join(tmpdir(), 'tally-bundle-'));
  mkdirSync(join(dir, 'task'));
  copyFileSync(join(asset, BUNDLE_FILE), join(dir, 'task', BUNDLE_FILE));
  if (existsSync(join(asset, 'node_modules'))) symlinkSync(join(asset, 'node_modules'), join(dir, 'task/node_modules'));
  return { dir, file: join(dir, 'task', BUNDLE_FILE), env: { NODE_PATH: join(layer, SDK_LAYER_MODULES) } };
};

/**
 * A function reads some of its variables as it loads (a step its name): it is given them, as Lambda
 * does. Loaded with require(), as Lambda loads a CommonJS handler.
 */
const importMs = (file: string, env: Record<string, string>): number => {
  const script = `const t = performance.now(); require(${JSON.stringify(file)}); console.log(performance.now() - t);`;
  const run = spawnSync(process.execPath, ['-e', script], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    cwd: tmpdir(),
  });
  if (run.status !== 0) throw new Error(`importing ${file} failed: ${run.stderr.slice(-500)}`);
  return Number(run.stdout.trim());
};

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** The SDK layer as `npm run synth` builds it, what every function loads its SDK from: its files (entries and shared chunks) and their size. */
export interface LayerFigure {
  files: number;
  bytes: number;
}

/**
 * Every function's bundle as `npm run synth` builds it (cdk.out of the service stack): functions
 * that share a bundle (the workflow steps) are one row. Synthesizes first, so the figures are of
 * the code as it is. Each is imported as Lambda would (`lambdaLayout`), with the stack's SDK layer.
 */
export const measureBundles = (root: URL, runs: number): { layer: LayerFigure; bundles: BundleFigure[] } => {
  const synth = spawnSync('npm', ['run', 'synth'], { cwd: fileURLToPath(root), encoding: 'utf8' });
  if (synth.status !== 0) throw new Error(`npm run synth failed: ${synth.stderr}`);
  const out = new URL('cdk.out/', root);
  const template = JSON.parse(readFileSync(new URL('Tally-Service.template.json', out), 'utf8')) as {
    Resources: Record<string, LambdaResource>;
  };
  const layerKey = Object.values(template.Resources).find((r) => r.Type === 'AWS::Lambda::LayerVersion')?.Properties.Content
    ?.S3Key;
  if (!layerKey) throw new Error('The service stack has no SDK layer');
  const layer = fileURLToPath(new URL(`asset.${layerKey.slice(0, -4)}`, out));
  const byAsset = new Map<string, { functions: string[]; env: Record<string, string> }>();
  for (const [id, resource] of Object.entries(template.Resources)) {
    const key = resource.Properties.Code?.S3Key;
    if (resource.Type !== 'AWS::Lambda::Function' || !key?.endsWith('.zip')) continue;
    const asset = byAsset.get(key.slice(0, -4)) ?? { functions: [], env: plainVariables(resource) };
    byAsset.set(key.slice(0, -4), { ...asset, functions: [...asset.functions, shortName(id)] });
  }
  const bundles = [...byAsset]
    .map(([hash, { functions, env }]) => {
      const asset = fileURLToPath(new URL(`asset.${hash}`, out));
      const { dir, file, env: layerEnv } = lambdaLayout(asset, layer);
      try {
        return {
          functions,
          bytes: statSync(file).size,
          importMs: median(Array.from({ length: runs }, () => importMs(file, { ...env, ...layerEnv }))),
          beside: installedBeside(asset),
        };
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    })
    .sort((a, b) => a.bytes - b.bytes);
  const files = readdirSync(join(layer, SDK_LAYER_DIR)).map((file) => statSync(join(layer, SDK_LAYER_DIR, file)).size);
  return { layer: { files: files.length, bytes: files.reduce((sum, size) => sum + size, 0) }, bundles };
};

// `npx tsx bin/bench/bundles.ts`: section 0 of the bench alone (median of 7), printed.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { layer, bundles } = measureBundles(new URL('../../', import.meta.url), 7);
  console.log(`SDK layer: ${layer.files} files, ${(layer.bytes / 1024).toFixed(0)} KB`);
  for (const b of bundles)
    console.log(
      `${(b.bytes / 1024).toFixed(0).padStart(4)} KB ${b.importMs.toFixed(0).padStart(4)} ms  ${b.functions.join(', ').slice(0, 100)}`,
    );
}
