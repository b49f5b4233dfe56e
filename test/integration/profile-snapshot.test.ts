// A profile's snapshot on DynamoDB Local: delivered three times over or three times at once, cut
// off at each of its writes and delivered again, raced by items added meanwhile. Every item of
// the tab lands in exactly one invoice, and a cycle makes one invoice and one email.
import { PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isoDate } from '../../functions/domain/dates.js';
import type { Invoice } from '../../functions/domain/invoice.js';
import { createCustomer } from '../../functions/services/customer.service.js';
import { getInvoice, listInvoices } from '../../functions/services/invoice.service.js';
import { addItem, createProfile, getProfile, listItems, pause } from '../../functions/services/profile.service.js';
import { snapshotProfile } from '../../functions/services/profile-snapshot.service.js';
import { updateSettings } from '../../functions/services/settings.service.js';
import { registerTenant } from '../../functions/services/tenant.service.js';
import { db } from '../../functions/store/client.js';
import { mailsTo, uniqueEmail } from '../support/portal.js';

afterEach(() => vi.restoreAllMocks());

const DAY_MS = 86_400_000;

/** An active profile of a customer with an email, mode `invoiceMode`, first run today, with `items` on its tab. */
const profileWithTab = async (
  items: number,
  invoiceMode: 'draft' | 'open' | 'live' = 'live',
  { tenantId, invoiceNumberFormat }: { tenantId?: string; invoiceNumberFormat?: string } = {},
) => {
  const tenant = tenantId ? { id: tenantId } : (await registerTenant({ name: 'Snapshot tests', defaultCurrency: 'EUR' })).tenant;
  const email = uniqueEmail('snapshot');
  const customer = await createCustomer(tenant.id, { name: 'Client', email });
  const profile = await createProfile(tenant.id, {
    customerId: customer.id,
    name: 'Tab',
    intervalDays: 7,
    firstCreationDate: isoDate(new Date()),
    invoiceMode,
    invoiceNumberFormat,
    keepDiscounts: false,
    keepTaxes: false,
    status: 'active',
  });
  for (let i = 0; i < items; i++) {
    await addItem(tenant.id, profile.id, { description: `Item ${i}`, quantity: '1', unitPrice: '2.00' });
  }
  const input = { tenantId: tenant.id, profileId: profile.id };
  return { tenantId: tenant.id, profileId: profile.id, email, input };
};

const invoicesOf = async (tenantId: string, profileId: string): Promise<Invoice[]> =>
  Promise.all((await listInvoices(tenantId, { profileId }, 100)).items.map((i) => getInvoice(tenantId, i.id)));

/** Each item's description, as many times as the invoices bill it. */
const billedItems = (invoices: Invoice[]): string[] =>
  invoices
    .flatMap((i) => i.lines)
    .map((l) => l.description)
    .sort();

const itemNames = (from: number, to: number): string[] => Array.from({ length: to - from }, (_, i) => `Item ${from + i}`).sort();

/** The `n`th write from now (a transaction or a single item's) fails as a crash would (no answer: nothing after it runs). */
const crashOnWrite = (n: number) => {
  const client = db();
  const send = client.send.bind(client);
  let seen = 0;
  return vi.spyOn(client, 'send').mockImplementation(((command: unknown, ...rest: unknown[]) => {
    const writes = [TransactWriteCommand, PutCommand, UpdateCommand].some((type) => command instanceof type);
    if (writes && ++seen === n) return Promise.reject(new Error('crashed'));
    return (send as (...args: unknown[]) => unknown)(command, ...rest);
  }) as typeof client.send);
};

describe('a profile snapshot', () => {
  it('delivered three times, one after another, makes one invoice and one email, and counts one cycle', async () => {
    // Prepare
    const tab = await profileWithTab(3);
    const time = new Date();
    // Act
    const outcomes = [];
    for (let i = 0; i < 3; i++) outcomes.push(await snapshotProfile(tab.input, time));
    // Assess
    const invoices = await invoicesOf(tab.tenantId, tab.profileId);
    expect(invoices).toHaveLength(1);
    expect(invoices[0]).toMatchObject({ status: 'invoiced', totals: { net: '6.00' } });
    expect(outcomes.map((o) => o.invoiceId)).toEqual([invoices[0]!.id, invoices[0]!.id, invoices[0]!.id]);
    expect(await mailsTo(tab.email)).toHaveLength(1);
    expect(await getProfile(tab.tenantId, tab.profileId)).toMatchObject({ cyclesDone: 1, tab: { itemCount: 0 } });
  });

  it('delivered three times at once, makes one invoice of every item once, and one email', async () => {
    // Prepare: three chunks of items
    const tab = await profileWithTab(120);
    const time = new Date();
    // Act
    const outcomes = await Promise.all([1, 2, 3].map(() => snapshotProfile(tab.input, time)));
    // Assess
    const invoices = await invoicesOf(tab.tenantId, tab.profileId);
    expect(invoices).toHaveLength(1);
    expect(new Set(outcomes.map((o) => o.invoiceId))).toEqual(new Set([invoices[0]!.id]));
    expect(billedItems(invoices)).toEqual(itemNames(0, 120));
    expect(await mailsTo(tab.email)).toHaveLength(1);
    expect(await getProfile(tab.tenantId, tab.profileId)).toMatchObject({ cyclesDone: 1, tab: { itemCount: 0, netsByRate: {} } });
  });

  it('raced by items added while it runs: each lands in this invoice or the next cycle, exactly once', async () => {
    // Prepare
    const tab = await profileWithTab(150, 'open');
    const first = new Date();
    // Act: 40 items added while the snapshot claims, then the next cycle
    const adding = (async () => {
      for (let i = 150; i < 190; i++) {
        await addItem(tab.tenantId, tab.profileId, { description: `Item ${i}`, quantity: '1', unitPrice: '2.00' });
      }
    })();
    await Promise.all([snapshotProfile(tab.input, first), adding]);
    await snapshotProfile(tab.input, new Date(first.getTime() + 7 * DAY_MS));
    // Assess
    const invoices = await invoicesOf(tab.tenantId, tab.profileId);
    expect(billedItems(invoices)).toEqual(itemNames(0, 190));
    expect(invoices.reduce((n, i) => n + i.lines.length, 0)).toBe(190);
    expect((await listItems(tab.tenantId, tab.profileId, 100)).page.items).toEqual([]);
    expect(await getProfile(tab.tenantId, tab.profileId)).toMatchObject({ cyclesDone: 2, tab: { itemCount: 0 } });
  });

  // Its writes: begin, two claims, claims done, draft, issue, send claimed, sent, cycle done, claimed items deleted.
  it.each([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])('cut off at its write %i, is finished once by the next delivery', async (n) => {
    // Prepare: two chunks of items
    const tab = await profileWithTab(60);
    const time = new Date();
    const crash = crashOnWrite(n);
    await expect(snapshotProfile(tab.input, time)).rejects.toThrow('crashed');
    crash.mockRestore();
    // Act
    await snapshotProfile(tab.input, time);
    await snapshotProfile(tab.input, time);
    // Assess
    const invoices = await invoicesOf(tab.tenantId, tab.profileId);
    expect(invoices).toHaveLength(1);
    expect(invoices[0]).toMatchObject({ status: 'invoiced', totals: { net: '120.00' } });
    expect(billedItems(invoices)).toEqual(itemNames(0, 60));
    expect(await mailsTo(tab.email)).toHaveLength(1);
    expect(await getProfile(tab.tenantId, tab.profileId)).toMatchObject({ cyclesDone: 1, tab: { itemCount: 0 } });
  });

  it('of an empty tab makes no invoice but counts the cycle; of a paused profile, nothing', async () => {
    // Prepare
    const tab = await profileWithTab(0);
    // Act
    const outcome = await snapshotProfile(tab.input, new Date());
    // Assess
    expect(outcome).toMatchObject({ cycle: 1, invoiceId: null });
    expect(await invoicesOf(tab.tenantId, tab.profileId)).toEqual([]);
    expect(await getProfile(tab.tenantId, tab.profileId)).toMatchObject({ cyclesDone: 1 });
    // Act: paused, with an item on its tab
    await addItem(tab.tenantId, tab.profileId, { description: 'Kept', quantity: '1', unitPrice: '1.00' });
    await pause(tab.tenantId, tab.profileId);
    const paused = await snapshotProfile(tab.input, new Date(Date.now() + 7 * DAY_MS));
    // Assess
    expect(paused).toMatchObject({ cycle: null, invoiceId: null });
    expect(await getProfile(tab.tenantId, tab.profileId)).toMatchObject({
      status: 'draft',
      cyclesDone: 1,
      tab: { itemCount: 1 },
    });
  });

  it('whose issue is refused for good leaves its invoice a draft and finishes the cycle: nothing is lost', async () => {
    // Prepare: a profile's own series TAB-0001 issued, then the tenant's invoice format made the same (not checked yet)
    const own = await profileWithTab(1, 'open', { invoiceNumberFormat: 'TAB-{SEQ:4}' });
    await snapshotProfile(own.input, new Date());
    expect((await invoicesOf(own.tenantId, own.profileId))[0]).toMatchObject({ number: 'TAB-0001' });
    await updateSettings(own.tenantId, { invoiceNumberFormat: 'TAB-{SEQ:4}' });
    const tab = await profileWithTab(2, 'open', { tenantId: own.tenantId });
    // Act: its issue would draw TAB-0001 again
    const outcome = await snapshotProfile(tab.input, new Date());
    // Assess: the draft holds the items, the cycle is done, the tab empty
    const invoices = await invoicesOf(tab.tenantId, tab.profileId);
    expect(invoices).toHaveLength(1);
    expect(invoices[0]).toMatchObject({ id: outcome.invoiceId, status: 'draft', number: null, totals: { net: '4.00' } });
    expect(await getProfile(tab.tenantId, tab.profileId)).toMatchObject({ cyclesDone: 1, tab: { itemCount: 0 } });
  });
});
