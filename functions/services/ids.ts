import { createHash } from 'node:crypto';
import { monotonicFactory, uuidToULID } from 'ulid';

/** Type prefixes of the ids Tally hands out: `job_01J...`. */
export type IdPrefix =
  | 'ten'
  | 'cus'
  | 'job'
  | 'chg'
  | 'mil'
  | 'inv'
  | 'pay'
  | 'exp'
  | 'evt'
  | 'apr'
  | 'co'
  | 'exd'
  | 'prf'
  | 'itm'
  | 'dsc'
  | 'tax'
  | 'est';

// Monotonic: ids made in the same millisecond still sort in the order they were made (event feeds).
const ulid = monotonicFactory();

export const newId = (prefix: IdPrefix): string => `${prefix}_${ulid()}`;

/**
 * The id of what `seed` names, the same every time (a retry finds what its first try began), and
 * shaped as every other id: the prefix and a ULID, here the seed's SHA-256 (its first 128 bits).
 * Its time part is no time: such ids do not sort by when they were made.
 */
export const derivedId = (prefix: IdPrefix, seed: string): string => {
  const hex = createHash('sha256').update(seed).digest('hex');
  const uuid = [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20, 32)].join('-');
  return `${prefix}_${uuidToULID(uuid)}`;
};
