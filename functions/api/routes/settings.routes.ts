import * as z from '../../shared/zod.js';
import { ACCOUNT_CODE_PATTERN, MAX_APPROVAL_EXPIRY_DAYS, MAX_BACKDATING_DAYS } from '../../domain/settings.js';
import type { Tenant } from '../../domain/tenant.js';
import { getSettings, updateSettings } from '../../services/settings.service.js';
import { route } from '../route.js';
import { atLeastOneField, currencyCode, etag } from '../schemas.js';
import { isTimeZone } from '../../domain/dates.js';

const numberFormat = z.withMeta(z.string().check(z.minLength(1), z.maxLength(60)), {
  description: 'Tokens: {YYYY}, {YY}, {SEQ} or {SEQ:n} (zero-padded to n digits)',
});

const accountCode = z
  .string()
  .check(z.regex(ACCOUNT_CODE_PATTERN, 'must be 1 to 40 letters, digits, _ . : or -, starting with a letter or digit'));

export const settingsSchema = z.withMeta(
  z.object({
    invoiceNumberFormat: numberFormat,
    creditNoteNumberFormat: numberFormat,
    backdatingDays: z.number().check(z.int(), z.gte(0), z.lte(MAX_BACKDATING_DAYS)),
    accountingIntegration: z.boolean(),
    defaultCurrency: currencyCode,
    defaultDueDays: z.number().check(z.int(), z.gte(0), z.lte(3650)),
    approvalExpiryDays: z.withMeta(z.number().check(z.int(), z.gte(1), z.lte(MAX_APPROVAL_EXPIRY_DAYS)), {
      description: 'How many days an emailed approval link works (default 14)',
    }),
    approvalReminderDays: z.withMeta(z.nullable(z.number().check(z.int(), z.gte(1), z.lte(MAX_APPROVAL_EXPIRY_DAYS))), {
      description:
        'After how many days a request still undecided is reminded, once, by email with a link of its own; less than `deemedAcceptanceDays`, else than `approvalExpiryDays` (default null: no reminder)',
    }),
    deemedAcceptanceDays: z.withMeta(z.nullable(z.number().check(z.int(), z.gte(1), z.lte(MAX_APPROVAL_EXPIRY_DAYS))), {
      description:
        'After how many days a request still undecided counts as approved, recorded as `deemed`, and billing starts; at most `approvalExpiryDays` (default null: never)',
    }),
    partialInvoicing: z.withMeta(z.boolean(), {
      description: 'Partial invoices of booked expenditures may be made (default true)',
    }),
    allowZeroSelectionApproval: z.withMeta(z.boolean(), {
      description:
        'A partial invoice that selects no expenditure may be approved (default false: its amount would go to P/L while the expenditures stay in WIP)',
    }),
    wipAccount: z.withMeta(accountCode, { description: 'The Work in Process account (default `work_in_process`)' }),
    costOfSalesAccount: z.withMeta(accountCode, {
      description: 'The account settled expenditures are expensed to, at cost (default `cost_of_sales`)',
    }),
    timeZone: z.withMeta(
      z.string().check(z.maxLength(64), z.refine(isTimeZone, 'must be an IANA time zone, such as Europe/Berlin or UTC')),
      {
        description:
          "The tenant's calendar (IANA zone, default `UTC`): what today is for issue and payment dates, and the local midnight a profile's cycle and a late fee fall on",
      },
    ),
  }),
  { id: 'Settings' },
);

const settingsPatch = z.strictObject(z.partial(settingsSchema).shape).check(z.refine(atLeastOneField, 'give at least one field'));

/** The settings with the tenant's version as their ETag. */
const reply = (tenant: Tenant) => ({ status: 200, body: tenant.settings, headers: etag(tenant) });
const settingsResponse = { description: 'The settings', schema: settingsSchema, headers: ['ETag'] } as const;

export const settingsRoutes = [
  route({
    method: 'GET',
    path: '/v1/settings',
    operationId: 'getSettings',
    summary: "The tenant's billing settings",
    description: 'Every setting has a default, so a new tenant bills at once.',
    responses: { 200: settingsResponse },
    handle: async ({ tenantId }) => reply(await getSettings(tenantId)),
  }),
  route<object, object, z.infer<typeof settingsPatch>>({
    method: 'PATCH',
    path: '/v1/settings',
    operationId: 'updateSettings',
    summary: 'Changes billing settings: number formats, backdating window, accounting integration, defaults',
    description:
      'Changes the settings given, each checked as it will be used: a number format needs exactly one `{SEQ}` or `{SEQ:n}`; the two series may never print the same number (422 `NUMBER_FORMATS_OVERLAP`), and a new format may not print a number an earlier one may have printed (422 `NUMBER_FORMAT_REUSES_NUMBERS`).',
    ifMatch: true,
    body: settingsPatch,
    errors: { 422: ['NUMBER_FORMATS_OVERLAP', 'NUMBER_FORMAT_REUSES_NUMBERS'] },
    responses: { 200: settingsResponse },
    handle: async ({ tenantId, body, expectedVersion }) => reply(await updateSettings(tenantId, body, expectedVersion)),
  }),
];
