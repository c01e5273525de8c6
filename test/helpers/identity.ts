import { startLoopbackServer, type LoopbackServer } from './loopback-server';

export interface IdentityEndpoint {
  server: LoopbackServer;
  /** The settings that make DefaultAzureCredential use this endpoint, as App Service sets them. */
  env: { IDENTITY_ENDPOINT: string; IDENTITY_HEADER: string };
  /** The access token handed out for a resource. */
  token(resource: string): string;
}

const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * A stand-in for App Service's managed identity endpoint (api-version 2019-08-01) on loopback. Its tokens are
 * unsigned JWTs for the asked resource, issued by Entra ID's v1 issuer, valid for an hour: what Azurite's
 * `--oauth basic` checks, and opaque to everything else.
 */
export async function startIdentityEndpoint(): Promise<IdentityEndpoint> {
  const secret = `identity-header-${Math.random().toString(36).slice(2)}`;
  const now = Math.floor(Date.now() / 1000);
  const token = (resource: string) =>
    `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ aud: resource, iss: 'https://sts.windows.net/00000000-0000-0000-0000-000000000000/', iat: now - 60, nbf: now - 60, exp: now + 3600 })}.`;
  const server = await startLoopbackServer((req, res) => {
    const resource = new URL(req.url!, 'http://x').searchParams.get('resource') ?? '';
    const body =
      req.headers['x-identity-header'] === secret
        ? { access_token: token(resource), expires_on: String(now + 3600), resource, token_type: 'Bearer' }
        : { error: 'invalid_request', error_description: 'X-IDENTITY-HEADER is missing or wrong' };
    res.writeHead(body.error ? 401 : 200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  return { server, env: { IDENTITY_ENDPOINT: `${server.url}/msi/token`, IDENTITY_HEADER: secret }, token };
}
