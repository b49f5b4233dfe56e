import { stringify } from 'csv-stringify/sync';
import Negotiator from 'negotiator';
import * as z from '../shared/zod.js';
import { HttpProblem } from '../shared/problems.js';
import type { Reply, ResponseSpec, Route } from './route.js';

type Headers = Record<string, string | undefined>;

/** A response's representations by media type: its `content` where there is more than JSON, else its JSON `schema`. */
export const representations = (spec: ResponseSpec): Record<string, z.ZodMiniType> =>
  spec.content ?? (spec.schema ? { 'application/json': spec.schema } : {});

// No Accept (or an empty one) accepts anything (RFC 9110, 12.5.1), as `*/*` does: the first offered,
// as Negotiator would answer, without parsing the header.
const negotiate = (headers: Headers, offered: string[]): string | undefined => {
  const accept = headers.accept;
  if (!accept || accept === '*/*') return offered[0];
  return new Negotiator({ headers: { accept } }).mediaType(offered);
};

/** The representation the client's `Accept` prefers among `offered`, the first one offered by default. */
export const preferredType = <T extends string>(headers: Headers, offered: readonly [T, ...T[]]): T =>
  (negotiate(headers, [...offered]) as T | undefined) ?? offered[0];

/** A rendered document (HTML, PDF) as the answer: shown inline under its file name; it varies with Accept. */
export const documentReply = (document: { contentType: string; body: string | Buffer; filename: string }): Reply => ({
  status: 200,
  body: document.body,
  headers: {
    'content-type': document.contentType,
    'content-disposition': `inline; filename="${document.filename}"`,
    vary: 'accept',
  },
});

/** The media types a route answers in, over all its responses. */
export const offeredTypes = (r: Route): string[] => [
  ...new Set(Object.values(r.responses).flatMap((spec) => Object.keys(representations(spec)))),
];

/**
 * Refuses with 406 an `Accept` that none of the `offered` representations meets. A route without a
 * body (204) has nothing to refuse; problems themselves are always JSON.
 */
export const assertAcceptable = (offered: string[], headers: Headers): void => {
  if (offered.length === 0 || negotiate(headers, offered)) return;
  const available = offered.join(', ');
  throw new HttpProblem(406, 'NOT_ACCEPTABLE', `This resource is available as ${available}`, [
    { field: 'Accept', code: 'not_acceptable', message: `must accept one of ${available}` },
  ]);
};

const REPORT_TYPES = ['application/json', 'text/csv'] as const;

/** A report's representations: JSON, or CSV with `Accept: text/csv`. */
export const jsonOrCsv = (schema: z.ZodMiniType): Record<(typeof REPORT_TYPES)[number], z.ZodMiniType> => ({
  'application/json': schema,
  'text/csv': z.withMeta(z.string(), { description: 'RFC 4180: a header row, then one row per record' }),
});

/** True when the client prefers CSV to JSON (`Accept: text/csv`); JSON is the default. */
export const acceptsCsv = (headers: Headers): boolean => preferredType(headers, REPORT_TYPES) === 'text/csv';

/**
 * A CSV reply (RFC 4180): a header row, then one row per record, CRLF line ends. csv-stringify
 * quotes what holds the delimiter, a quote or the record delimiter; `quoted_match` adds fields with
 * a bare CR or LF, which RFC 4180 also wants quoted. Text that a spreadsheet would run is made text.
 */
/** A cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab or CR first), unless it is a number such as `-12.50`. */
const FORMULA = /^[=+\-@\t\r]/;
const NUMBER = /^[+-]?\d+(\.\d+)?$/;

// OWASP's CSV injection guard: such a cell is written after a `'`, which makes it text.
const formulaSafe = (value: string): string => (FORMULA.test(value) && !NUMBER.test(value) ? `'${value}` : value);

export const csvReply = <C extends string>(
  status: number,
  columns: readonly C[],
  records: Partial<Record<C, string>>[],
): Reply => ({
  status,
  headers: { 'content-type': 'text/csv; charset=utf-8' },
  body: stringify(records, {
    header: true,
    columns: [...columns],
    record_delimiter: 'windows',
    quoted_match: /[\r\n]/,
    cast: { string: formulaSafe },
  }),
});
