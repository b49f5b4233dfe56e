import { DomainError, invalidField } from './errors.js';
import { checkCurrency } from './money.js';
import { checkNumberFormat, defaultSettings, numberShape, type Settings } from './settings.js';

export interface Tenant {
  id: string;
  name: string;
  settings: Settings;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export interface NewTenant {
  name: string;
  defaultCurrency?: string;
}

export const DEFAULT_CURRENCY = 'EUR';

export const createTenant = (input: NewTenant, id: string, now: Date): Tenant => ({
  id,
  name: input.name,
  settings: defaultSettings(checkCurrency(input.defaultCurrency ?? DEFAULT_CURRENCY, 'defaultCurrency')),
  createdAt: now.toISOString(),
  updatedAt: now.toISOString(),
  version: 1,
});

/** Changes the tenant's settings; each is checked as it would be used. */
export const updateSettings = (tenant: Tenant, patch: Partial<Settings>, now: Date): Tenant => {
  const settings = { ...tenant.settings, ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) };
  checkCurrency(settings.defaultCurrency, 'defaultCurrency');
  checkNumberFormat(settings.invoiceNumberFormat, 'invoiceNumberFormat');
  checkNumberFormat(settings.creditNoteNumberFormat, 'creditNoteNumberFormat');
  if (numberShape(settings.invoiceNumberFormat) === numberShape(settings.creditNoteNumberFormat)) {
    throw new DomainError(
      'invalid',
      'VALIDATION_FAILED',
      'Invoices and credit notes need number formats with different text, or their numbers could meet',
      [{ field: 'creditNoteNumberFormat', code: 'same_as_invoices', message: 'must differ from invoiceNumberFormat' }],
    );
  }
  if (settings.backdatingDays < 0) throw invalidField('backdatingDays', 'too_small', 'must be 0 or more');
  return { ...tenant, settings, updatedAt: now.toISOString(), version: tenant.version + 1 };
};
