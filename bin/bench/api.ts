import { Agent, request } from 'node:http';
/** A minimal HTTP client of the local stack for the bench: JSON in, JSON out, the status checked. */
export interface TenantApi {
  tenantId: string;
  call<T = any>(method: string, path: string, expected: number, body?: unknown, headers?: Record<string, string>): Promise<T>;
}

// One keep-alive node:http agent, the transport the AWS SDK's own requests to DynamoDB Local use,
// so that the API and the raw DynamoDB requests it is compared with pay the same client costs.
const agent = new Agent({ keepAlive: true, maxSockets: 64 });

const exchange = (url: URL, method: string, headers: Record<string, string>, payload?: string) =>
  new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = request(url, { method, agent, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });

const send = async (
  baseUrl: string,
  method: string,
  path: string,
  expected: number,
  body: unknown,
  headers: Record<string, string>,
) => {
  const payload = body !== undefined ? JSON.stringify(body) : undefined;
  const { status, text } = await exchange(
    new URL(`${baseUrl}${path}`),
    method,
    {
      ...(payload !== undefined
        ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) }
        : {}),
      ...headers,
    },
    payload,
  );
  if (status !== expected) throw new Error(`${method} ${path}: ${status}, expected ${expected}: ${text.slice(0, 500)}`);
  return text ? JSON.parse(text) : undefined;
};

/** A new tenant (POST /local/tenants) and a client that sends its API key. */
export const newTenant = async (baseUrl: string, name: string): Promise<TenantApi> => {
  const { tenantId, apiKey } = (await send(baseUrl, 'POST', '/local/tenants', 201, { name, defaultCurrency: 'EUR' }, {})) as {
    tenantId: string;
    apiKey: string;
  };
  return {
    tenantId,
    call: (method, path, expected, body, headers = {}) =>
      send(baseUrl, method, path, expected, body, { authorization: `Bearer ${apiKey}`, ...headers }),
  };
};
