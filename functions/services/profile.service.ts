import { clock } from '../adapters/clock.js';
import { localDate } from '../domain/dates.js';
import { DomainError, expectVersion, unknownReference } from '../domain/errors.js';
import {
  activateProfile,
  assertOwnSeries,
  cancelProfile,
  createProfile as newProfile,
  pauseProfile,
  updateProfile as changedProfile,
  type Profile,
  type ProfileFields,
  type ProfilePatch,
} from '../domain/profile.js';
import {
  addDiscount as withDiscount,
  addTabItem,
  addTax as withTax,
  findDiscount,
  findTax,
  removeDiscount as withoutDiscount,
  removeTabItem,
  removeTax as withoutTax,
  updateDiscount as withDiscountChanged,
  updateTabItem,
  updateTax as withTaxChanged,
  type DiscountFields,
  type TabItem,
  type TabItemFields,
  type TaxFields,
} from '../domain/profile-tab.js';
import type { TabDiscount, TabTax } from '../domain/profile.js';
import { getCustomer } from '../store/customer.store.js';
import { getProfile, getTabItem, listProfiles, listTabItems, saveProfile, saveTabChange } from '../store/profile.store.js';
import { getTenant } from '../store/tenant.store.js';
import type { Tenant } from '../domain/tenant.js';
import { newId } from './ids.js';
import { putProfileSchedule, removeProfileSchedule } from './profile-schedule.js';
import { retrying } from './retry.js';

/** Every format the tenant's own series number with or have numbered with: a profile's own series stays apart from them. */
const tenantFormats = ({ settings, retiredNumberFormats }: Tenant): string[] => [
  settings.invoiceNumberFormat,
  settings.creditNoteNumberFormat,
  ...retiredNumberFormats.invoice,
  ...retiredNumberFormats.credit_note,
];

const withOwnSeries = (tenant: Tenant, profile: Profile, previous: Profile | null): Profile =>
  profile.invoiceNumberFormat === null || profile.invoiceNumberFormat === previous?.invoiceNumberFormat
    ? profile
    : assertOwnSeries(profile, tenantFormats(tenant));

export type NewProfile = Omit<ProfileFields, 'currency'>;

/** The profile bills in its customer's currency. */
export const createProfile = async (tenantId: string, input: NewProfile): Promise<Profile> => {
  const [customer, tenant] = await Promise.all([
    getCustomer(tenantId, input.customerId).catch((error: unknown) => {
      throw error instanceof DomainError && error.kind === 'not_found' ? unknownReference('customer', 'customerId') : error;
    }),
    getTenant(tenantId),
  ]);
  const now = clock.now();
  const { timeZone } = tenant.settings;
  const profile = withOwnSeries(
    tenant,
    newProfile({ ...input, currency: customer.currency }, newId('prf'), now, localDate(now, timeZone)),
    null,
  );
  await putProfileSchedule(tenantId, profile, null, now, timeZone);
  await saveProfile(tenantId, profile, null);
  return profile;
};

/**
 * Loads the profile, checks the caller's expected version (If-Match), applies one domain change and
 * saves it on condition that nobody changed the profile meanwhile; a lost race reads again and
 * applies the change to what won (with If-Match that is a 412). Its schedule follows: put before the
 * write when the change moves it, removed after it when the profile stops (services/profile-schedule.ts).
 */
const changeProfile = (
  tenantId: string,
  id: string,
  expectedVersion: number | undefined,
  change: (profile: Profile, now: Date, today: string) => Profile,
): Promise<Profile> =>
  retrying(async () => {
    const [stored, tenant] = await Promise.all([getProfile(tenantId, id), getTenant(tenantId)]);
    const profile = expectVersion(stored, expectedVersion, 'profile');
    const now = clock.now();
    const { timeZone } = tenant.settings;
    const next = withOwnSeries(tenant, change(profile, now, localDate(now, timeZone)), profile);
    await putProfileSchedule(tenantId, next, profile, now, timeZone);
    await saveProfile(tenantId, next, profile);
    await removeProfileSchedule(next, profile);
    return next;
  });

export const updateProfile = (tenantId: string, id: string, patch: ProfilePatch, expectedVersion?: number): Promise<Profile> =>
  changeProfile(tenantId, id, expectedVersion, (profile, now, today) => changedProfile(profile, patch, now, today));

export const activate = (tenantId: string, id: string, expectedVersion?: number): Promise<Profile> =>
  changeProfile(tenantId, id, expectedVersion, (profile, now, today) => activateProfile(profile, now, today));

export const pause = (tenantId: string, id: string, expectedVersion?: number): Promise<Profile> =>
  changeProfile(tenantId, id, expectedVersion, (profile, now, today) => pauseProfile(profile, now, today));

export const cancel = (tenantId: string, id: string, expectedVersion?: number): Promise<Profile> =>
  changeProfile(tenantId, id, expectedVersion, (profile, now, today) => cancelProfile(profile, now, today));

/** The item id is drawn once, so that a retry after a lost race adds the same item, not another. */
export const addItem = (tenantId: string, profileId: string, input: TabItemFields): Promise<TabItem> => {
  const id = newId('itm');
  return retrying(async () => {
    const previous = await getProfile(tenantId, profileId);
    const { profile, item } = addTabItem(previous, input, id, clock.now());
    await saveTabChange(tenantId, { profile, previous, item, previousItem: null });
    return item;
  });
};

/** The profile first: an item of another tenant's profile, or of no profile, is not found. */
const readItem = async (tenantId: string, profileId: string, itemId: string) => {
  const profile = await getProfile(tenantId, profileId);
  return { profile, item: await getTabItem(tenantId, profileId, itemId) };
};

export const getItem = async (tenantId: string, profileId: string, itemId: string): Promise<TabItem> =>
  (await readItem(tenantId, profileId, itemId)).item;

/** `expectedVersion` (If-Match) is the item's. */
export const updateItem = (
  tenantId: string,
  profileId: string,
  itemId: string,
  patch: Partial<TabItemFields>,
  expectedVersion?: number,
): Promise<TabItem> =>
  retrying(async () => {
    const { profile: previous, item: previousItem } = await readItem(tenantId, profileId, itemId);
    expectVersion(previousItem, expectedVersion, 'tab_item');
    const { profile, item } = updateTabItem(previous, previousItem, patch, clock.now());
    await saveTabChange(tenantId, { profile, previous, item, previousItem });
    return item;
  });

export const removeItem = (tenantId: string, profileId: string, itemId: string, expectedVersion?: number): Promise<void> =>
  retrying(async () => {
    const { profile: previous, item: previousItem } = await readItem(tenantId, profileId, itemId);
    expectVersion(previousItem, expectedVersion, 'tab_item');
    const profile = removeTabItem(previous, previousItem, clock.now());
    await saveTabChange(tenantId, { profile, previous, item: null, previousItem });
  });

/** A discount or tax and the profile it is in: the profile's version is its ETag. */
export interface PartOfProfile<T> {
  profile: Profile;
  part: T;
}

const partOf = <T>(profile: Profile, find: (p: Profile) => T): PartOfProfile<T> => ({ profile, part: find(profile) });

export const addDiscount = async (
  tenantId: string,
  profileId: string,
  input: DiscountFields,
  expectedVersion?: number,
): Promise<PartOfProfile<TabDiscount>> => {
  const id = newId('dsc');
  const profile = await changeProfile(tenantId, profileId, expectedVersion, (p, now) => withDiscount(p, input, id, now));
  return partOf(profile, (p) => findDiscount(p, id));
};

export const getDiscount = async (tenantId: string, profileId: string, id: string): Promise<PartOfProfile<TabDiscount>> =>
  partOf(await getProfile(tenantId, profileId), (p) => findDiscount(p, id));

export const getTax = async (tenantId: string, profileId: string, id: string): Promise<PartOfProfile<TabTax>> =>
  partOf(await getProfile(tenantId, profileId), (p) => findTax(p, id));

export const updateDiscount = async (
  tenantId: string,
  profileId: string,
  id: string,
  patch: { description?: string; amount?: string; percent?: string },
  expectedVersion?: number,
): Promise<PartOfProfile<TabDiscount>> =>
  partOf(await changeProfile(tenantId, profileId, expectedVersion, (p, now) => withDiscountChanged(p, id, patch, now)), (p) =>
    findDiscount(p, id),
  );

export const removeDiscount = (tenantId: string, profileId: string, id: string, expectedVersion?: number): Promise<Profile> =>
  changeProfile(tenantId, profileId, expectedVersion, (p, now) => withoutDiscount(p, id, now));

export const addTax = async (
  tenantId: string,
  profileId: string,
  input: TaxFields,
  expectedVersion?: number,
): Promise<PartOfProfile<TabTax>> => {
  const id = newId('tax');
  const profile = await changeProfile(tenantId, profileId, expectedVersion, (p, now) => withTax(p, input, id, now));
  return partOf(profile, (p) => findTax(p, id));
};

export const updateTax = async (
  tenantId: string,
  profileId: string,
  id: string,
  patch: Partial<TaxFields>,
  expectedVersion?: number,
): Promise<PartOfProfile<TabTax>> =>
  partOf(await changeProfile(tenantId, profileId, expectedVersion, (p, now) => withTaxChanged(p, id, patch, now)), (p) =>
    findTax(p, id),
  );

export const removeTax = (tenantId: string, profileId: string, id: string, expectedVersion?: number): Promise<Profile> =>
  changeProfile(tenantId, profileId, expectedVersion, (p, now) => withoutTax(p, id, now));

/** A page of the tab's items, with the profile they are priced in (the rate of those without one is its taxes'). */
export const listItems = async (tenantId: string, profileId: string, limit: number, cursor?: string) => {
  const profile = await getProfile(tenantId, profileId);
  return { profile, page: await listTabItems(tenantId, profileId, limit, cursor) };
};

export { getProfile, listProfiles };
