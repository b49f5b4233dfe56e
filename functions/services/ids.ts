import { monotonicFactory } from 'ulid';

/** Type prefixes of the ids Tally hands out: `job_01J...`. */
export type IdPrefix =
  'ten' | 'cus' | 'job' | 'chg' | 'mil' | 'inv' | 'pay' | 'exp' | 'evt' | 'apr' | 'co' | 'exd' | 'prf' | 'itm' | 'dsc' | 'tax' | 'est';

// Monotonic: ids made in the same millisecond still sort in the order they were made (event feeds).
const ulid = monotonicFactory();

export const newId = (prefix: IdPrefix): string => `${prefix}_${ulid()}`;
