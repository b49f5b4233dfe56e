import { DomainError, invalidField, notFound } from './errors.js';
import { amount, assertPayable, roundMoney, toAmountString } from './money.js';
import { assertModifiable, type Charge, type Job } from './job.js';

export interface ChargeFields {
  description: string;
  group?: string | null;
  quantity: string;
  unitPrice: string;
  taxRate?: string;
}

/**
 * What holds charges (a job, an estimate): the list is in its item, and its order is the billing
 * order that invoices and documents follow.
 */
export interface ChargeOwner {
  charges: Charge[];
  currency: string;
  version: number;
  updatedAt: string;
}

/** What an owner of charges says about them: its name in messages, and its own check that it takes changes now. */
export interface ChargeRules<O extends ChargeOwner> {
  noun: string;
  assertEditable: (owner: O) => void;
}

/** One owner item holds all its charges; this keeps it well under DynamoDB's 400 KB. */
export const MAX_CHARGES = 500;

const priced = (charge: Omit<Charge, 'amount'>, currency: string): Charge => ({
  ...charge,
  amount: toAmountString(
    roundMoney(amount(charge.quantity, 'quantity').times(amount(charge.unitPrice, 'unitPrice')), currency),
    currency,
  ),
});

/** The request fields that make a charge's amount and tax. */
const PRICING_FIELDS = ['quantity', 'unitPrice', 'taxRate'] as const;

/** The owner's next version with these charges, after a change made at `now`. */
const withCharges = <O extends ChargeOwner>(owner: O, charges: Charge[], now: Date): O => ({
  ...owner,
  charges,
  updatedAt: now.toISOString(),
  version: owner.version + 1,
});

export const findCharge = (owner: ChargeOwner, chargeId: string): Charge => {
  const charge = owner.charges.find((c) => c.id === chargeId);
  if (!charge) throw notFound('charge');
  return charge;
};

/**
 * Adding, changing, removing and reordering the charges of one kind of owner, by its rules. One
 * mechanism for jobs and estimates; only the owner's check of whether it takes changes differs.
 */
export const chargeEditing = <O extends ChargeOwner>({ noun, assertEditable }: ChargeRules<O>) => {
  /**
   * The owner's charges, each at its size with its tax, taken as one invoice, stay within the amount
   * bound (else 422 naming `fields`): so does every invoice that bills them within their amounts,
   * the final one included, and one payment can pay it.
   */
  const assertChargesPayable = (owner: O, fields: string[]): O => {
    const sizes = owner.charges.map((c) => ({ net: amount(c.amount).abs(), taxRate: c.taxRate }));
    assertPayable(sizes, owner.currency, `The ${noun}'s charges with tax`, fields);
    return owner;
  };

  const addCharge = (owner: O, input: ChargeFields, id: string, now: Date): O => {
    assertEditable(owner);
    if (owner.charges.length >= MAX_CHARGES) {
      throw new DomainError('rule', 'TOO_MANY_CHARGES', `A ${noun} holds at most ${MAX_CHARGES} charges`);
    }
    const charge = priced(
      {
        id,
        description: input.description,
        group: input.group ?? null,
        quantity: input.quantity,
        unitPrice: input.unitPrice,
        taxRate: input.taxRate ?? '0',
        billedToDate: toAmountString(0, owner.currency),
      },
      owner.currency,
    );
    const fields = PRICING_FIELDS.filter((field) => input[field] !== undefined);
    return assertChargesPayable(withCharges(owner, [...owner.charges, charge], now), fields);
  };

  /** A charge cannot shrink below what its invoices have billed already. */
  const updateCharge = (owner: O, chargeId: string, patch: Partial<ChargeFields>, now: Date): O => {
    assertEditable(owner);
    const current = findCharge(owner, chargeId);
    const given = Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined));
    // Priced again only when its units or unit price change (not when sent back as they are): a split
    // (phases.ts) sets a kept or taken part to its exact share, which its units at its price need not give.
    const changes = (field: 'quantity' | 'unitPrice') =>
      patch[field] !== undefined && !amount(patch[field], field).eq(current[field]);
    const repriced = changes('quantity') || changes('unitPrice');
    const next = repriced ? priced({ ...current, ...given }, owner.currency) : { ...current, ...given };
    if (amount(current.billedToDate).gt(0) && amount(next.amount).lt(current.billedToDate)) {
      throw new DomainError(
        'rule',
        'CHARGE_BELOW_BILLED',
        `The charge has ${current.billedToDate} billed already; its amount cannot go below that`,
      );
    }
    const fields = PRICING_FIELDS.filter((field) => patch[field] !== undefined);
    const charges = owner.charges.map((c) => (c.id === chargeId ? next : c));
    return assertChargesPayable(withCharges(owner, charges, now), fields);
  };

  const removeCharge = (owner: O, chargeId: string, now: Date): O => {
    assertEditable(owner);
    const charge = findCharge(owner, chargeId);
    if (!amount(charge.billedToDate).isZero()) {
      throw new DomainError('rule', 'CHARGE_BILLED', 'A charge that invoices have billed cannot be deleted');
    }
    return withCharges(
      owner,
      owner.charges.filter((c) => c.id !== chargeId),
      now,
    );
  };

  /**
   * The same charge objects (billed to date and all) in the order `ids` gives, which must name every
   * charge of the owner exactly once (else 400 naming `ids`, saying which are unknown, repeated or
   * missing). The order the owner has already answers the owner itself, unchanged.
   */
  const reorderCharges = (owner: O, ids: readonly string[], now: Date): O => {
    assertEditable(owner);
    const byId = new Map(owner.charges.map((c) => [c.id, c]));
    const unknown = ids.filter((id) => !byId.has(id));
    const repeated = ids.filter((id, i) => ids.indexOf(id) !== i);
    const missing = owner.charges.filter((c) => !ids.includes(c.id)).map((c) => c.id);
    const faults = [
      ...(unknown.length ? [`not charges of the ${noun}: ${unknown.join(', ')}`] : []),
      ...(repeated.length ? [`listed more than once: ${[...new Set(repeated)].join(', ')}`] : []),
      ...(missing.length ? [`missing: ${missing.join(', ')}`] : []),
    ];
    if (faults.length) {
      throw invalidField('ids', 'not_the_charges', `must list each of the ${noun}'s charges exactly once (${faults.join('; ')})`);
    }
    if (ids.every((id, i) => owner.charges[i]!.id === id)) return owner;
    return withCharges(
      owner,
      ids.map((id) => byId.get(id)!),
      now,
    );
  };

  return { addCharge, updateCharge, removeCharge, reorderCharges };
};

/** A job's charges: a billed job takes no change (409 `JOB_BILLED`). */
export const { addCharge, updateCharge, removeCharge, reorderCharges } = chargeEditing<Job>({
  noun: 'job',
  assertEditable: assertModifiable,
});
