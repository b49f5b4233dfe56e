import * as z from '../../shared/zod.js';
import { cyclesLeft, nextRunAt, PROFILE_LIMITS, type Profile } from '../../domain/profile.js';
import { previewOf, profileRate, type TabItem } from '../../domain/profile-tab.js';
import * as profiles from '../../services/profile.service.js';
import type { PartOfProfile } from '../../services/profile.service.js';
import { exactlyOneOf } from '../field-sets.js';
import { created, route } from '../route.js';
import {
  DECIMAL_DESCRIPTION,
  actionRoute,
  atLeastOneField,
  decimalString,
  etag,
  exactlyOne,
  idParams,
  isoDate,
  pageOf,
  pageQuery,
  percentString,
  positiveDecimalString,
  resourceId,
} from '../schemas.js';

const invoiceMode = z.enum(['draft', 'open', 'live']);
const profileStatus = z.enum(['draft', 'active', 'cancelled', 'completed']);
const { intervalDays: intervalLimits, billingCycles: cycleLimits, dueDays: dueLimits } = PROFILE_LIMITS;

// A pattern, so that the OpenAPI document says it: no minus sign but on a zero.
const nonNegativeDecimalString = z.withMeta(decimalString.check(z.regex(/^(?:[^-]|-0*(?:\.0*)?$)/, 'must be zero or more')), {
  description: `${DECIMAL_DESCRIPTION}, zero or more`,
});

const lateFee = z.withMeta(
  z
    .strictObject({
      amount: z.optional(positiveDecimalString),
      percent: z.optional(z.withMeta(percentString, { description: 'Of the balance due when the fee is added' })),
    })
    .check(z.superRefine(exactlyOne('amount', 'percent'))),
  exactlyOneOf('amount', 'percent'),
);

const settingsFields = {
  name: z.string().check(z.trim(), z.minLength(1), z.maxLength(200)),
  intervalDays: z.withMeta(z.number().check(z.int(), z.gte(intervalLimits.min), z.lte(intervalLimits.max)), {
    description: 'Create an invoice every this many days',
  }),
  firstCreationDate: z.withMeta(isoDate, { description: 'The day of the first invoice; today or later for an active profile' }),
  billingCycles: z.withMeta(z.number().check(z.int(), z.gte(cycleLimits.min), z.lte(cycleLimits.max)), {
    description: 'How many invoices in all; 0 or absent: until cancelled',
  }),
  invoiceMode: z.withMeta(invoiceMode, { description: 'draft: invoices made as drafts; open: issued; live: issued and emailed' }),
  invoiceNumberFormat: z.withMeta(z.string().check(z.minLength(1), z.maxLength(60)), {
    description: "A number series of its own ({YYYY}, {YY}, {SEQ} or {SEQ:n}), apart from the tenant's; absent: the tenant's",
  }),
  dueDays: z.withMeta(z.number().check(z.int(), z.gte(dueLimits.min), z.lte(dueLimits.max)), {
    description: "Due this many days after the invoice's date",
  }),
  lateFee,
  keepDiscounts: z.withMeta(z.boolean(), { description: 'Keep the discounts on the tab when a cycle wipes it' }),
  keepTaxes: z.withMeta(z.boolean(), { description: 'Keep the taxes on the tab when a cycle wipes it' }),
};

const newProfile = z.withMeta(
  z.strictObject({
    customerId: resourceId,
    ...settingsFields,
    billingCycles: z.optional(settingsFields.billingCycles),
    invoiceNumberFormat: z.optional(settingsFields.invoiceNumberFormat),
    dueDays: z.optional(settingsFields.dueDays),
    lateFee: z.optional(lateFee),
    keepDiscounts: z._default(settingsFields.keepDiscounts, false),
    keepTaxes: z._default(settingsFields.keepTaxes, false),
    status: z.withMeta(z.enum(['active', 'draft']), {
      description: 'active: counts down to its first invoice; draft: makes none',
    }),
  }),
  {
    examples: [
      {
        customerId: 'cus_01J9Z3Q4R5S6T7V8W9X0Y1Z2A3',
        name: 'Site maintenance',
        intervalDays: 15,
        firstCreationDate: '2026-12-01',
        billingCycles: 24,
        invoiceMode: 'live',
        dueDays: 21,
        lateFee: { amount: '25.00' },
        keepDiscounts: false,
        keepTaxes: true,
        status: 'active',
      },
    ],
  },
);

const profilePatch = z
  .partial(
    z.strictObject({
      ...settingsFields,
      invoiceNumberFormat: z.nullable(settingsFields.invoiceNumberFormat),
      dueDays: z.nullable(settingsFields.dueDays),
      lateFee: z.nullable(lateFee),
    }),
  )
  .check(z.refine(atLeastOneField, 'give at least one field'));

const itemFields = {
  description: z.string().check(z.trim(), z.minLength(1), z.maxLength(200)),
  quantity: positiveDecimalString,
  unitPrice: nonNegativeDecimalString,
  taxRate: z.withMeta(z.nullable(percentString), { description: "Its own tax rate; absent or null: the profile's taxes" }),
};
const newItem = z.withMeta(z.strictObject({ ...itemFields, taxRate: z.optional(itemFields.taxRate) }), {
  examples: [{ description: 'Homepage banner change', quantity: '2.5', unitPrice: '80.00' }],
});
const itemPatch = z.partial(z.strictObject(itemFields)).check(z.refine(atLeastOneField, 'give at least one field'));

const discountDescription = z.string().check(z.trim(), z.minLength(1), z.maxLength(200));
const discountPercent = z.withMeta(percentString, { description: "Of the items' net" });
const newDiscount = z.withMeta(
  z
    .strictObject({
      description: discountDescription,
      amount: z.optional(positiveDecimalString),
      percent: z.optional(discountPercent),
    })
    .check(z.superRefine(exactlyOne('amount', 'percent'))),
  exactlyOneOf('amount', 'percent'),
);
const discountPatch = z
  .partial(z.strictObject({ description: discountDescription, amount: positiveDecimalString, percent: discountPercent }))
  .check(
    z.refine(atLeastOneField, 'give at least one field'),
    z.refine((patch) => patch.amount === undefined || patch.percent === undefined, {
      message: 'give at most one of amount, percent',
      path: ['amount'],
    }),
  );

const taxFields = { name: z.string().check(z.trim(), z.minLength(1), z.maxLength(100)), rate: percentString };
const newTax = z.withMeta(z.strictObject(taxFields), { examples: [{ name: 'VAT', rate: '20' }] });
const taxPatch = z.partial(z.strictObject(taxFields)).check(z.refine(atLeastOneField, 'give at least one field'));

const profileQuery = z.extend(pageQuery, { customerId: z.optional(resourceId), status: z.optional(profileStatus) });
const itemParams = z.object({ id: resourceId, itemId: resourceId });
const discountParams = z.object({ id: resourceId, discountId: resourceId });
const taxParams = z.object({ id: resourceId, taxId: resourceId });

const discountSchema = z.withMeta(
  z.object({ id: z.string(), description: z.string(), amount: z.nullable(z.string()), percent: z.nullable(z.string()) }),
  { id: 'TabDiscount', description: 'Exactly one of amount and percent is set' },
);
const taxSchema = z.withMeta(z.object({ id: z.string(), name: z.string(), rate: z.string() }), { id: 'TabTax' });
const itemSchema = z.withMeta(
  z.object({
    id: z.string(),
    profileId: z.string(),
    description: z.string(),
    quantity: z.string(),
    unitPrice: z.string(),
    taxRate: z.withMeta(z.nullable(z.string()), { description: "null: taxed by the profile's taxes (`tab.taxRate`)" }),
    amount: z.string(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    version: z.number().check(z.int()),
  }),
  { id: 'TabItem' },
);
const lineSchema = z.object({
  id: z.string(),
  kind: z.string(),
  description: z.string(),
  quantity: z.string(),
  unitPrice: z.string(),
  amount: z.string(),
  taxRate: z.string(),
});

export const profileSchema = z.withMeta(
  z.object({
    id: z.string(),
    customerId: z.string(),
    name: z.string(),
    currency: z.string(),
    intervalDays: z.number().check(z.int()),
    firstCreationDate: isoDate,
    billingCycles: z.number().check(z.int()),
    invoiceMode,
    invoiceNumberFormat: z.nullable(z.string()),
    dueDays: z.nullable(z.number().check(z.int())),
    lateFee: z.nullable(z.object({ amount: z.optional(z.string()), percent: z.optional(z.string()) })),
    keepDiscounts: z.boolean(),
    keepTaxes: z.boolean(),
    status: profileStatus,
    cyclesDone: z.number().check(z.int()),
    cyclesSkipped: z.withMeta(z.number().check(z.int()), {
      description: 'Run days that passed while it was paused: not billed; the cadence goes on after them',
    }),
    cyclesLeft: z.withMeta(z.nullable(z.number().check(z.int())), { description: 'null: until cancelled' }),
    nextRunAt: z.withMeta(z.nullable(isoDate), { description: 'The day of the next cycle; null unless active' }),
    tab: z.object({
      itemCount: z.number().check(z.int(), z.lte(PROFILE_LIMITS.items)),
      taxRate: z.withMeta(z.string(), {
        description: "The profile's taxes together: the rate of items without one of their own",
      }),
      discounts: z.array(discountSchema).check(z.maxLength(PROFILE_LIMITS.discounts)),
      taxes: z.array(taxSchema).check(z.maxLength(PROFILE_LIMITS.taxes)),
    }),
    preview: z.withMeta(
      z.object({
        itemLines: z.withMeta(z.number().check(z.int()), { description: 'The first lines, one per item (`GET .../items`)' }),
        lines: z.withMeta(z.array(lineSchema), { description: 'The lines after the items: the discounts, one per tax rate' }),
        totals: z.object({ net: z.string(), tax: z.string(), gross: z.string() }),
        taxes: z.array(z.object({ rate: z.string(), base: z.string(), amount: z.string() })),
      }),
      { description: 'The next invoice as the tab stands' },
    ),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    version: z.number().check(z.int()),
  }),
  { id: 'Profile' },
);

/** The profile as clients see it: its tab summed up and the next invoice previewed, from the profile item alone. */
const profileView = (profile: Profile) => {
  const { discounts, taxes, tab, ...fields } = profile;
  return {
    ...fields,
    cyclesSkipped: profile.cyclesSkipped ?? 0,
    cyclesLeft: cyclesLeft(profile),
    nextRunAt: nextRunAt(profile),
    tab: { itemCount: tab.itemCount, taxRate: profileRate(profile), discounts, taxes },
    preview: previewOf(profile),
  };
};

const profileResponse = { description: 'The profile', schema: profileSchema, headers: ['ETag'] } as const;
const itemResponse = { description: 'The tab item', schema: itemSchema, headers: ['ETag'] } as const;
const discountResponse = { description: 'The discount', schema: discountSchema, headers: ['ETag'] } as const;
const taxResponse = { description: 'The tax', schema: taxSchema, headers: ['ETag'] } as const;
const reply = (status: number, profile: Profile) => ({ status, body: profileView(profile), headers: etag(profile) });
// An item, discount or tax is not found when its profile is not.
const itemNotFound = ['PROFILE_NOT_FOUND', 'TAB_ITEM_NOT_FOUND'] as const;
const discountNotFound = ['PROFILE_NOT_FOUND', 'DISCOUNT_NOT_FOUND'] as const;
const taxNotFound = ['PROFILE_NOT_FOUND', 'TAX_NOT_FOUND'] as const;
// A discount or tax has no version of its own: the profile's is the one that If-Match checks.
const partReply = <T>({ profile, part }: PartOfProfile<T>) => ({ status: 200, body: part, headers: etag(profile) });
const itemReply = (status: number, item: TabItem) => ({ status, body: item, headers: etag(item) });
const AMOUNT_RULES = ['AMOUNT_TOO_LARGE', 'TOO_MANY_TAX_RATES'] as const;

type IdParams = z.infer<typeof idParams>;
type ItemParams = z.infer<typeof itemParams>;
type DiscountParams = z.infer<typeof discountParams>;
type TaxParams = z.infer<typeof taxParams>;

const profileRoutesOnly = [
  route<object, object, z.infer<typeof newProfile>>({
    method: 'POST',
    path: '/v1/profiles',
    operationId: 'createProfile',
    summary: 'Creates an accumulating profile: a running tab of a customer, invoiced every N days',
    description:
      "It bills in its customer's currency (422 `CUSTOMER_NOT_FOUND` for none of the tenant's). Saved `active`, its first creation date must not have passed (422 `FIRST_CREATION_DATE_PASSED`); `draft` makes no invoice. A late fee needs `dueDays`. An own `invoiceNumberFormat` must not be able to print a number of the tenant's series (422 `NUMBER_FORMATS_OVERLAP`).",
    body: newProfile,
    errors: { 422: ['CUSTOMER_NOT_FOUND', 'FIRST_CREATION_DATE_PASSED', 'NUMBER_FORMATS_OVERLAP'] },
    responses: { 201: profileResponse },
    handle: async ({ tenantId, body }) => {
      const profile = await profiles.createProfile(tenantId, body);
      return created(`/v1/profiles/${profile.id}`, profileView(profile), etag(profile));
    },
  }),
  route<object, z.infer<typeof profileQuery>>({
    method: 'GET',
    path: '/v1/profiles',
    operationId: 'listProfiles',
    summary: 'Lists accumulating profiles, newest first, by customer and status',
    query: profileQuery,
    responses: { 200: { description: 'A page of profiles', schema: pageOf(profileSchema) } },
    handle: async ({ tenantId, query }) => {
      const page = await profiles.listProfiles(tenantId, query, query.limit, query.cursor);
      return { status: 200, body: { items: page.items.map(profileView), nextCursor: page.nextCursor } };
    },
  }),
  route<IdParams>({
    method: 'GET',
    path: '/v1/profiles/{id}',
    operationId: 'getProfile',
    summary: 'Gets a profile with its tab, the preview of its next invoice, its next run and cycles',
    description:
      '`preview` is the next invoice as the tab stands, exact to the cent: its totals and tax per rate, and the discount lines after the item lines (`GET .../items`). `nextRunAt` is the day of the next cycle (null unless active); `cyclesLeft` is null for a profile that runs until cancelled.',
    params: idParams,
    errors: { 404: ['PROFILE_NOT_FOUND'] },
    responses: { 200: profileResponse },
    handle: async ({ tenantId, params }) => reply(200, await profiles.getProfile(tenantId, params.id)),
  }),
  route<IdParams, object, z.infer<typeof profilePatch>>({
    method: 'PATCH',
    path: '/v1/profiles/{id}',
    operationId: 'updateProfile',
    summary: 'Changes a profile (If-Match: its ETag)',
    description:
      'A cancelled or completed profile cannot change (409 `PROFILE_CLOSED`); its first creation date is fixed once a cycle is done (409 `PROFILE_STARTED`); `billingCycles` may not go below the cycles done (422 `BILLING_CYCLES_BELOW_DONE`). `null` clears `invoiceNumberFormat`, `dueDays` or `lateFee`.',
    ifMatch: true,
    params: idParams,
    body: profilePatch,
    errors: {
      404: ['PROFILE_NOT_FOUND'],
      409: ['PROFILE_CLOSED', 'PROFILE_STARTED'],
      422: ['FIRST_CREATION_DATE_PASSED', 'BILLING_CYCLES_BELOW_DONE', 'NUMBER_FORMATS_OVERLAP', ...AMOUNT_RULES],
    },
    responses: { 200: profileResponse },
    handle: async ({ tenantId, params, body, expectedVersion }) =>
      reply(200, await profiles.updateProfile(tenantId, params.id, body, expectedVersion)),
  }),
  actionRoute({
    path: '/v1/profiles/{id}/activate',
    operationId: 'activateProfile',
    summary: 'Activates a draft profile: it counts down to its next cycle',
    description: 'Only a draft (409 `PROFILE_NOT_DRAFT`); its first creation date must not have passed before its first cycle.',
    errors: { 404: ['PROFILE_NOT_FOUND'], 409: ['PROFILE_NOT_DRAFT'], 422: ['FIRST_CREATION_DATE_PASSED'] },
    response: profileResponse,
    run: profiles.activate,
    view: profileView,
  }),
  actionRoute({
    path: '/v1/profiles/{id}/pause',
    operationId: 'pauseProfile',
    summary: 'Pauses an active profile: back to draft, it makes no invoice',
    errors: { 404: ['PROFILE_NOT_FOUND'], 409: ['PROFILE_NOT_ACTIVE'] },
    response: profileResponse,
    run: profiles.pause,
    view: profileView,
  }),
  actionRoute({
    path: '/v1/profiles/{id}/cancel',
    operationId: 'cancelProfile',
    summary: 'Cancels a profile for good: it makes no more invoices and takes no change',
    errors: { 404: ['PROFILE_NOT_FOUND'], 409: ['PROFILE_CLOSED'] },
    response: profileResponse,
    run: profiles.cancel,
    view: profileView,
  }),
];

const itemRoutes = [
  route<IdParams, object, z.infer<typeof newItem>>({
    method: 'POST',
    path: '/v1/profiles/{id}/items',
    operationId: 'addTabItem',
    summary: "Adds an item to a profile's tab (ETag: the item's version)",
    description: `A tab holds at most ${PROFILE_LIMITS.items} items (422 \`TAB_FULL\`) of at most ${PROFILE_LIMITS.itemRates} tax rates; a cancelled or completed profile takes none (409 \`PROFILE_CLOSED\`).`,
    params: idParams,
    body: newItem,
    errors: { 404: ['PROFILE_NOT_FOUND'], 409: ['PROFILE_CLOSED'], 422: ['TAB_FULL', 'TAB_TOO_LARGE', ...AMOUNT_RULES] },
    responses: { 201: itemResponse },
    handle: async ({ tenantId, params, body }) => {
      const item = await profiles.addItem(tenantId, params.id, body);
      return created(`/v1/profiles/${params.id}/items/${item.id}`, item, etag(item));
    },
  }),
  route<IdParams, z.infer<typeof pageQuery>>({
    method: 'GET',
    path: '/v1/profiles/{id}/items',
    operationId: 'listTabItems',
    summary: "Lists a tab's items, newest first",
    params: idParams,
    query: pageQuery,
    errors: { 404: ['PROFILE_NOT_FOUND'] },
    responses: { 200: { description: 'A page of items', schema: pageOf(itemSchema) } },
    handle: async ({ tenantId, params, query }) => {
      const { page } = await profiles.listItems(tenantId, params.id, query.limit, query.cursor);
      return { status: 200, body: page };
    },
  }),
  route<ItemParams>({
    method: 'GET',
    path: '/v1/profiles/{id}/items/{itemId}',
    operationId: 'getTabItem',
    summary: 'Gets a tab item',
    description: "Its `amount` is its line's; a null `taxRate` means the profile's taxes tax it.",
    params: itemParams,
    errors: { 404: itemNotFound },
    responses: { 200: itemResponse },
    handle: async ({ tenantId, params }) => itemReply(200, await profiles.getItem(tenantId, params.id, params.itemId)),
  }),
  route<ItemParams, object, z.infer<typeof itemPatch>>({
    method: 'PATCH',
    path: '/v1/profiles/{id}/items/{itemId}',
    operationId: 'updateTabItem',
    summary: "Changes a tab item (If-Match: the item's ETag)",
    ifMatch: true,
    params: itemParams,
    body: itemPatch,
    errors: { 404: itemNotFound, 409: ['PROFILE_CLOSED'], 422: ['TAB_TOO_LARGE', ...AMOUNT_RULES] },
    responses: { 200: itemResponse },
    handle: async ({ tenantId, params, body, expectedVersion }) =>
      itemReply(200, await profiles.updateItem(tenantId, params.id, params.itemId, body, expectedVersion)),
  }),
  route<ItemParams>({
    method: 'DELETE',
    path: '/v1/profiles/{id}/items/{itemId}',
    operationId: 'removeTabItem',
    summary: "Removes a tab item (If-Match: the item's ETag)",
    ifMatch: true,
    params: itemParams,
    errors: { 404: itemNotFound, 409: ['PROFILE_CLOSED'] },
    responses: { 204: { description: 'Removed' } },
    handle: async ({ tenantId, params, expectedVersion }) => {
      await profiles.removeItem(tenantId, params.id, params.itemId, expectedVersion);
      return { status: 204 };
    },
  }),
];

const discountRoutes = [
  route<IdParams, object, z.infer<typeof newDiscount>>({
    method: 'POST',
    path: '/v1/profiles/{id}/discounts',
    operationId: 'addTabDiscount',
    summary: "Adds a discount to a profile's tab (ETag: the profile's version)",
    description: `An amount (net) or a percent of the items' net, never taking the invoice below zero; at most ${PROFILE_LIMITS.discounts} (422 \`TOO_MANY_DISCOUNTS\`).`,
    ifMatch: true,
    params: idParams,
    body: newDiscount,
    errors: { 404: ['PROFILE_NOT_FOUND'], 409: ['PROFILE_CLOSED'], 422: ['TOO_MANY_DISCOUNTS'] },
    responses: { 201: discountResponse },
    handle: async ({ tenantId, params, body, expectedVersion }) => {
      const { profile, part } = await profiles.addDiscount(tenantId, params.id, body, expectedVersion);
      return created(`/v1/profiles/${profile.id}/discounts/${part.id}`, part, etag(profile));
    },
  }),
  route<DiscountParams>({
    method: 'GET',
    path: '/v1/profiles/{id}/discounts/{discountId}',
    operationId: 'getTabDiscount',
    summary: "Gets a discount of a tab (ETag: the profile's version)",
    description: "Exactly one of `amount` (net) and `percent` (of the items' net) is set.",
    params: discountParams,
    errors: { 404: discountNotFound },
    responses: { 200: discountResponse },
    handle: async ({ tenantId, params }) => partReply(await profiles.getDiscount(tenantId, params.id, params.discountId)),
  }),
  route<DiscountParams, object, z.infer<typeof discountPatch>>({
    method: 'PATCH',
    path: '/v1/profiles/{id}/discounts/{discountId}',
    operationId: 'updateTabDiscount',
    summary: "Changes a discount (If-Match: the profile's ETag)",
    description: 'An `amount` replaces a percent, a `percent` an amount.',
    ifMatch: true,
    params: discountParams,
    body: discountPatch,
    errors: { 404: discountNotFound, 409: ['PROFILE_CLOSED'] },
    responses: { 200: discountResponse },
    handle: async ({ tenantId, params, body, expectedVersion }) =>
      partReply(await profiles.updateDiscount(tenantId, params.id, params.discountId, body, expectedVersion)),
  }),
  route<DiscountParams>({
    method: 'DELETE',
    path: '/v1/profiles/{id}/discounts/{discountId}',
    operationId: 'removeTabDiscount',
    summary: "Removes a discount (If-Match: the profile's ETag)",
    ifMatch: true,
    params: discountParams,
    errors: { 404: discountNotFound, 409: ['PROFILE_CLOSED'] },
    responses: { 204: { description: 'Removed' } },
    handle: async ({ tenantId, params, expectedVersion }) => {
      await profiles.removeDiscount(tenantId, params.id, params.discountId, expectedVersion);
      return { status: 204 };
    },
  }),
];

const taxRoutes = [
  route<IdParams, object, z.infer<typeof newTax>>({
    method: 'POST',
    path: '/v1/profiles/{id}/taxes',
    operationId: 'addTabTax',
    summary: "Adds a tax to a profile's tab (ETag: the profile's version)",
    description: `It taxes the items without a tax rate of their own, at the profile's taxes together; at most ${PROFILE_LIMITS.taxes} (422 \`TOO_MANY_TAXES\`).`,
    ifMatch: true,
    params: idParams,
    body: newTax,
    errors: {
      404: ['PROFILE_NOT_FOUND'],
      409: ['PROFILE_CLOSED'],
      422: ['TOO_MANY_TAXES', 'TAX_RATE_TOO_HIGH', ...AMOUNT_RULES],
    },
    responses: { 201: taxResponse },
    handle: async ({ tenantId, params, body, expectedVersion }) => {
      const { profile, part } = await profiles.addTax(tenantId, params.id, body, expectedVersion);
      return created(`/v1/profiles/${profile.id}/taxes/${part.id}`, part, etag(profile));
    },
  }),
  route<TaxParams>({
    method: 'GET',
    path: '/v1/profiles/{id}/taxes/{taxId}',
    operationId: 'getTabTax',
    summary: "Gets a tax of a tab (ETag: the profile's version)",
    description: 'It taxes the items without a rate of their own, with the other taxes of the profile.',
    params: taxParams,
    errors: { 404: taxNotFound },
    responses: { 200: taxResponse },
    handle: async ({ tenantId, params }) => partReply(await profiles.getTax(tenantId, params.id, params.taxId)),
  }),
  route<TaxParams, object, z.infer<typeof taxPatch>>({
    method: 'PATCH',
    path: '/v1/profiles/{id}/taxes/{taxId}',
    operationId: 'updateTabTax',
    summary: "Changes a tax (If-Match: the profile's ETag)",
    ifMatch: true,
    params: taxParams,
    body: taxPatch,
    errors: { 404: taxNotFound, 409: ['PROFILE_CLOSED'], 422: ['TAX_RATE_TOO_HIGH', ...AMOUNT_RULES] },
    responses: { 200: taxResponse },
    handle: async ({ tenantId, params, body, expectedVersion }) =>
      partReply(await profiles.updateTax(tenantId, params.id, params.taxId, body, expectedVersion)),
  }),
  route<TaxParams>({
    method: 'DELETE',
    path: '/v1/profiles/{id}/taxes/{taxId}',
    operationId: 'removeTabTax',
    summary: "Removes a tax (If-Match: the profile's ETag)",
    ifMatch: true,
    params: taxParams,
    errors: { 404: taxNotFound, 409: ['PROFILE_CLOSED'] },
    responses: { 204: { description: 'Removed' } },
    handle: async ({ tenantId, params, expectedVersion }) => {
      await profiles.removeTax(tenantId, params.id, params.taxId, expectedVersion);
      return { status: 204 };
    },
  }),
];

export const profileRoutes = [...profileRoutesOnly, ...itemRoutes, ...discountRoutes, ...taxRoutes];
