import { z } from 'zod';
import { getSettings, updateSettings } from '../../services/settings.service.js';
import { route } from '../route.js';
import { atLeastOneField, currencyCode } from '../schemas.js';

const numberFormat = z
  .string()
  .min(1)
  .max(60)
  .meta({ description: 'Tokens: {YYYY}, {YY}, {SEQ} or {SEQ:n} (zero-padded to n digits)' });

export const settingsSchema = z
  .object({
    invoiceNumberFormat: numberFormat,
    creditNoteNumberFormat: numberFormat,
    backdatingDays: z.number().int().min(0).max(3650),
    accountingIntegration: z.boolean(),
    defaultCurrency: currencyCode,
    defaultDueDays: z.number().int().min(0).max(3650),
  })
  .meta({ id: 'Settings' });

const settingsPatch = settingsSchema.partial().strict().refine(atLeastOneField, 'give at least one field');

export const settingsRoutes = [
  route({
    method: 'GET',
    path: '/v1/settings',
    operationId: 'getSettings',
    summary: "The tenant's billing settings",
    responses: { 200: { description: 'The settings', schema: settingsSchema } },
    handle: async ({ tenantId }) => ({ status: 200, body: await getSettings(tenantId) }),
  }),
  route<object, object, z.infer<typeof settingsPatch>>({
    method: 'PATCH',
    path: '/v1/settings',
    operationId: 'updateSettings',
    summary: 'Changes billing settings: number formats, backdating window, accounting integration, defaults',
    body: settingsPatch,
    responses: { 200: { description: 'The settings', schema: settingsSchema } },
    handle: async ({ tenantId, body }) => ({ status: 200, body: await updateSettings(tenantId, body) }),
  }),
];
