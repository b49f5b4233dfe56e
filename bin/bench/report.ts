import type { Summary } from './stats.js';

/** A markdown table, its columns padded so that it reads as well in a terminal as rendered. */
export const table = (headers: string[], rows: (string | number)[][], rightAligned: boolean[] = []): string => {
  const cells = [headers, ...rows.map((row) => row.map(String))];
  const widths = headers.map((_, c) => Math.max(3, ...cells.map((row) => row[c]!.length)));
  const line = (row: string[]) =>
    `| ${row.map((cell, c) => (rightAligned[c] ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join(' | ')} |`;
  const rule = `|${widths.map((w, c) => (rightAligned[c] ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`;
  return [line(headers), rule, ...cells.slice(1).map(line)].join('\n');
};

export const ms = (value: number): string => value.toFixed(value < 10 ? 2 : 1);

export const units = (value: number): string => (Number.isInteger(value) ? String(value) : value.toFixed(2));

/** `GetItem 2, TransactWriteItems 1`: requests per operation by command, most frequent first. */
export const byCommand = (counts: Record<string, number>): string =>
  Object.entries(counts)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([name, n]) => `${name} ${units(n)}`)
    .join(', ');

export const latencyCells = (s: Summary): string[] => [String(s.n), ms(s.p50), ms(s.p99), ms(s.mean), ms(s.max)];
