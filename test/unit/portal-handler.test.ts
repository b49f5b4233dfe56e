import { beforeEach, describe, expect, it, vi } from 'vitest';
import { concurrentWrite } from '../../functions/domain/errors.js';
import type { HttpEvent } from '../../functions/api/http.js';

const service = vi.hoisted(() => ({ openApproval: vi.fn(), submitDecision: vi.fn() }));
vi.mock('../../functions/services/portal.service.js', () => service);

const { handler } = await import('../../functions/api/portal.handler.js');

const event = (method: string, body?: string, contentType = 'application/x-www-form-urlencoded'): HttpEvent =>
  ({
    body,
    isBase64Encoded: false,
    headers: { 'content-type': contentType },
    pathParameters: { token: 'ten_1.apr_1.secret' },
    requestContext: { http: { method, sourceIp: '192.0.2.1', userAgent: 'Test/1.0' } },
  }) as unknown as HttpEvent;

/** The form the handler gave the service for `body`. */
const formOf = async (body: string, contentType?: string) => {
  await handler(event('POST', body, contentType));
  return service.submitDecision.mock.calls.at(-1)![1];
};

describe('the portal handler', () => {
  beforeEach(() => {
    service.openApproval.mockReset().mockResolvedValue({ status: 200, html: '<p>page</p>' });
    service.submitDecision.mockReset().mockResolvedValue({ status: 200, html: '<p>done</p>' });
  });

  it('reads a form as UTF-8, + as a space, and names the fields whose bytes are not UTF-8', async () => {
    expect(await formOf('decision=reject&comment=Caf%C3%A9+trop%20cher%0D%0A')).toEqual({
      decision: 'reject',
      comment: 'Café trop cher\r\n',
      unreadable: [],
    });
    // Latin-1 says what it is, but the page is UTF-8: its bytes are not read as U+FFFD and kept
    expect(await formOf('decision=reject&comment=Caf%E9', 'application/x-www-form-urlencoded; charset=ISO-8859-1')).toMatchObject(
      {
        decision: 'reject',
        unreadable: ['comment'],
      },
    );
    expect(await formOf('decision=request_revision&comment=%00%FF%FEbad')).toMatchObject({ unreadable: ['comment'] });
    expect(await formOf('decision=%FFapprove&comment=ok')).toMatchObject({ comment: 'ok', unreadable: ['decision'] });
  });

  it('takes a field given twice, or a body that is not a form, as no answer', async () => {
    expect(await formOf('decision=approve&decision=reject')).toMatchObject({ decision: undefined });
    expect(await formOf('decision=approve', 'text/plain')).toEqual({});
  });

  it('answers 503, not 500, for a race lost past every retry, and 500 for any other failure', async () => {
    // Prepare
    service.openApproval.mockRejectedValueOnce(concurrentWrite('milestone')).mockRejectedValueOnce(new Error('boom'));
    // Act
    const busy = await handler(event('GET'));
    const failed = await handler(event('GET'));
    // Assess
    expect([busy.statusCode, failed.statusCode]).toEqual([503, 500]);
    expect(busy.headers?.['Cache-Control']).toBe('no-store');
  });
});
