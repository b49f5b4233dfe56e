import { canonicalTimeZone } from './dates.js';
import { invalidField } from './errors.js';
import { checkCurrency } from './money.js';
import {
  changedNumberFormats,
  checkNumberFormats,
  noRetiredFormats,
  type Numbering,
  type RetiredFormats,
} from './number-formats.js';
import { checkApprovalTimers, checkNumberFormat, defaultSettings, MAX_BACKDATING_DAYS, type Settings } from './settings.js';

export interface Tenant {
  id: string;
  name: string;
  settings: Settings;
  /** Formats each series numbered with before its current one: a later format must not print their numbers. */
  retiredNumberFormats: RetiredFormats;
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
  retiredNumberFormats: noRetiredFormats(),
  createdAt: now.toISOString(),
  updatedAt: now.toISOString(),
  version: 1,
});

/** The settings a patch gives: its fields over the current ones. */
const patched = (settings: Settings, patch: Partial<Settings>): Settings => ({
  ...settings,
  ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)),
});

/** Whether a patch moves a number format, so that the numbering (`Numbering`) must be read to check it. */
export const changesNumbering = (tenant: Tenant, patch: Partial<Settings>): boolean =>
  changedNumberFormats(tenant.settings, patched(tenant.settings, patch)).length > 0;

/**
 * Changes the tenant's settings; each is checked as it would be used. A change of a number format
 * is checked against what was numbered (`numbering`, required then), so that no later issue meets
 * a number already given.
 */
export const updateSettings = (tenant: Tenant, patch: Partial<Settings>, now: Date, numbering?: Numbering): Tenant => {
  const settings = patched(
    tenant.settings,
    patch.timeZone === undefined ? patch : { ...patch, timeZone: canonicalTimeZone(patch.timeZone) },
  );
  checkCurrency(settings.defaultCurrency, 'defaultCurrency');
  checkApprovalTimers(settings);
  if (settings.wipAccount === settings.costOfSalesAccount) {
    // Each WIP entry would debit and credit one account: WIP would never move in the ledger.
    throw invalidField(
      patch.costOfSalesAccount !== undefined ? 'costOfSalesAccount' : 'wipAccount',
      'same_account',
      'wipAccount and costOfSalesAccount must be different accounts',
    );
  }
  if (settings.backdatingDays < 0 || settings.backdatingDays > MAX_BACKDATING_DAYS) {
    throw invalidField('backdatingDays', 'out_of_range', `must be 0 to ${MAX_BACKDATING_DAYS}`);
  }
  let retiredNumberFormats = tenant.retiredNumberFormats;
  if (changesNumbering(tenant, patch)) {
    checkNumberFormat(settings.invoiceNumberFormat, 'invoiceNumberFormat');
    checkNumberFormat(settings.creditNoteNumberFormat, 'creditNoteNumberFormat');
    if (!numbering) throw new Error('A number format change is checked against the numbering read');
    retiredNumberFormats = checkNumberFormats(tenant.settings, settings, tenant.retiredNumberFormats, numbering);
  }
  return { ...tenant, settings, retiredNumberFormats, updatedAt: now.toISOString(), version: tenant.version + 1 };
};
