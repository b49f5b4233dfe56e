import { afterAll, beforeAll, expect } from 'vitest';
import { startLocalStack, type LocalStack } from '../../local/stack.js';
import type { StoredMail } from './mail-store.js';

/**
 * A local stack of the test file's own (the test clock moves the time of a whole stack), started
 * before its tests and stopped after, with a client of its tenant: JSON in, JSON out (or the text
 * of another `accept`).
 */
export const ownStack = () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack({ port: 0, dataDir: null, sesPort: 0 });
  }, 60_000);
  afterAll(() => stack.stop());

  const request = async (method: string, path: string, body?: unknown, accept = 'application/json') => {
    const response = await fetch(`${stack.apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${stack.apiKey}`, 'content-type': 'application/json', accept },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: accept === 'application/json' && text ? JSON.parse(text) : text || undefined };
  };

  /** The answer's body, once the status says it succeeded. */
  const ok = async (method: string, path: string, body?: unknown) => {
    const answer = await request(method, path, body);
    expect(answer.status, `${method} ${path}: ${JSON.stringify(answer.body)}`).toBeLessThan(300);
    return answer.body;
  };

  const mailsTo = async (to: string): Promise<StoredMail[]> => {
    const { emails } = (await (await fetch(stack.mailUrl)).json()) as { emails: StoredMail[] };
    return emails.filter((mail) => mail.destination.to.includes(to));
  };

  const now = async (): Promise<string> => (await ok('GET', '/local/clock')).now;
  const advance = (duration: string) => ok('POST', '/local/clock', { advance: duration });

  /** The stack itself, once started: its tenant, URLs and key. */
  const local = (): LocalStack => stack;

  return { request, ok, mailsTo, now, advance, local };
};
