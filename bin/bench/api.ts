/** A minimal HTTP client of the local stack for the bench: JSON in, JSON out, the status checked. */
export interface TenantApi {
  tenantId: string;
  call<T = any>(method: string, path: string, expected: number, body?: unknown, headers?: Record<string, string>): Promise<T>;
}

const send = async (
  baseUrl: string,
  method: string,
  path: string,
  expected: number,
  body: unknown,
  headers: Record<string, string>,
) => {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  if (response.status !== expected)
    throw new Error(`${method} ${path}: ${response.status}, expected ${expected}: ${text.slice(0, 500)}`);
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
