import { stringify } from 'csv-stringify/sync';
import Negotiator from 'negotiator';
import type { Reply } from './route.js';

/** The representation the client's `Accept` prefers among `offered`, the first one offered by default. */
export const preferredType = <T extends string>(headers: Record<string, string | undefined>, offered: readonly [T, ...T[]]): T =>
  (new Negotiator({ headers: { accept: headers.accept ?? '*/*' } }).mediaType([...offered]) as T | undefined) ?? offered[0];

/** True when the client prefers CSV to JSON (`Accept: text/csv`); JSON is the default. */
export const acceptsCsv = (headers: Record<string, string | undefined>): boolean =>
  preferredType(headers, ['application/json', 'text/csv']) === 'text/csv';

/**
 * A CSV reply (RFC 4180): a header row, then one row per record, CRLF line ends. csv-stringify
 * quotes what holds the delimiter, a quote or the record delimiter; `quoted_match` adds fields with
 * a bare CR or LF, which RFC 4180 also wants quoted.
 */
export const csvReply = <C extends string>(
  status: number,
  columns: readonly C[],
  records: Partial<Record<C, string>>[],
): Reply => ({
  status,
  headers: { 'content-type': 'text/csv; charset=utf-8' },
  body: stringify(records, { header: true, columns: [...columns], record_delimiter: 'windows', quoted_match: /[\r\n]/ }),
});
