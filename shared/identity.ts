import { DefaultAzureCredential, ManagedIdentityCredential, type TokenCredential } from '@azure/identity';

let credential: TokenCredential | undefined;

/**
 * In Azure (App Service sets IDENTITY_ENDPOINT for an app with a managed identity) only the app's own managed
 * identity, so no other credential in the environment can stand in for it; elsewhere a developer's login through
 * DefaultAzureCredential. One per instance, so its tokens are shared.
 */
export function appIdentity(): TokenCredential {
  credential ??= process.env.IDENTITY_ENDPOINT ? new ManagedIdentityCredential() : new DefaultAzureCredential();
  return credential;
}
