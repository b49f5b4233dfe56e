import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { build, type Metafile } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { BillingFunction } from '../../lib/constructs/billing-function.js';
import { BUNDLE_FILE, esbuildOptions } from '../../lib/constructs/bundling.js';
import { MAIL_FROM, tallyApp } from './tally-app.js';

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

describe('function bundles', () => {
  let functions: BillingFunction[];
  let lambdas: NodejsFunction[];
  let bundles: Bundle[];

  beforeAll(async () => {
    // Prepare: the app's functions as the CDK declares them, without CDK's own bundling (which is what
    // this test does, with esbuild and the options BillingFunction gives NodejsFunction).
    const { app } = tallyApp({ mailFrom: MAIL_FROM, 'aws:cdk:bundling-stacks': [] });
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
        };
      }),
    );
    bundles.sort((a, b) => b.kb - a.kb);
  });

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

  it("bundles neither the runtime's AWS SDK nor the PDF renderer", () => {
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
