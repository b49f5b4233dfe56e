import * as z from '../shared/zod.js';
import { AMOUNT_INTEGER_DIGITS, DECIMAL_PATTERN } from '../domain/money.js';
import { DomainError } from '../domain/errors.js';
import { HttpProblem } from '../shared/problems.js';
import { route, type ProblemCodes, type ResponseSpec, type Route } from './route.js';
import { hasControlCharacter } from '../domain/approval.js';

const DIGITS = `at most ${AMOUNT_INTEGER_DIGITS} integer and 10 fraction digits (every amount stays below 10^${AMOUNT_INTEGER_DIGITS}, what one payment can carry)`;

/** How the OpenAPI document describes a decimal string, for fields that say more about theirs. */
export const DECIMAL_DESCRIPTION = `A decimal string: ${DIGITS}`;
export const POSITIVE_DECIMAL_DESCRIPTION = `A decimal string greater than zero: ${DIGITS}`;

/**
 * Amounts and quantities travel as decimal strings, never as JSON numbers. The pattern is the one
 * amount bound (`AMOUNT_INTEGER_DIGITS`), so an input amount past it is 400.
 */
// `abort` stops the refinements that follow from parsing what is not a number.
export const decimalString = z.withMeta(
  z.string().check(
    z.regex(DECIMAL_PATTERN, {
      message: `must be a decimal string of at most ${AMOUNT_INTEGER_DIGITS} integer and 10 fraction digits, such as "1234.50"`,
      abort: true,
    }),
  ),
  { description: DECIMAL_DESCRIPTION, examples: ['1234.50'] },
);

// A pattern rather than a refinement, so that the OpenAPI document says it too: no sign, a digit other than 0.
export const positiveDecimalString = z.withMeta(
  decimalString.check(z.regex(/^(?:\d*[1-9]\d*(?:\.\d+)?|\d*\.\d*[1-9]\d*)$/, 'must be greater than zero')),
  { description: POSITIVE_DECIMAL_DESCRIPTION },
);

/**
 * Percent strings ("20" means 20%) from 0 to `max`, a power of ten, with up to 6 decimals. The
 * pattern itself holds the bound, so that the OpenAPI document says it.
 */
const percentUpTo = (max: 100 | 1000) => {
  const digits = String(max).length - 1;
  return z.withMeta(
    z
      .string()
      .check(
        z.regex(
          new RegExp(`^(${max}(\\.0{1,6})?|\\d{1,${digits}}(\\.\\d{1,6})?)$`),
          `must be a percent string from 0 to ${max}, such as "20" or "7.5"`,
        ),
      ),
    { description: `A percent string ("20" means 20%), 0 to ${max}, up to 6 decimals`, examples: ['20'] },
  );
};

/** Rates and percents are percent strings: "20" means 20%. */
export const percentString = percentUpTo(100);

/** How far work is done: past 100% only bills past the price, which the domain allows with `allowOverbilling`. */
export const progressPercent = percentUpTo(1000);

export const currencyCode = z.string().check(z.regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as "EUR"'));

/** Text a person writes (a name, a note): trimmed, not empty, at most `max` characters. */
export const text = (max: number) => z.string().check(z.trim(), z.minLength(1), z.maxLength(max));

/**
 * Text of several lines a person writes to another (a note, a comment, a reason): tab and line
 * breaks, but no other control character (NUL, ESC, DEL, C1), as the portal's form takes it.
 */
const written = z.refine<string>(
  (value) => !hasControlCharacter(value),
  'must hold no control character but tab and line breaks',
);

/** A note: trimmed, 1 to `max` characters, written text. */
export const note = (max: number) => z.string().check(z.trim(), z.minLength(1), z.maxLength(max), written);

/**
 * What a decision must say (a rejection's comment, a decline's reason): written text of up to `max`
 * characters; one missing or blank is the domain's to refuse, by the code of its rule
 * (`COMMENT_REQUIRED`, `REASON_REQUIRED`), as the portal's form is refused.
 */
export const requiredSaying = (max: number) => z.optional(z.string().check(z.maxLength(max), written));

/** An id in a path or a filter; an empty filter is refused rather than read as no filter. */
export const resourceId = z.string().check(z.minLength(1), z.maxLength(64));

export const idParams = z.object({ id: resourceId });

/** Stripe's `Idempotency-Key`, which every POST takes. */
export const idempotencyKey = z.string().check(z.regex(/^[\x21-\x7e]{1,255}$/, 'must be 1 to 255 visible ASCII characters'));

export const pageQuery = z.object({
  limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(100)), 20),
  cursor: z.optional(z.string().check(z.minLength(1), z.maxLength(2048))),
});

/** A calendar day, `2026-03-31`. */
export const isoDate = z.iso.date();

/** A refinement: exactly one of `fields` is given; the issue names the first. */
export const exactlyOne =
  (...fields: string[]) =>
  (value: Record<string, unknown>, context: z.core.$RefinementCtx) => {
    if (fields.filter((f) => value[f] !== undefined).length !== 1) {
      context.addIssue({ code: 'custom', path: [fields[0]!], message: `give exactly one of ${fields.join(', ')}` });
    }
  };

/** A date range must not end before it starts (ISO dates sort as strings); the issue names `to`. */
export const rangeInOrder = (
  { from, to }: { from?: string | undefined; to?: string | undefined },
  context: z.core.$RefinementCtx,
): void => {
  if (from !== undefined && to !== undefined && to < from) {
    context.addIssue({ code: 'custom', path: ['to'], message: 'must not be before from' });
  }
};

export const pageOf = <T extends z.ZodMiniType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.nullable(z.string()) });

export const atLeastOneField = (value: object): boolean => Object.values(value).some((v) => v !== undefined);

/** An ETag as If-Match gives it back: `"3"`, `W/"3"` or `3`; or `*`, any version (RFC 9110). */
export const ETAG_PATTERN = /^(?:\*|(?:W[/])?"?(\d+)"?)$/;

/** The version an `If-Match` header asks for (`"3"` or `3`), if any: `*` asks for none, a weak `W/"3"` matches none (412). */
export const ifMatchVersion = (headers: Record<string, string | undefined>): number | undefined => {
  const header = headers['if-match'];
  if (header === undefined) return undefined;
  const match = ETAG_PATTERN.exec(header.trim());
  const version = match?.[1];
  if (match && version === undefined) return undefined;
  // If-Match compares strongly (RFC 9110, 13.1.1): a weak ETag matches no version.
  if (version && header.trim().startsWith('W/')) {
    throw new DomainError('precondition', 'PRECONDITION_FAILED', 'A weak ETag never matches If-Match; send the ETag as given');
  }
  if (!version) {
    throw new HttpProblem(400, 'VALIDATION_FAILED', 'If-Match must be the ETag of the resource', [
      { field: 'If-Match', code: 'invalid_format', message: 'must be an ETag such as "3"' },
    ]);
  }
  return Number(version);
};

/** The ETag of a versioned resource, so that a client can send it back in If-Match. */
export const etag = (resource: { version: number }): Record<string, string> => ({ etag: `"${resource.version}"` });

/**
 * `POST <resource>/{id}/<action>`: one state change of a versioned resource, `If-Match` optional,
 * answered with the resource as `view` shows it.
 */
export const actionRoute = <T extends { version: number }>(spec: {
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  errors?: ProblemCodes;
  response: ResponseSpec;
  run: (tenantId: string, id: string, expectedVersion?: number) => Promise<T>;
  view?: (resource: T) => unknown;
}): Route =>
  route<z.infer<typeof idParams>>({
    method: 'POST',
    path: spec.path,
    operationId: spec.operationId,
    summary: spec.summary,
    description: spec.description,
    ifMatch: true,
    errors: spec.errors,
    params: idParams,
    responses: { 200: spec.response },
    handle: async ({ tenantId, params, headers, expectedVersion }) => {
      const resource = await spec.run(tenantId, params.id, expectedVersion);
      return { status: 200, body: spec.view ? spec.view(resource) : resource, headers: etag(resource) };
    },
  });
