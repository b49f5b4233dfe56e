import {
  addressLines,
  invoiceDocument,
  money,
  percent,
  showsGroups,
  type DocumentView,
  type InvoiceView,
} from './invoice-view.js';
import {
  BOTTOM,
  font,
  INK,
  LEFT,
  MARGIN,
  MUTED,
  PAGE,
  printableData,
  room,
  rule,
  SHADE,
  table,
  WIDTH,
  type Column,
  type Doc,
} from './pdf-layout.js';

const HALF = WIDTH / 2 - 12;

const header = (doc: Doc, view: DocumentView): number => {
  font(doc, 16, true).text(view.seller.name, LEFT, MARGIN.top, { width: WIDTH / 2 });
  font(doc, 9, false, MUTED).text(`${view.source.label}: ${view.source.name}`, { width: WIDTH / 2 });
  const left = doc.y;
  font(doc, 20, true).text(view.title, LEFT + WIDTH / 2, MARGIN.top, { width: WIDTH / 2, align: 'right' });
  font(doc, 12, true).text(view.reference, { width: WIDTH / 2, align: 'right' });
  const y = Math.max(left, doc.y) + 8;
  rule(doc, y, { color: INK, weight: 1.5 });
  return y + 16;
};

const parties = (doc: Doc, view: DocumentView, top: number): number => {
  const options = { width: HALF, lineGap: 2.5 };
  const to = view.party;
  font(doc, 8, true, MUTED).text(to.heading.toUpperCase(), LEFT, top, options);
  font(doc, 10, true).text(to.name, LEFT, doc.y + 3, options);
  font(doc, 10);
  for (const line of [...addressLines(to.address), to.email, to.taxId && `Tax ID: ${to.taxId}`])
    if (line) doc.text(line, options);
  const left = doc.y;

  const x = LEFT + WIDTH - HALF;
  font(doc, 8, true, MUTED).text('DETAILS', x, top, options);
  let y = doc.y + 3;
  for (const [label, value] of view.details) {
    font(doc, 10, false, MUTED).text(label, x, y, { width: 70, lineGap: 2.5 });
    font(doc, 10).text(value, x + 74, y, { width: HALF - 74, lineGap: 2.5 });
    y = doc.y;
  }
  return Math.max(left, y) + 16;
};

/** The summary (an invoice's job summary): six figures in a shaded box, three a row, and what they mean. */
const summary = (doc: Doc, view: DocumentView, top: number): number => {
  if (!view.summary) return top;
  const cell = (WIDTH - 24) / 3;
  const { note } = view.summary;
  const height = 2 * 28 + font(doc, 7).heightOfString(note, { width: WIDTH - 24 }) + 38;
  const y = room(doc, top, height);
  doc.rect(LEFT, y, WIDTH, height).fill(SHADE);
  font(doc, 8, true, MUTED).text(view.summary.heading.toUpperCase(), LEFT + 12, y + 10);
  view.summary.rows.forEach(([label, value], i) => {
    const x = LEFT + 12 + (i % 3) * cell;
    const cy = y + 28 + Math.floor(i / 3) * 28;
    font(doc, 8, false, MUTED).text(label, x, cy, { width: cell - 8 });
    font(doc, 10, true).text(value, x, cy + 10, { width: cell - 8, lineBreak: false });
  });
  font(doc, 7, false, MUTED).text(note, LEFT + 12, y + 28 + 2 * 28, { width: WIDTH - 24 });
  return y + height + 16;
};

const lines = (doc: Doc, view: DocumentView, top: number): number => {
  const grouped = showsGroups(view);
  const columns: Column[] = [
    { label: 'Description', width: grouped ? 155 : 230 },
    ...(grouped ? [{ label: 'Group', width: 75 }] : []),
    { label: 'Quantity', width: 50, align: 'right' },
    { label: 'Unit price', width: 80, align: 'right' },
    { label: 'Tax', width: 40, align: 'right' },
    { label: 'Amount', width: 95, align: 'right' },
  ];
  const rows = view.lines.map((line) => ({
    cells: [
      line.description,
      ...(grouped ? [line.group ?? ''] : []),
      line.quantity,
      money(line.unitPrice, view.currency),
      percent(line.taxRate),
      money(line.amount, view.currency),
    ],
    muted: line.muted,
  }));
  return table(doc, columns, rows, top) + 10;
};

/** Taxes per rate on the left, totals and what is due on the right. */
const bottom = (doc: Doc, view: DocumentView, top: number): number => {
  const { totals } = view;
  const y = room(doc, top, Math.max(totals.length * 18, view.taxes.length * 20 + 40) + 10);
  font(doc, 8, true, MUTED).text('TAX', LEFT, y);
  const taxColumns: Column[] = [
    { label: 'Rate', width: 50 },
    { label: 'Base', width: 95, align: 'right' },
    { label: 'Tax', width: 95, align: 'right' },
  ];
  const taxRows = view.taxes.map((t) => ({
    cells: [percent(t.rate), money(t.base, view.currency), money(t.amount, view.currency)],
  }));
  const taxEnd = table(doc, taxColumns, taxRows, doc.y + 4);
  const x = LEFT + WIDTH - HALF;
  let ry = y;
  for (const [label, value] of totals) {
    const strong = label === 'Total' || label === 'Balance due';
    if (label === 'Balance due') doc.rect(x, ry - 4, HALF, 19).fill(SHADE);
    if (label === 'Total') rule(doc, ry - 4, { x, width: HALF, color: INK, weight: 0.8 });
    font(doc, strong ? 10.5 : 10, strong).text(label, x + 4, ry, { width: HALF / 2 });
    font(doc, strong ? 10.5 : 10, strong).text(value, x + HALF / 2, ry, { width: HALF / 2 - 4, align: 'right' });
    ry += 19;
  }
  return Math.max(taxEnd, ry) + 16;
};

const notes = (doc: Doc, text: string, top: number): void => {
  // Short notes stay in one piece; long ones start here and flow on.
  const height = 14 + font(doc, 10).heightOfString(text, { width: WIDTH });
  const y = room(doc, top, Math.min(height, 120)); // before choosing the font: a new page resets it
  font(doc, 8, true, MUTED).text('NOTES', LEFT, y);
  font(doc, 10).text(text, LEFT, doc.y + 2, { width: WIDTH });
};

/** The stamp and the page footer, on every page once the content is laid out. */
const finish = (doc: Doc, view: DocumentView): void => {
  const { start, count } = doc.bufferedPageRange();
  const mark = view.stamp;
  for (let i = start; i < start + count; i += 1) {
    doc.switchToPage(i);
    doc.page.margins.bottom = 0; // writing below the bottom margin would start a new page
    if (mark) {
      doc.save().rotate(-24, { origin: [PAGE.width / 2, PAGE.height / 2] });
      font(doc, 110, true, '#c81e1e')
        .fillOpacity(0.1)
        .text(mark, 0, PAGE.height / 2 - 55, { width: PAGE.width, align: 'center' });
      doc.restore();
    }
    const footer = `${view.seller.name} · ${view.title} ${view.reference} · Page ${i - start + 1} of ${count}`;
    font(doc, 7.5, false, MUTED).text(footer, LEFT, BOTTOM + 24, { width: WIDTH, align: 'center', lineBreak: false });
  }
};

/**
 * A document (an invoice, an estimate) as an A4 PDF, its text in Windows-1252 (see `winAnsi`). The same document renders the same
 * bytes: the creation date (which also seeds the file ID) is the document's (`datedAt`), not the clock's.
 */
export const renderDocumentPdf = async (given: DocumentView): Promise<Buffer> => {
  // Loaded on the first render, not at import: pdfkit is installed beside the bundle of the functions
  // that render documents only (lib/constructs/bundling.ts), and costs the others nothing.
  const { default: PDFDocument } = await import('pdfkit');
  const view = printableData(given);
  const doc = new PDFDocument({
    size: 'A4',
    margins: MARGIN,
    bufferPages: true,
    lang: 'en',
    displayTitle: true,
    info: {
      Title: `${view.title} ${view.reference}`,
      Author: view.seller.name,
      Subject: `${view.title} to ${view.party.name}`,
      CreationDate: new Date(view.datedAt),
    },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  let y = header(doc, view);
  y = parties(doc, view, y);
  y = summary(doc, view, y);
  y = lines(doc, view, y);
  y = bottom(doc, view, y);
  if (view.notes) notes(doc, view.notes, y);
  finish(doc, view);
  doc.end();
  return done;
};

/** The invoice as an A4 PDF: the same invoice renders the same bytes (dated by its issue, or a draft's making). */
export const renderInvoicePdf = (view: InvoiceView): Promise<Buffer> => renderDocumentPdf(invoiceDocument(view));
