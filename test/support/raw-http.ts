import { request as httpRequest } from 'node:http';

export interface RawRequest {
  method: string;
  /** Sent byte for byte: no normalisation of `..`, no re-encoding (fetch would do both). */
  target: string;
  headers: Record<string, string>;
  body?: string | Buffer;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  text: string;
}

/** Sends one request exactly as given, for requests that a fetch client would tidy up before sending. */
export const sendRaw = (baseUrl: string, { method, target, headers, body }: RawRequest): Promise<RawResponse> => {
  const { hostname, port } = new URL(baseUrl);
  const bytes = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
  return new Promise((resolve, reject) => {
    const sent = httpRequest(
      {
        hostname,
        port,
        method,
        path: target,
        headers: { ...headers, ...(bytes ? { 'content-length': String(bytes.length) } : {}) },
        timeout: 30_000,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: Object.fromEntries(
              Object.entries(response.headers).map(([name, value]) => [
                name,
                Array.isArray(value) ? value.join(', ') : (value ?? ''),
              ]),
            ),
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    sent.on('timeout', () => sent.destroy(new Error(`no answer to ${method} ${target.slice(0, 200)} in 30 s`)));
    sent.on('error', reject);
    sent.end(bytes);
  });
};
