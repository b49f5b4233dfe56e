import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** One built Lambda bundle: the functions that run it, its size, and how long a fresh process takes to import it. */
export interface BundleFigure {
  functions: string[];
  bytes: number;
  /** Median over the runs, measured inside a fresh Node process around the import (its own start excluded). */
  importMs: number;
}

interface LambdaResource {
  Type: string;
  Properties: { Code?: { S3Key?: string }; Environment?: { Variables?: Record<string, unknown> } };
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

/** A function reads some of its variables as it loads (a step its name): it is given them, as Lambda does. */
const importMs = (file: string, env: Record<string, string>): number => {
  const script = `const t = performance.now(); await import(${JSON.stringify(file)}); console.log(performance.now() - t);`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  if (run.status !== 0) throw new Error(`importing ${file} failed: ${run.stderr.slice(-500)}`);
  return Number(run.stdout.trim());
};

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/**
 * Every function's bundle as `npm run synth` builds it (cdk.out of the service stack): functions
 * that share a bundle (the workflow steps) are one row. Synthesizes first, so the figures are of
 * the code as it is.
 */
export const measureBundles = (root: URL, runs: number): BundleFigure[] => {
  const synth = spawnSync('npm', ['run', 'synth'], { cwd: fileURLToPath(root), encoding: 'utf8' });
  if (synth.status !== 0) throw new Error(`npm run synth failed: ${synth.stderr}`);
  const out = new URL('cdk.out/', root);
  const template = JSON.parse(readFileSync(new URL('Tally-Service.template.json', out), 'utf8')) as {
    Resources: Record<string, LambdaResource>;
  };
  const byAsset = new Map<string, { functions: string[]; env: Record<string, string> }>();
  for (const [id, resource] of Object.entries(template.Resources)) {
    const key = resource.Properties.Code?.S3Key;
    if (resource.Type !== 'AWS::Lambda::Function' || !key?.endsWith('.zip')) continue;
    const asset = byAsset.get(key.slice(0, -4)) ?? { functions: [], env: plainVariables(resource) };
    byAsset.set(key.slice(0, -4), { ...asset, functions: [...asset.functions, shortName(id)] });
  }
  return [...byAsset]
    .map(([hash, { functions, env }]) => {
      const file = fileURLToPath(new URL(`asset.${hash}/index.mjs`, out));
      return {
        functions,
        bytes: statSync(file).size,
        importMs: median(Array.from({ length: runs }, () => importMs(file, env))),
      };
    })
    .sort((a, b) => a.bytes - b.bytes);
};
