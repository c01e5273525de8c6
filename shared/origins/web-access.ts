import { IkError } from '../http/errors';
import { resolvePublicAddress } from '../security/ssrf';
import { httpFetch } from './http-fetch';
import type { AccessReport, FetchLimits } from './types';

/** An access test reads at most this much of a file: enough to know the server answers with one. */
const TEST_BYTES = 64 * 1024;

/**
 * Whether a web origin answers at `url`, checked as delivery fetches: the SSRF guard first (a refused address is
 * `blocked`, with no connection tried), then one bounded GET. `named` says the URL names an asset, so a 404 means
 * the asset is missing; for a base URL a 404 still proves the server answers.
 */
export async function webAccess(url: URL, limits: FetchLimits, named: boolean): Promise<AccessReport> {
  const host = `${url.protocol}//${url.host}`;
  try {
    await resolvePublicAddress(url.hostname, limits.allowPrivateAddresses);
  } catch (error) {
    if (!(error instanceof IkError)) throw error;
    return { verdict: error.code === 'EACCES' ? 'blocked' : 'unreachable', message: `${host}: ${error.message}` };
  }
  try {
    const found = await httpFetch(url, { limits: { ...limits, maxBytes: TEST_BYTES } });
    if (!found && named) return { verdict: 'asset-missing', message: `${host} answers, but has no such file (404)` };
    return { verdict: 'ok', message: found ? `${host} answered with ${found.contentType ?? 'a file'} (${found.body.length} bytes)` : `${host} answers` };
  } catch (error) {
    if (!(error instanceof IkError)) throw error;
    if (error.code === 'ELIMIT') return { verdict: 'ok', message: `${host} answered with a file (over ${TEST_BYTES} bytes, not read further)` };
    if (error.code === 'ECONNREFUSED' || error.code === 'ETIMEDOUT') return { verdict: 'unreachable', message: `${host}: ${error.message}` };
    if (error.code === 'EACCES') return { verdict: 'access-denied', message: `${host}: ${error.message}` };
    return { verdict: 'failed', message: `${host}: ${error.message}` };
  }
}
