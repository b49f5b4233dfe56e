import { ulid } from 'ulid';

/** Type prefixes of the ids Tally hands out: `job_01J...`. */
export type IdPrefix = 'ten' | 'cus' | 'job' | 'chg' | 'inv' | 'pay' | 'exp';

export const newId = (prefix: IdPrefix): string => `${prefix}_${ulid()}`;
