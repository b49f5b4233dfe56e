import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { tenantIdForAuthorization } from '../../functions/services/tenant.service.js';
import { db, tableName } from '../../functions/store/client.js';
import { getTenant } from '../../functions/store/tenant.store.js';
import { keys } from '../../functions/store/keys.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `bin/tenant.ts` with the test's environment, which points at the run's DynamoDB Local. */
const tenantScript = (...args: string[]): Promise<Run> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bin/tenant.ts', ...args], { cwd: root, env: { ...process.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });

const getItem = async (key: { PK: string; SK: string }): Promise<Record<string, unknown> | undefined> =>
  (await db().send(new GetCommand({ TableName: tableName(), Key: key }))).Item;

describe('bin/tenant.ts', () => {
  it('creates a tenant and prints its id and API key as JSON', async () => {
    // Act
    const run = await tenantScript('create', '--name', 'Acme');
    // Assess
    expect(run.code, run.stderr).toBe(0);
    const printed = JSON.parse(run.stdout) as { tenantId: string; apiKey: string };
    expect(Object.keys(printed).sort()).toEqual(['apiKey', 'tenantId']);
    expect(printed.tenantId).toMatch(/^ten_[0-9A-Z]{26}$/);
    expect(printed.apiKey).toMatch(/^tly_[\w-]{40,}$/);
    expect(await tenantIdForAuthorization(`Bearer ${printed.apiKey}`)).toBe(printed.tenantId);
    expect(await tenantIdForAuthorization(`Bearer ${printed.apiKey}x`)).toBeUndefined();
    expect(await getTenant(printed.tenantId)).toMatchObject({ id: printed.tenantId, name: 'Acme', settings: { defaultCurrency: 'EUR' }, version: 1 });
  });

  it('stores only the SHA-256 hash of the key, never the key', async () => {
    // Prepare
    const run = await tenantScript('create', '--name', 'Hashed');
    const { tenantId, apiKey } = JSON.parse(run.stdout) as { tenantId: string; apiKey: string };
    const hash = createHash('sha256').update(apiKey).digest('hex');
    // Act
    const keyItem = await getItem(keys.apiKey(hash));
    const tenantItem = await getItem(keys.tenant(tenantId));
    // Assess
    expect(keyItem).toMatchObject({ PK: `APIKEY#${hash}`, tenantId });
    expect(JSON.stringify(keyItem)).not.toContain(apiKey);
    expect(JSON.stringify(tenantItem)).not.toContain(apiKey);
    expect(await getItem(keys.apiKey(apiKey))).toBeUndefined();
  });

  it('takes the default currency from --currency', async () => {
    const run = await tenantScript('create', '--name', 'Yen', '--currency', 'JPY');
    expect(run.code, run.stderr).toBe(0);
    const { tenantId } = JSON.parse(run.stdout) as { tenantId: string };
    expect((await getTenant(tenantId)).settings.defaultCurrency).toBe('JPY');
  });

  it.each([
    ['no --name', ['create']],
    ['an empty --name', ['create', '--name', '']],
    ['no command', ['--name', 'Acme']],
  ])('exits with 2 and a usage line for %s', async (_, args) => {
    const run = await tenantScript(...args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^usage: .*create --name <name>/m);
    expect(run.stdout).toBe('');
  });

  it.each([
    ['--name without a value', ['create', '--name']],
    ['an unknown option', ['create', '--nmae', 'Acme']],
    ['an unknown currency', ['create', '--name', 'Acme', '--currency', 'XYZ']],
  ])('refuses %s with exit code 2 and the usage line', async (_, args) => {
    const run = await tenantScript(...args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^usage: /m);
    expect(run.stdout).toBe('');
  });
});
