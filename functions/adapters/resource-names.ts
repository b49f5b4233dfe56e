import { createHash } from 'node:crypto';

const HASH_LENGTH = 16;

/** What an AWS service takes as the name of a resource made at run time (an execution, a schedule). */
export interface NameRule {
  /** Whether the name is valid as it is. */
  isValid(name: string): boolean;
  /**
   * The name of a business key, the same for the same key. A key that is already a valid name is its
   * own name; any other keeps a readable prefix (other characters as `_`) and ends with 16 hex digits
   * of the whole key's SHA-256, so two keys never share a name however they are cut or rewritten.
   */
  fromKey(businessKey: string): string;
}

/**
 * The rule of names (`what`: "an execution name") of at most `maxLength` of `characters` (the body of a regular expression
 * character class, which must take `_` and `-`: what other characters become, and the hash's separator).
 */
export const nameRule = (what: string, maxLength: number, characters: string): NameRule => {
  const valid = new RegExp(`^[${characters}]{1,${maxLength}}$`);
  const other = new RegExp(`[^${characters}]`, 'g');
  if (!valid.test('_-')) throw new Error(`the characters of ${what} must take _ and -`);
  return {
    isValid: (name) => valid.test(name),
    fromKey: (businessKey) => {
      if (!businessKey) throw new Error(`${what} needs a business key`);
      if (valid.test(businessKey)) return businessKey;
      const hash = createHash('sha256').update(businessKey).digest('hex').slice(0, HASH_LENGTH);
      return `${businessKey.replace(other, '_').slice(0, maxLength - HASH_LENGTH - 1)}-${hash}`;
    },
  };
};
