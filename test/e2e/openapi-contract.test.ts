import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiUrl, newTenant, send } from '../support/api.js';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');
const bin = (name: string): string => join(root, 'node_modules/.bin', name);
// Imported by path at run time: the repo's program has no `tally-openapi`, so it leaves the flow to the check below.
const FLOW = join(root, 'test/contract/client-flow.ts');

interface FlowModule {
  jobBillingFlow(baseUrl: string, apiKey: string): Promise<any>;
}

/** A CLI from node_modules/.bin on this Node; its exit code is returned, not thrown. */
const cli = async (name: string, args: string[], cwd: string) => {
  const env = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' };
  try {
    const { stdout, stderr } = await run(process.execPath, [bin(name), ...args], { cwd, env, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? 1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
};

describe('the OpenAPI document as the contract of a generated client', () => {
  let dir: string;
  let documentFile: string;

  beforeAll(async () => {
    // Prepare: the document as the local stack serves it
    dir = await mkdtemp(join(tmpdir(), 'tally-openapi-'));
    documentFile = join(dir, 'openapi.json');
    const served = await send('GET', '/v1/openapi.json');
    expect(served.status).toBe(200);
    await writeFile(documentFile, JSON.stringify(served.body, null, 2));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("lints clean under Redocly's recommended rules: no error, no warning", async () => {
    // Act
    const lint = await cli('redocly', ['lint', '--extends=recommended', '--format=json', documentFile], dir);

    // Assess
    const report = JSON.parse(lint.stdout) as { totals: { errors: number; warnings: number }; problems: unknown[] };
    expect(report.problems).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
    expect(lint.code).toBe(0);
  }, 60_000);

  it("lints clean under Spectral's spectral:oas rules: no error, no warning", async () => {
    // Act
    const ruleset = join(root, 'test/contract/spectral.yaml');
    const lint = await cli('spectral', ['lint', '-r', ruleset, '-f', 'json', '--fail-severity', 'hint', documentFile], dir);

    // Assess
    const results = JSON.parse(lint.stdout.slice(lint.stdout.indexOf('['), lint.stdout.lastIndexOf(']') + 1)) as unknown[];
    expect(results).toEqual([]);
    expect(lint.code).toBe(0);
  }, 60_000);

  it('generates a client that compiles under tsc --strict and runs a job-billing flow without a cast', async () => {
    // Prepare: types from the document, and a program of the flow alone that finds them as `tally-openapi`
    const types = join(dir, 'tally-openapi.d.ts');
    const generated = await cli('openapi-typescript', [documentFile, '--output', types], dir);
    expect(generated.code, generated.stderr).toBe(0);
    const tsconfig = join(dir, 'tsconfig.json');
    await writeFile(
      tsconfig,
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noUncheckedIndexedAccess: true,
          noEmit: true,
          target: 'ES2023',
          lib: ['ES2024'],
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          types: ['node'],
          typeRoots: [join(root, 'node_modules/@types')],
          paths: { 'tally-openapi': [types] },
        },
        files: [FLOW],
      }),
    );

    // Act: type-check the flow, then run it against the local stack as a new tenant
    const compiled = await cli('tsc', ['-p', tsconfig], dir);
    expect(compiled.stdout + compiled.stderr).toBe('');
    expect(compiled.code).toBe(0);
    const tenant = await newTenant('Contract tenant');
    const { jobBillingFlow }: FlowModule = await import(FLOW);
    const flow = await jobBillingFlow(apiUrl(), tenant.apiKey);

    // Assess
    expect(flow.customerLocation).toBe(`/v1/customers/${flow.customer.id}`);
    expect(flow.chargeLocation).toBe(`/v1/jobs/${flow.job.id}/charges/${flow.charges[0]!.id}`);
    expect(flow.charges.map((c: { amount: string }) => c.amount)).toEqual(['1250.00', '1000.00']);
    expect(flow.staleIfMatch).toEqual({ status: 412, code: 'PRECONDITION_FAILED' });
    expect(flow.deposit).toMatchObject({ policy: 'deposit', status: 'draft', totals: { net: '675.00', gross: '803.25' } });
    expect(flow.issued).toMatchObject({ id: flow.deposit.id, status: 'invoiced', number: expect.stringMatching(/\d+$/) });
    expect(flow.payment).toMatchObject({
      amount: '100.00',
      method: 'ach',
      invoice: { id: flow.issued.id, amountPaid: '100.00', balanceDue: '703.25', paymentStatus: 'partially_paid' },
    });
    expect(flow.replayed).toEqual({ paymentId: flow.payment.id, header: 'true' });
    expect(flow.overpayment).toEqual({ status: 422, code: 'OVERPAYMENT', fields: ['amount'] });
    expect(flow.pdf).toMatchObject({ type: 'application/pdf', head: '%PDF-' });
    expect(flow.pdf.size).toBeGreaterThan(1000);
    const listed = flow.pages.flat();
    expect(listed).toHaveLength(2);
    expect(listed).toContain(flow.issued.id);
    expect(flow.pages.every((page: string[]) => page.length <= 1)).toBe(true);
  }, 60_000);
});
