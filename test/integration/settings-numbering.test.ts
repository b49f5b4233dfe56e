import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { updateSettings as changedSettings } from '../../functions/domain/tenant.js';
import { registerTenant } from '../../functions/services/tenant.service.js';
import { db, tableName } from '../../functions/store/client.js';
import { keys } from '../../functions/store/keys.js';
import { getCounters, getTenant, saveTenant } from '../../functions/store/tenant.store.js';

/** What an issue leaves behind in a counter. */
const counted = (tenantId: string, scope: string, last: number) =>
  db().send(
    new PutCommand({
      TableName: tableName(),
      Item: { ...keys.counter(tenantId, 'invoice', scope), last, lastIssueDate: '2026-03-01' },
    }),
  );

describe('tenant store: a number format change decided on counters', () => {
  it('reads every counter asked for, 0 for one not started', async () => {
    // Prepare
    const { tenant } = await registerTenant({ name: 'Counters' });
    await counted(tenant.id, '2026', 4);
    // Act
    const read = await getCounters(tenant.id, ['all', '2025', '2026']);
    // Assess
    expect(read).toEqual([
      { series: 'invoice', scope: 'all', last: 0 },
      { series: 'invoice', scope: '2025', last: 0 },
      { series: 'invoice', scope: '2026', last: 4 },
      { series: 'credit_note', scope: 'all', last: 0 },
      { series: 'credit_note', scope: '2025', last: 0 },
      { series: 'credit_note', scope: '2026', last: 0 },
    ]);
  });

  it('is not saved once an issue moved a counter it was decided on: a retryable conflict, the tenant as it was', async () => {
    // Prepare: the change was checked with the invoice counter of 2026 at 4, then an issue drew 5
    const { tenant } = await registerTenant({ name: 'Race' });
    await counted(tenant.id, '2026', 4);
    const read = await getCounters(tenant.id, ['2026']);
    const next = changedSettings(tenant, { defaultDueDays: 9 }, new Date());
    await counted(tenant.id, '2026', 5);
    // Act
    const saving = saveTenant(next, tenant.version, read);
    // Assess
    await expect(saving).rejects.toMatchObject({ code: 'VERSION_CONFLICT', retryable: true });
    expect(await getTenant(tenant.id)).toMatchObject({ version: 1, settings: { defaultDueDays: 30 } });
    await saveTenant(next, tenant.version, await getCounters(tenant.id, ['2026']));
    expect(await getTenant(tenant.id)).toMatchObject({ version: 2, settings: { defaultDueDays: 9 } });
  });

  it('is not saved once a counter read as not started has started', async () => {
    const { tenant } = await registerTenant({ name: 'First issue' });
    const read = await getCounters(tenant.id, ['all']);
    await counted(tenant.id, 'all', 1);
    await expect(
      saveTenant(changedSettings(tenant, { defaultDueDays: 9 }, new Date()), tenant.version, read),
    ).rejects.toMatchObject({
      code: 'VERSION_CONFLICT',
    });
  });
});
