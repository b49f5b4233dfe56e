import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { DomainError } from '../domain/errors.js';
import { PORTAL_HEADERS, renderOutcomePage } from '../services/documents/portal-pages.js';
import { openApproval, submitDecision, type DecisionForm, type PortalPage } from '../services/portal.service.js';
import { logger } from '../shared/logger.js';
import type { HttpEvent } from './http.js';

/** A decision form is a choice and a comment of at most 2,000 characters: anything far larger is not one. */
const MAX_FORM_BYTES = 16 * 1024;

const page = ({ status, html }: PortalPage): APIGatewayProxyStructuredResultV2 => ({
  statusCode: status,
  headers: { ...PORTAL_HEADERS },
  body: html,
});

const utf8 = new TextDecoder('utf-8', { fatal: true });
const lossy = new TextDecoder('utf-8');

/**
 * A urlencoded value's text: `+` is a space and each `%XX` a byte, the bytes read as UTF-8 (the
 * page's own charset, whatever the request names). Bytes that are not UTF-8 are never read as
 * U+FFFD: the value is unreadable, shown again as it was read but never kept. Our own because
 * URLSearchParams reads such bytes as U+FFFD and does not say so.
 */
const valueOf = (encoded: string): { text: string; readable: boolean } => {
  const bytes = Buffer.from(
    encoded.replace(/\+/g, ' ').replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))),
    'latin1',
  );
  try {
    return { text: utf8.decode(bytes), readable: true };
  } catch {
    return { text: lossy.decode(bytes), readable: false };
  }
};

/** The posted form's fields; a body that is not a form (or too large to be one) is an empty form, refused as such. */
const formOf = (event: HttpEvent): DecisionForm => {
  const raw = event.body ? Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8') : Buffer.alloc(0);
  const type = (event.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded' || raw.length > MAX_FORM_BYTES) return {};
  // Split on the bytes `&` and `=` before any byte is decoded: latin1 keeps each byte as one character.
  const fields = raw
    .toString('latin1')
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const at = pair.indexOf('=');
      return { name: valueOf(at < 0 ? pair : pair.slice(0, at)).text, value: valueOf(at < 0 ? '' : pair.slice(at + 1)) };
    });
  // A field given twice is not one answer: the decision is then missing, and asked for again.
  const one = (name: string) => {
    const given = fields.filter((field) => field.name === name);
    return given.length === 1 ? given[0]!.value : undefined;
  };
  const read = { decision: one('decision'), comment: one('comment') };
  return {
    decision: read.decision?.text,
    comment: read.comment?.text,
    unreadable: (['decision', 'comment'] as const).filter((name) => read[name]?.readable === false),
  };
};

/** The client portal (functions/api/portal/routes.ts): HTML pages whose only credential is the link's token. */
export const handler = async (event: HttpEvent): Promise<APIGatewayProxyStructuredResultV2> => {
  const token = event.pathParameters?.token ?? '';
  try {
    if (event.requestContext.http.method === 'POST') {
      const { sourceIp, userAgent } = event.requestContext.http;
      return page(await submitDecision(token, formOf(event), { ip: sourceIp || null, userAgent: userAgent || null }));
    }
    const opened = page(await openApproval(token));
    // HEAD: the GET's status and headers, without the page.
    return event.requestContext.http.method === 'HEAD' ? { ...opened, body: '' } : opened;
  } catch (error) {
    // Logged without the token: it is a credential.
    logger.error('portal page failed', { error: error as Error, method: event.requestContext.http.method });
    // A race lost past every retry changed nothing: try again later (503), as for any busy service.
    const busy = error instanceof DomainError && error.retryable;
    return page({ status: busy ? 503 : 500, html: renderOutcomePage({ kind: 'error' }) });
  }
};
