import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { portalUrl } from '../shared/config.js';

/** The secret of a link: 32 random bytes, base64url (43 characters). */
const SECRET_BYTES = 32;

// `<tenant id>.<approval request id>.<secret>`: ids are a prefix and a ULID, the secret base64url.
const TOKEN = /^(ten_[0-9A-HJKMNP-TV-Z]{26})\.(apr_[0-9A-HJKMNP-TV-Z]{26})\.([A-Za-z0-9_-]{43})$/;

const sha256 = (secret: string): Buffer => createHash('sha256').update(secret).digest();

export interface NewLink {
  /** What the link carries: only ever put in the email. */
  token: string;
  /** What is stored of it. */
  secretHash: string;
}

/**
 * A portal token for the approval request: bound to its tenant and request by their ids, made
 * unguessable by a secret of 32 random bytes, of which only the SHA-256 is kept.
 */
export const newLink = (tenantId: string, requestId: string): NewLink => {
  const secret = randomBytes(SECRET_BYTES).toString('base64url');
  return { token: `${tenantId}.${requestId}.${secret}`, secretHash: sha256(secret).toString('hex') };
};

export interface ReadToken {
  tenantId: string;
  requestId: string;
  secret: string;
}

/** The parts of a well-formed token; undefined for anything else (it is then not looked up at all). */
export const readToken = (token: string): ReadToken | undefined => {
  const match = TOKEN.exec(token);
  return match ? { tenantId: match[1]!, requestId: match[2]!, secret: match[3]! } : undefined;
};

/** The secret is the one the request was made with (compared in constant time). */
export const secretMatches = (secret: string, secretHash: string): boolean => {
  const stored = Buffer.from(secretHash, 'hex');
  const given = sha256(secret);
  return stored.length === given.length && timingSafeEqual(stored, given);
};

/** Where the client opens the approval. */
export const approvalLink = (token: string): string => `${portalUrl()}/portal/approvals/${token}`;
