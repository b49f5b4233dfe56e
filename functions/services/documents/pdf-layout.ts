/**
 * Page geometry and drawing helpers for pdfkit documents: A4 in points, the standard Helvetica
 * fonts (built into every PDF reader: nothing is embedded, nothing is read at render time but
 * pdfkit's own font metrics), and a table that repeats its heading on every page it runs over.
 */
export type Doc = PDFKit.PDFDocument;

export const PAGE = { width: 595.28, height: 841.89 };
export const MARGIN = { left: 50, right: 50, top: 50, bottom: 60 };
export const LEFT = MARGIN.left;
export const WIDTH = PAGE.width - MARGIN.left - MARGIN.right;
export const BOTTOM = PAGE.height - MARGIN.bottom;
export const INK = '#1f2933';
export const MUTED = '#616e7c';
export const SHADE = '#f5f7fa';
const RULE = '#cbd2d9';

export const font = (doc: Doc, size: number, bold = false, color = INK): Doc =>
  doc
    .font(bold ? 'Helvetica-Bold' : 'Helvetica')
    .fontSize(size)
    .fillColor(color);

export const rule = (doc: Doc, y: number, { x = LEFT, width = WIDTH, color = RULE, weight = 0.5 } = {}): void => {
  doc
    .moveTo(x, y)
    .lineTo(x + width, y)
    .lineWidth(weight)
    .strokeColor(color)
    .stroke();
};

/** A new page when `height` more points would not fit; returns where to write. */
export const room = (doc: Doc, y: number, height: number): number => {
  if (y + height <= BOTTOM) return y;
  doc.addPage();
  return MARGIN.top;
};

export interface Column {
  label: string;
  width: number;
  align?: 'left' | 'right';
}

export interface TableRow {
  cells: string[];
  muted?: boolean;
}

/** Draws a table from `top` at `x`; cells wrap, rows never split, the heading repeats after a page break. */
export const table = (doc: Doc, columns: Column[], rows: TableRow[], top: number, x = LEFT): number => {
  const width = columns.reduce((sum, c) => sum + c.width, 0);
  // Cells are 6 points apart; the outer ones line up with the table's edges.
  const box = (i: number) => {
    const inset = i === 0 ? 0 : 3;
    return { inset, width: columns[i]!.width - inset - (i === columns.length - 1 ? 0 : 3) };
  };
  const line = (cells: string[], y: number, size: number, bold: boolean, color: string): number => {
    let left = x;
    let bottom = y;
    cells.forEach((text, i) => {
      const { inset, width: cellWidth } = box(i);
      font(doc, size, bold, color).text(text, left + inset, y, { width: cellWidth, align: columns[i]!.align ?? 'left' });
      bottom = Math.max(bottom, doc.y);
      left += columns[i]!.width;
    });
    return bottom;
  };
  const heading = (y: number): number => {
    const bottom =
      line(
        columns.map((c) => c.label.toUpperCase()),
        y,
        7.5,
        true,
        MUTED,
      ) + 3;
    rule(doc, bottom, { x, width, color: '#9aa5b1' });
    return bottom + 5;
  };
  const heightOf = (cells: string[]) =>
    Math.max(...cells.map((text, i) => font(doc, 9).heightOfString(text, { width: box(i).width }))) + 8;
  let y = heading(room(doc, top, 40));
  for (const row of rows) {
    if (y + heightOf(row.cells) > BOTTOM) {
      doc.addPage();
      y = heading(MARGIN.top);
    }
    y = line(row.cells, y, 9, false, row.muted ? MUTED : INK) + 3;
    rule(doc, y, { x, width });
    y += 5;
  }
  return y;
};

// The standard fonts print Windows-1252 (WinAnsi) only: Latin-1 and these.
const WIN_ANSI_EXTRA = new Set('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ');
// Latin letters that Unicode does not decompose into a base letter and a mark.
const LOOKALIKES: Record<string, string> = { Ł: 'L', ł: 'l', Đ: 'D', đ: 'd', Ħ: 'H', ħ: 'h', ı: 'i', Ŀ: 'L', ŀ: 'l', ſ: 's' };

const printable = (char: string): boolean => {
  const code = char.codePointAt(0)!;
  return code === 10 || (code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code <= 0xff) || WIN_ANSI_EXTRA.has(char);
};

/**
 * Text as the standard fonts can print it: characters outside Windows-1252 become their base
 * letter (ź -> z, Ł -> L) or "?" (a CJK name, an emoji), where pdfkit would print other glyphs.
 */
export const winAnsi = (text: string): string =>
  [...text.normalize('NFC')]
    .map((char) => {
      if (printable(char)) return char;
      const base = LOOKALIKES[char] ?? char.normalize('NFKD').replace(/\p{M}/gu, '');
      return base && [...base].every(printable) ? base : '?';
    })
    .join('');

/** Every string of a plain data structure through `winAnsi`. */
export const printableData = <T>(value: T): T =>
  (typeof value === 'string'
    ? winAnsi(value)
    : Array.isArray(value)
      ? value.map(printableData)
      : value && typeof value === 'object'
        ? Object.fromEntries(Object.entries(value).map(([key, v]) => [key, printableData(v)]))
        : value) as T;
