import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
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

/** The posted form's fields; a body that is not a form (or too large to be one) is an empty form, refused as such. */
const formOf = (event: HttpEvent): DecisionForm => {
  const raw = event.body ? Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8') : Buffer.alloc(0);
  const type = (event.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded' || raw.length > MAX_FORM_BYTES) return {};
  const fields = new URLSearchParams(raw.toString('utf8'));
  // A field given twice is not one answer: the decision is then missing, and asked for again.
  const one = (name: string): string | undefined => (fields.getAll(name).length === 1 ? fields.get(name)! : undefined);
  return { decision: one('decision'), comment: one('comment') };
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
    return page({ status: 500, html: renderOutcomePage({ kind: 'error' }) });
  }
};
