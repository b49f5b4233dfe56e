import { z } from 'zod';
import { MAX_BACKDATING_DAYS } from '../../domain/settings.js';
import type { Tenant } from '../../domain/tenant.js';
import { getSettings, updateSettings } from '../../services/settings.service.js';
import { route } from '../route.js';
import { atLeastOneField, currencyCode, etag, ifMatchVersion } from '../schemas.js';

const numberFormat = z
  .string()
  .min(1)
  .max(60)
  .meta({ description: 'Tokens: {YYYY}, {YY}, {SEQ} or {SEQ:n} (zero-padded to n digits)' });

export const settingsSchema = z
  .object({
    invoiceNumberFormat: numberFormat,
    creditNoteNumberFormat: numberFormat,
    backdatingDays: z.number().int().min(0).max(MAX_BACKDATING_DAYS),
    accountingIntegration: z.boolean(),
    defaultCurrency: currencyCode,
    defaultDueDays: z.number().int().min(0).max(3650),
  })
  .meta({ id: 'Settings' });

const settingsPatch = settingsSchema.partial().strict().refine(atLeastOneField, 'give at least one field');

/** The settings with the tenant's version as their ETag. */
const reply = (tenant: Tenant) => ({ status: 200, body: tenant.settings, headers: etag(tenant) });

export const settingsRoutes = [
  route({
    method: 'GET',
    path: '/v1/settings',
    operationId: 'getSettings',
    summary: "The tenant's billing settings",
    responses: { 200: { description: 'The settings', schema: settingsSchema } },
    handle: async ({ tenantId }) => reply(await getSettings(tenantId)),
  }),
  route<object, object, z.infer<typeof settingsPatch>>({
    method: 'PATCH',
    path: '/v1/settings',
    operationId: 'updateSettings',
    summary: 'Changes billing settings: number formats, backdating window, accounting integration, defaults',
    body: settingsPatch,
    responses: { 200: { description: 'The settings', schema: settingsSchema } },
    handle: async ({ tenantId, body, headers }) => reply(await updateSettings(tenantId, body, ifMatchVersion(headers))),
  }),
];
