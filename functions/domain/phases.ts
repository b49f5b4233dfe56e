import { MAX_CHARGES } from './charge.js';
import { DomainError, invalidField, unknownReference } from './errors.js';
import {
  assertDeletable,
  assertModifiable,
  createJob,
  masterJobIdOf,
  phaseJobIdsOf,
  remainingToBill,
  touched,
  type Charge,
  type Job,
} from './job.js';
import { amount, assertMinorUnits, roundMoney, toAmountString, type Amount } from './money.js';

/**
 * Master and phase jobs (seed 000, option 2): a phase job takes all or part of some of its master's
 * charges and is then an ordinary job (its own status, invoices, payments). The master keeps the
 * rest, and its billing rolls its phases up (job.ts `masterBilling`).
 */

/** A master's phases are read with it (one BatchGet) and checked in one transaction with it (one action each). */
export const MAX_PHASES = 50;

/** What a phase takes of one master charge: all of what is unbilled (neither given), `quantity` units, or `amount`. */
export interface PhaseTake {
  chargeId: string;
  quantity?: string;
  amount?: string;
}

export interface PhaseFields {
  name: string;
  charges: PhaseTake[];
}

/** The ids a phase is made with, drawn once, so that a creation retried after a lost race makes the same phase. */
export interface PhaseIds {
  phaseId: string;
  /** One per take, in the order of the takes. */
  chargeIds: string[];
}

const exceeds = (field: string, message: string): DomainError =>
  new DomainError('rule', 'PHASE_EXCEEDS_CHARGE', message, [{ field, code: 'exceeds_charge', message }]);

/** A job takes a phase while it is open, prices by charges and is no phase itself. */
const assertCanTakePhase = (master: Job): void => {
  if (masterJobIdOf(master) !== null) {
    throw new DomainError('conflict', 'PHASE_OF_PHASE', 'The job is a phase of another job; a phase has no phases of its own');
  }
  if (master.status !== 'open') {
    throw new DomainError('conflict', 'JOB_NOT_OPEN', `Only an open job takes a new phase; this one is ${master.status}`);
  }
  if (master.billingType === 'milestone') {
    throw new DomainError(
      'conflict',
      'PHASES_NEED_CHARGES',
      'A milestone job bills its milestones, not charges; phases are split from charges',
    );
  }
  if (phaseJobIdsOf(master).length >= MAX_PHASES) {
    throw new DomainError('conflict', 'TOO_MANY_PHASES', `A master job has at most ${MAX_PHASES} phases`);
  }
};

/** The master's charge after a take, and the phase's (without its id). */
interface Split {
  /** Null when the charge leaves the master whole. */
  kept: Charge | null;
  taken: Omit<Charge, 'id'>;
}

/**
 * One take as the master's charge and the phase's. What is unbilled is what can go: units at the
 * charge's unit price, or an amount; an amount (or the unbilled rest of a partly billed charge) makes
 * both charges one unit at their amounts, since no unit count prices them exactly. Exact: kept +
 * taken = the charge's amount, to the cent.
 */
const split = (charge: Charge, take: PhaseTake, field: string, currency: string): Split => {
  const zero = toAmountString(0, currency);
  const unbilled = amount(charge.amount).minus(charge.billedToDate);
  const unbilledWords = `${toAmountString(unbilled, currency)} of the charge is unbilled`;
  const fresh = { ...charge, billedToDate: zero, fromChargeId: charge.id };
  const asOneUnit = (value: Amount) => ({
    quantity: '1',
    unitPrice: toAmountString(value, currency),
    amount: toAmountString(value, currency),
  });
  const byAmount = (taken: Amount): Split => ({
    kept: { ...charge, ...asOneUnit(amount(charge.amount).minus(taken)) },
    taken: { ...fresh, ...asOneUnit(taken) },
  });
  if (take.quantity !== undefined && take.amount !== undefined) {
    throw invalidField(field, 'one_of', 'give quantity or amount, not both');
  }
  const whole = (): Split => {
    const left = unbilled.isZero()
      ? amount(charge.amount).isZero()
      : unbilled.isNegative() === amount(charge.amount).isNegative();
    if (!left) throw exceeds(`${field}.chargeId`, 'The charge is billed in full: nothing is left to take');
    return amount(charge.billedToDate).isZero() ? { kept: null, taken: fresh } : byAmount(unbilled);
  };
  if (take.quantity !== undefined) {
    const quantity = amount(take.quantity, `${field}.quantity`);
    if (!quantity.gt(0)) throw invalidField(`${field}.quantity`, 'not_positive', 'must be more than 0');
    if (quantity.gt(charge.quantity))
      throw exceeds(`${field}.quantity`, `The charge has ${charge.quantity} units; the phase cannot take ${take.quantity}`);
    // All its units are all of it: the exact rest a split left, which its units at the unit price need not give.
    if (quantity.eq(charge.quantity) && amount(charge.billedToDate).isZero()) return whole();
    const taken = roundMoney(quantity.times(charge.unitPrice), currency);
    if (taken.isZero() && !amount(charge.unitPrice).isZero()) {
      throw invalidField(
        `${field}.quantity`,
        'not_positive',
        `${take.quantity} units come to ${zero}: the phase would take nothing`,
      );
    }
    if (taken.abs().gt(unbilled.abs()) || (!taken.isZero() && taken.isNegative() !== unbilled.isNegative())) {
      throw exceeds(
        `${field}.quantity`,
        `${take.quantity} units come to ${toAmountString(taken, currency)}, but ${unbilledWords}`,
      );
    }
    return {
      kept: {
        ...charge,
        quantity: amount(charge.quantity).minus(quantity).toFixed(),
        amount: toAmountString(amount(charge.amount).minus(taken), currency),
      },
      taken: { ...fresh, quantity: quantity.toFixed(), amount: toAmountString(taken, currency) },
    };
  }
  if (take.amount !== undefined) {
    const taken = assertMinorUnits(take.amount, currency, `${field}.amount`);
    if (!taken.gt(0)) throw invalidField(`${field}.amount`, 'not_positive', 'must be more than 0');
    if (taken.gt(unbilled)) throw exceeds(`${field}.amount`, `The phase cannot take ${take.amount}: ${unbilledWords}`);
    if (taken.eq(charge.amount)) return whole();
    return byAmount(taken);
  }
  return whole();
};

/**
 * Splits a phase job off the master: each take moves all or part of one master charge into the
 * phase (the master keeps the rest, a charge taken whole leaves it). The phase bills the master's
 * customer in its currency, with its billing type and retainage. Refused: a master that is a phase
 * (409 PHASE_OF_PHASE), not open (409 JOB_NOT_OPEN), of milestones (409 PHASES_NEED_CHARGES) or with
 * 50 phases (409 TOO_MANY_PHASES); a take past what is unbilled (422 PHASE_EXCEEDS_CHARGE naming
 * `charges.N.quantity|amount`); a split that would leave the master billed past its price (its
 * deposits, say: 422 PHASE_EXCEEDS_REMAINING).
 */
export const createPhase = (master: Job, input: PhaseFields, ids: PhaseIds, now: Date): { master: Job; phase: Job } => {
  assertCanTakePhase(master);
  if (!input.charges.length) throw invalidField('charges', 'required', 'take at least one charge');
  const kept = new Map(master.charges.map((c) => [c.id, c as Charge | null]));
  const taken = input.charges.map((take, i): Charge => {
    const field = `charges.${i}`;
    if (input.charges.findIndex((t) => t.chargeId === take.chargeId) !== i) {
      throw invalidField(`${field}.chargeId`, 'duplicate', 'takes from a charge an earlier entry names; take it once');
    }
    const charge = kept.get(take.chargeId);
    if (!charge) throw unknownReference('charge', `${field}.chargeId`);
    const parts = split(charge, take, field, master.currency);
    kept.set(charge.id, parts.kept);
    return { ...parts.taken, id: ids.chargeIds[i]! };
  });
  const next = touched(master, now, {
    charges: master.charges.flatMap((c) => kept.get(c.id) ?? []),
    phaseJobIds: [...phaseJobIdsOf(master), ids.phaseId],
  });
  if (remainingToBill(next).isNegative()) {
    const past = toAmountString(remainingToBill(next).negated(), master.currency);
    const message = `The master has billed more than the charges it would keep: ${past} past its price (its deposits, say); take less`;
    throw new DomainError('rule', 'PHASE_EXCEEDS_REMAINING', message, [{ field: 'charges', code: 'exceeds_remaining', message }]);
  }
  const fields = { customerId: master.customerId, name: input.name, billingType: master.billingType, currency: master.currency };
  const phase: Job = {
    ...createJob({ ...fields, retainagePercent: master.retainagePercent }, ids.phaseId, now),
    masterJobId: master.id,
    phaseJobIds: [],
    charges: taken,
  };
  return { master: next, phase };
};

/** A master charge and what a phase gives back of it: the units add up at the same unit price, else one unit of the sum. */
const merged = (charge: Charge, back: Charge, currency: string): Charge => {
  const sum = toAmountString(amount(charge.amount).plus(back.amount), currency);
  return amount(charge.unitPrice).eq(back.unitPrice)
    ? { ...charge, quantity: amount(charge.quantity).plus(back.quantity).toFixed(), amount: sum }
    : { ...charge, quantity: '1', unitPrice: sum, amount: sum };
};

/**
 * The master once the phase (without invoices) is deleted: each phase charge goes back into the
 * master charge it came from, or back to the end of the master's charges when that one left whole
 * (or was added on the phase). A billed master takes nothing back (409 JOB_BILLED).
 */
export const givePhaseBack = (master: Job, phase: Job, now: Date): Job => {
  assertDeletable(phase);
  assertModifiable(master);
  let charges = master.charges;
  for (const { fromChargeId, ...back } of phase.charges) {
    const target = charges.find((c) => c.id === fromChargeId);
    charges = target
      ? charges.map((c) => (c === target ? merged(c, back as Charge, master.currency) : c))
      : [...charges, { ...back, id: fromChargeId ?? back.id, billedToDate: toAmountString(0, master.currency) }];
  }
  if (charges.length > MAX_CHARGES) {
    throw new DomainError(
      'rule',
      'TOO_MANY_CHARGES',
      `The master would hold more than ${MAX_CHARGES} charges; remove some first`,
    );
  }
  return touched(master, now, { charges, phaseJobIds: phaseJobIdsOf(master).filter((id) => id !== phase.id) });
};

/** A phase reopens under an open master only (409 MASTER_NOT_OPEN): a closed master has no open phase. */
export const assertMasterOpen = (master: Job): void => {
  if (master.status !== 'open') {
    throw new DomainError('conflict', 'MASTER_NOT_OPEN', `The master job is ${master.status}; reopen it first`);
  }
};

/** `"Tiling" (job_01J...)`, `...`: phases as a refusal names them, by the name people know and the id to act on. */
const named = (phases: Job[]): string => phases.map((p) => `${JSON.stringify(p.name)} (${p.id})`).join(', ');

/** A master is closed once every phase is: 409 PHASES_OPEN naming those still open. */
export const assertPhasesClosed = (phases: Job[]): void => {
  const open = phases.filter((p) => p.status === 'open');
  if (open.length) {
    throw new DomainError('conflict', 'PHASES_OPEN', `Close the master's phases first; still open: ${named(open)}`);
  }
};

/**
 * A master goes with its phases, so only when none has invoices (409 PHASES_HAVE_INVOICES naming
 * them) and each could go by itself (its expenditures deleted).
 */
export const assertMasterDeletable = (master: Job, phases: Job[]): void => {
  assertDeletable(master);
  const invoiced = phases.filter((p) => p.invoiceCount > 0);
  if (invoiced.length) {
    throw new DomainError('conflict', 'PHASES_HAVE_INVOICES', `The master's phases have invoices: ${named(invoiced)}`);
  }
  phases.forEach(assertDeletable);
};
