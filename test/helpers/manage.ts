import type { TestApp } from './app';

export interface ApiResponse {
  status: number;
  headers: Headers;
  /** The JSON body; any other body (the host's own empty 404) as `{ text }`. */
  json: { message?: string; id?: string; [field: string]: unknown };
}

/** A raw management API call with the app's key; `body` is sent as is when a string, else as JSON. */
export async function manage(app: TestApp, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse> {
  const response = await fetch(`${app.url}${path}`, {
    method,
    headers: { authorization: `Basic ${Buffer.from(`${app.privateKey}:`).toString('base64')}`, 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  const isJson = response.headers.get('content-type')?.startsWith('application/json');
  return { status: response.status, headers: response.headers, json: isJson && text ? JSON.parse(text) : { text } };
}
