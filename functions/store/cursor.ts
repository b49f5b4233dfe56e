import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { cursorSecret } from '../shared/config.js';

const IV_BYTES = 12;
const TAG_BYTES = 16;

let key: Buffer | undefined;

// A key for cursors alone, derived from the configured secret whatever its length.
const sealingKey = (): Buffer => (key ??= Buffer.from(hkdfSync('sha256', cursorSecret(), '', 'tally list cursor', 32)));

/**
 * `value` sealed for one listing (`context`) with AES-256-GCM under a fresh IV: the cursor reads as
 * random bytes, and no one without the key can make one, alter one or move one to another listing.
 */
export const sealCursor = (value: unknown, context: string): string => {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', sealingKey(), iv, { authTagLength: TAG_BYTES }).setAAD(Buffer.from(context));
  const sealed = Buffer.concat([iv, cipher.update(JSON.stringify(value), 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return sealed.toString('base64url');
};

/** What `sealCursor` sealed for this very context; undefined for any other string. */
export const openCursor = (cursor: string, context: string): unknown => {
  const sealed = Buffer.from(cursor, 'base64url');
  // Base64url decoding skips what it cannot read: only the exact spelling of the bytes is the cursor.
  if (sealed.toString('base64url') !== cursor || sealed.length <= IV_BYTES + TAG_BYTES) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', sealingKey(), sealed.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES })
      .setAAD(Buffer.from(context))
      .setAuthTag(sealed.subarray(-TAG_BYTES));
    const plain = Buffer.concat([decipher.update(sealed.subarray(IV_BYTES, -TAG_BYTES)), decipher.final()]);
    return JSON.parse(plain.toString('utf8'));
  } catch {
    return undefined;
  }
};
