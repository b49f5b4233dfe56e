import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../local/stack.js';

const dataDir = mkdtempSync(join(tmpdir(), 'tally-start-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** Runs `npm start` as a newcomer would, and waits for its banner. */
// Relative, as the default `.tally` is: DynamoDB Local's Java runs in another folder.
const start = async (env: Record<string, string>): Promise<{ child: ChildProcessWithoutNullStreams; banner: string }> => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bin/local.ts'], {
    env: { ...process.env, DATA_DIR: relative(process.cwd(), dataDir), ...env },
    detached: true,
  });
  let banner = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      banner += chunk.toString();
      if (banner.includes('Press Ctrl-C')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`npm start exited with ${code}: ${banner}`)));
  });
  return { child, banner };
};

/** Ctrl-C: the whole process group gets SIGINT, as a terminal sends it. */
const interrupt = async (child: ChildProcessWithoutNullStreams): Promise<number | null> => {
  const exited = once(child, 'exit');
  process.kill(-child.pid!, 'SIGINT');
  const [code] = (await exited) as [number | null];
  return code;
};

const javaRunningFor = async (dir: string): Promise<boolean> => {
  const ps = spawn('ps', ['-eo', 'args']);
  let out = '';
  ps.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  await once(ps, 'exit');
  return out.split('\n').some((line) => line.includes('DynamoDBLocal') && line.includes(dir));
};

describe('npm start', () => {
  it('prints the URLs and key, serves the API with TALLY_API_KEY, keeps data in DATA_DIR and stops cleanly', async () => {
    const port = String(await freePort());
    const apiKey = 'tly_local_test_key';
    const first = await start({ PORT: port, TALLY_API_KEY: apiKey });
    expect(first.banner).toContain(`API:        http://127.0.0.1:${port}`);
    expect(first.banner).toMatch(/Mail store: http:\/\/127\.0\.0\.1:\d+\/store/);
    expect(first.banner).toContain(`API key:    ${apiKey}`);
    const api = `http://127.0.0.1:${port}`;
    const auth = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' };
    expect((await fetch(`${api}/health`)).status).toBe(200);
    const created = await fetch(`${api}/v1/customers`, { method: 'POST', headers: auth, body: JSON.stringify({ name: 'Kept' }) });
    expect(created.status).toBe(201);
    expect(await interrupt(first.child)).toBe(0);
    expect(await javaRunningFor(dataDir)).toBe(false);

    const second = await start({ PORT: port, TALLY_API_KEY: apiKey });
    const list = (await (await fetch(`${api}/v1/customers`, { headers: auth })).json()) as { items: { name: string }[] };
    expect(list.items.map((c: { name: string }) => c.name)).toEqual(['Kept']);
    expect(await interrupt(second.child)).toBe(0);
  }, 60_000);

  it('without TALLY_API_KEY makes a key once and prints the same one on every start', async () => {
    const port = String(await freePort());
    const dir = mkdtempSync(join(tmpdir(), 'tally-key-'));
    const run = async (): Promise<string> => {
      const { child, banner } = await start({ PORT: port, TALLY_API_KEY: '', DATA_DIR: dir });
      await interrupt(child);
      return /API key:\s+(\S+)/.exec(banner)![1]!;
    };
    const firstKey = await run();
    expect(firstKey).toMatch(/^tly_/);
    expect(await run()).toBe(firstKey);
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);
});
