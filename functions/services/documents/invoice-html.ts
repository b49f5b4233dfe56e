import escapeHtml from 'escape-html';
import {
  addressLines,
  invoiceDocument,
  money,
  percent,
  showsGroups,
  type DocumentView,
  type InvoiceView,
  type Row,
} from './invoice-view.js';

/** Every value that reaches the page goes through here; markup is only ever written by this module. */
const e = (value: string | null | undefined): string => escapeHtml(value ?? '');

const CSS = `
@page { size: A4; margin: 16mm 14mm; }
* { box-sizing: border-box; }
html { background: #f3f4f6; }
body { margin: 0; font: 10pt/1.45 "Helvetica Neue", Helvetica, Arial, sans-serif; color: #1f2933; }
.sheet { position: relative; max-width: 210mm; margin: 0 auto; padding: 16mm 14mm; background: #fff; overflow: hidden; }
@media print { html { background: none; } .sheet { padding: 0; max-width: none; } }
h1 { margin: 0; font-size: 20pt; font-weight: 600; }
h2 { margin: 0 0 2mm; font-size: 8pt; font-weight: 600; letter-spacing: .08em; text-transform: uppercase; color: #616e7c; }
header { display: flex; justify-content: space-between; align-items: flex-start; gap: 8mm; padding-bottom: 5mm; border-bottom: 2px solid #1f2933; }
.seller { font-size: 14pt; font-weight: 600; }
.doc { text-align: right; }
.doc .number { font-size: 12pt; font-weight: 600; }
.stamp { position: absolute; top: 70mm; left: 0; right: 0; text-align: center; font-size: 72pt; font-weight: 700;
  color: rgba(200, 30, 30, .12); transform: rotate(-18deg); pointer-events: none; }
.parties { display: grid; grid-template-columns: 1fr 1fr; gap: 8mm; margin: 6mm 0; }
.parties p { margin: 0; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 1mm 4mm; margin: 0; }
dt { color: #616e7c; }
dd { margin: 0; }
.position { display: grid; grid-template-columns: repeat(3, 1fr); gap: 2mm 4mm; margin: 0 0 6mm; padding: 3mm 4mm;
  background: #f5f7fa; border-radius: 2mm; }
.position div span { display: block; font-size: 8pt; color: #616e7c; }
.position div strong { white-space: nowrap; }
.position h2, .position p { grid-column: 1 / -1; }
.position p { margin: 1mm 0 0; font-size: 8pt; color: #616e7c; }
table { width: 100%; border-collapse: collapse; }
th { font-size: 8pt; text-align: left; text-transform: uppercase; letter-spacing: .05em; color: #616e7c; border-bottom: 1px solid #9aa5b1; }
th, td { padding: 1.5mm 2mm; vertical-align: top; }
td { border-bottom: 1px solid #e4e7eb; }
.lines th:first-child, .lines td:first-child, .tax th:first-child, .tax td:first-child { padding-left: 0; }
.lines th:last-child, .lines td:last-child { padding-right: 0; }
.num { text-align: right; white-space: nowrap; }
tr.deduction td { color: #52606d; font-style: italic; }
.bottom { display: grid; grid-template-columns: 1fr 1fr; gap: 10mm; margin-top: 6mm; align-items: start; }
.totals td { border: none; padding: 1mm 2mm; }
.totals tr.gross td { font-weight: 700; border-top: 1px solid #1f2933; }
.totals tr.due td { font-weight: 700; font-size: 11pt; background: #f5f7fa; }
.notes { margin-top: 8mm; white-space: pre-wrap; }
.scroll { overflow-x: auto; }
@media screen and (max-width: 640px) {
  .sheet { padding: 6mm 4mm; }
  header { flex-direction: column; gap: 2mm; }
  .doc { text-align: left; }
  .parties, .bottom { grid-template-columns: 1fr; }
  .position { grid-template-columns: 1fr 1fr; }
}
`;

const rows = (items: Row[]): string => items.map(([label, value]) => `<dt>${e(label)}</dt><dd>${e(value)}</dd>`).join('');

const party = ({ party: to }: DocumentView): string =>
  [
    `<p><strong>${e(to.name)}</strong></p>`,
    ...addressLines(to.address).map((line) => `<p>${e(line)}</p>`),
    to.email ? `<p>${e(to.email)}</p>` : '',
    to.taxId ? `<p>Tax ID: ${e(to.taxId)}</p>` : '',
  ].join('');

const summary = ({ summary: box }: DocumentView): string =>
  !box
    ? ''
    : `<section class="position"><h2>${e(box.heading)}</h2>${box.rows
        .map(([label, value]) => `<div><span>${e(label)}</span><strong>${e(value)}</strong></div>`)
        .join('')}<p>${e(box.note)}</p></section>`;

const lines = (doc: DocumentView): string => {
  const grouped = showsGroups(doc);
  const m = (value: string) => money(value, doc.currency);
  const head = ['Description', ...(grouped ? ['Group'] : [])]
    .map((label) => `<th>${label}</th>`)
    .concat(['Quantity', 'Unit price', 'Tax', 'Amount'].map((label) => `<th class="num">${label}</th>`))
    .join('');
  const body = doc.lines
    .map(
      (line) =>
        `<tr${line.muted ? ' class="deduction"' : ''}><td>${e(line.description)}</td>` +
        (grouped ? `<td>${e(line.group)}</td>` : '') +
        `<td class="num">${e(line.quantity)}</td><td class="num">${e(m(line.unitPrice))}</td>` +
        `<td class="num">${e(percent(line.taxRate))}</td><td class="num">${e(m(line.amount))}</td></tr>`,
    )
    .join('');
  return `<div class="scroll"><table class="lines"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div>`;
};

const taxes = (doc: DocumentView): string => {
  const m = (value: string) => money(value, doc.currency);
  const body = doc.taxes
    .map(
      (t) => `<tr><td>${e(percent(t.rate))}</td><td class="num">${e(m(t.base))}</td><td class="num">${e(m(t.amount))}</td></tr>`,
    )
    .join('');
  return `<section><h2>Tax</h2><table class="tax"><thead><tr><th>Rate</th><th class="num">Base</th><th class="num">Tax</th></tr></thead><tbody>${body}</tbody></table></section>`;
};

const CLASSES: Record<string, string> = { Total: 'gross', 'Balance due': 'due' };

const totals = (doc: DocumentView): string =>
  `<table class="totals" aria-label="Totals"><tbody>${doc.totals
    .map(
      ([label, value]) =>
        `<tr${CLASSES[label] ? ` class="${CLASSES[label]}"` : ''}><td>${e(label)}</td><td class="num">${e(value)}</td></tr>`,
    )
    .join('')}</tbody></table>`;

/** A document (an invoice, an estimate) as one self-contained, printable HTML page (inline CSS, no external assets). */
export const renderDocumentHtml = (view: DocumentView): string => {
  const heading = `${view.title} ${view.reference}`;
  const mark = view.stamp;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(heading)} – ${e(view.seller.name)}</title>
<style>${CSS}</style>
</head>
<body>
<main class="sheet">
${mark ? `<div class="stamp" aria-hidden="true">${e(mark)}</div>` : ''}
<header>
<div><div class="seller">${e(view.seller.name)}</div><div>${e(view.source.label)}: ${e(view.source.name)}</div></div>
<div class="doc"><h1>${e(view.title)}</h1><div class="number">${e(view.reference)}</div></div>
</header>
<section class="parties">
<div><h2>${e(view.party.heading)}</h2>${party(view)}</div>
<div><h2>Details</h2><dl>${rows(view.details)}</dl></div>
</section>
${summary(view)}
${lines(view)}
<div class="bottom">
${taxes(view)}
${totals(view)}
</div>
${view.notes ? `<section class="notes"><h2>Notes</h2>${e(view.notes)}</section>` : ''}
</main>
</body>
</html>
`;
};

/** The invoice as one self-contained, printable HTML page. */
export const renderInvoiceHtml = (view: InvoiceView): string => renderDocumentHtml(invoiceDocument(view));
