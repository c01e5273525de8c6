/** A response read whole: its status, headers and body bytes. */
export interface Answer {
  status: number;
  headers: Headers;
  body: Buffer;
}

/** GET `url` and read the whole answer. */
export async function getBytes(url: string, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(url, { headers });
  return { status: response.status, headers: response.headers, body: Buffer.from(await response.arrayBuffer()) };
}

/** The code of an `ik-error` header (`ELIMIT` of `ELIMIT - ...`), or null without one. */
export const ikErrorCode = (response: { headers: Headers }): string | null => response.headers.get('ik-error')?.split(' - ')[0] ?? null;
