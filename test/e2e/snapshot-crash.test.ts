import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../local/stack.js';
import { eventually } from '../support/portal.js';
import { startStackProcess, type StackProcess } from '../support/stack-process.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const dataDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'tally-tab-'));
  dirs.push(dir);
  return dir;
};

/** The tenant's key and the profile the fixture made (test/fixtures/crashing-stack.ts, `TAB`). */
const tabOf = (stack: StackProcess): { apiKey: string; profileId: string } => {
  const [, apiKey, profileId] = /tab (\S+) (\S+)/.exec(stack.output)!;
  return { apiKey: apiKey!, profileId: profileId! };
};

const client = (url: string, apiKey: string) => async (method: string, path: string, body?: unknown) => {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${apiKey}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, body: (await response.json()) as any };
};

/** The profile's invoices once its first cycle is done, each with its lines. */
const firstCycle = async (api: ReturnType<typeof client>, profileId: string) => {
  await eventually(
    async () => ((await api('GET', `/v1/profiles/${profileId}`)).body.cyclesDone === 1 ? true : undefined),
    'the first cycle done',
    120_000,
  );
  const { items } = (await api('GET', `/v1/invoices?profileId=${profileId}`)).body as { items: { id: string }[] };
  return Promise.all(items.map(async (i) => (await api('GET', `/v1/invoices/${i.id}`)).body));
};

describe('a running tab across a restart', () => {
  it('killed (SIGKILL) in the middle of a 5,000-item snapshot: after a restart every item is in exactly one invoice', async () => {
    // Prepare: a tab of 5,000 items on a stack that dies once its snapshot has claimed 2,000
    const dir = dataDir();
    const port = String(await freePort());
    const first = await startStackProcess(dir, port, { TAB: '5000', CRASH_IN_SNAPSHOT_AT: '2000' });
    const { apiKey, profileId } = tabOf(first);
    // Act: the clock moved past the first run; the stack dies in the snapshot; it starts again on the same data
    await client(first.url, apiKey)('POST', '/local/clock', { advance: 'PT2M' }).catch((error: unknown) => error);
    const [, signal] = (await first.exited) as [number | null, string | null];
    expect(signal).toBe('SIGKILL');
    const second = await startStackProcess(dir, port, {});
    try {
      // Assess: the fire cut off ran again, and finished the snapshot once
      const api = client(second.url, apiKey);
      const invoices = await firstCycle(api, profileId);
      expect(invoices).toHaveLength(1);
      const descriptions = invoices[0].lines.map((l: { description: string }) => l.description);
      expect(descriptions).toHaveLength(5000);
      expect(new Set(descriptions).size).toBe(5000);
      expect(invoices[0]).toMatchObject({ status: 'invoiced', totals: { net: '10000.00' } });
      expect((await api('GET', `/v1/profiles/${profileId}`)).body).toMatchObject({ cyclesDone: 1, tab: { itemCount: 0 } });
      expect((await api('GET', `/v1/profiles/${profileId}/items`)).body.items).toEqual([]);
    } finally {
      await second.interrupt();
    }
  }, 300_000);

  it('stopped with a snapshot coming due, started after its time: it happens once', async () => {
    // Prepare: a tab whose first run is a minute away; the clock moved to 10 s before it; the stack stopped
    const dir = dataDir();
    const port = String(await freePort());
    const first = await startStackProcess(dir, port, { TAB: '3' });
    const { apiKey, profileId } = tabOf(first);
    await client(first.url, apiKey)('POST', '/local/clock', { advance: 'PT50S' });
    await first.interrupt();
    // Act: started again once its time has passed
    await new Promise((resolve) => setTimeout(resolve, 12_000));
    const second = await startStackProcess(dir, port, {});
    try {
      // Assess
      const api = client(second.url, apiKey);
      const invoices = await firstCycle(api, profileId);
      expect(invoices).toHaveLength(1);
      expect(invoices[0].lines).toHaveLength(3);
      // Act: a day on, nothing more (its next run is a week after the first)
      await api('POST', '/local/clock', { advance: 'P1D' });
      // Assess
      expect((await api('GET', `/v1/invoices?profileId=${profileId}`)).body.items).toHaveLength(1);
      expect((await api('GET', `/v1/profiles/${profileId}`)).body).toMatchObject({ cyclesDone: 1 });
    } finally {
      await second.interrupt();
    }
  }, 120_000);
});
