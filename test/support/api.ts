import { inject } from 'vitest';

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export interface ApiClient {
  tenantId: string;
  apiKey: string;
  request<T = any>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<ApiResponse<T>>;
}

export const apiUrl = (): string => inject('apiUrl');

/** Sends a request to the local stack; JSON in, JSON (or text) out. */
export const send = async <T = any>(method: string, path: string, options: { body?: unknown; headers?: Record<string, string> } = {}): Promise<ApiResponse<T>> => {
  const response = await fetch(`${apiUrl()}${path}`, {
    method,
    headers: { ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}), ...options.headers },
    ...(options.body !== undefined ? { body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) } : {}),
  });
  const text = await response.text();
  const isJson = /json/.test(response.headers.get('content-type') ?? '');
  return { status: response.status, headers: response.headers, body: (isJson && text ? JSON.parse(text) : text) as T };
};

/** A fresh tenant of the local stack, with a client that sends its API key. */
export const newTenant = async (name = 'Test tenant', defaultCurrency?: string): Promise<ApiClient> => {
  const created = await send<{ tenantId: string; apiKey: string }>('POST', '/local/tenants', { body: { name, ...(defaultCurrency ? { defaultCurrency } : {}) } });
  if (created.status !== 201) throw new Error(`tenant not created: ${JSON.stringify(created.body)}`);
  const { tenantId, apiKey } = created.body;
  return {
    tenantId,
    apiKey,
    request: (method, path, body, headers = {}) => send(method, path, { body, headers: { authorization: `Bearer ${apiKey}`, ...headers } }),
  };
};
